using System.Globalization;
using Microsoft.Extensions.Options;
using Tote.DependencyInjection;

namespace Tote.Options;

/// <summary>Checks <see cref="ToteOptions"/> at startup and lists every problem in one message.</summary>
internal sealed class ToteOptionsValidator(ToteDriverCatalog catalog) : IValidateOptions<ToteOptions>
{
    public ValidateOptionsResult Validate(string? name, ToteOptions options)
    {
        var errors = new List<string>();
        if (options.IdleTimeout <= TimeSpan.Zero)
        {
            errors.Add(Invariant($"Tote:IdleTimeout must be positive; it is {options.IdleTimeout}."));
        }

        if (options.AbsoluteTimeout <= TimeSpan.Zero)
        {
            errors.Add(Invariant($"Tote:AbsoluteTimeout must be positive; it is {options.AbsoluteTimeout}."));
        }

        if (options.DefaultKeyTtl is { } ttl && ttl <= TimeSpan.Zero)
        {
            errors.Add(Invariant($"Tote:DefaultKeyTtl must be positive or null; it is {ttl}."));
        }

        if (options.StoreTimeout <= TimeSpan.Zero && options.StoreTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add(Invariant($"Tote:StoreTimeout must be positive (or infinite); it is {options.StoreTimeout}."));
        }

        if (options.MaxSessionSize <= 0)
        {
            errors.Add(Invariant($"Tote:MaxSessionSize must be positive; it is {options.MaxSessionSize}."));
        }

        if (!Enum.IsDefined(options.UnreadableValues))
        {
            errors.Add(Invariant($"Tote:UnreadableValues must be Drop or Throw; it is {(int)options.UnreadableValues}."));
        }

        if (options.StoreFailureStatusCode is < 400 or > 599)
        {
            errors.Add(Invariant($"Tote:StoreFailureStatusCode must be an error status code (400-599); it is {options.StoreFailureStatusCode}."));
        }

        if (options.HeaderName is { } header && !IsToken(header))
        {
            errors.Add($"Tote:HeaderName must be a valid HTTP header name; '{header}' is not.");
        }

        var selected = catalog.Resolve(options);
        if (!catalog.Contains(selected))
        {
            errors.Add($"Tote:Driver '{selected}' is not a registered driver. Registered: {string.Join(", ", catalog.Names.Order(StringComparer.Ordinal))}. Install and register the driver's package (for example AddTote().UseRedis(…)).");
        }

        ValidateCookie(options.Cookie, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateCookie(ToteCookieOptions cookie, List<string> errors)
    {
        if (string.IsNullOrEmpty(cookie.Name) || !IsToken(cookie.Name))
        {
            errors.Add($"Tote:Cookie:Name must be a non-empty cookie name without spaces, separators or control characters; '{cookie.Name}' is not.");
        }

        if (string.IsNullOrEmpty(cookie.Path) || cookie.Path[0] != '/')
        {
            errors.Add($"Tote:Cookie:Path must start with '/'; it is '{cookie.Path}'.");
        }

        if (cookie.MaxAge is { } maxAge && maxAge <= TimeSpan.Zero)
        {
            errors.Add(Invariant($"Tote:Cookie:MaxAge must be positive or null; it is {maxAge}."));
        }

        if (cookie.SameSite == Microsoft.AspNetCore.Http.SameSiteMode.None && cookie.SecurePolicy is Microsoft.AspNetCore.Http.CookieSecurePolicy.None)
        {
            errors.Add("Tote:Cookie:SameSite None requires a Secure cookie; browsers reject it otherwise. Use SecurePolicy Always or SameAsRequest.");
        }
    }

    // RFC 9110 token characters: what a header or cookie name may hold.
    private static bool IsToken(string value)
        => value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
