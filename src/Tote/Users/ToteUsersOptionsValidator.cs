using System.Globalization;
using Microsoft.Extensions.Options;

namespace Tote.Users;

/// <summary>Checks <see cref="ToteUsersOptions"/> at startup and lists every problem in one message.</summary>
internal sealed class ToteUsersOptionsValidator : IValidateOptions<ToteUsersOptions>
{
    public ValidateOptionsResult Validate(string? name, ToteUsersOptions options)
    {
        var errors = new List<string>();
        if (options.MaxSessionsPerUser is <= 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:Users:MaxSessionsPerUser must be positive, or unset for no limit; it is {options.MaxSessionsPerUser}."));
        }

        if (options.HandleKey is { Length: < SessionHandles.MinimumKeyLength } key)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:Users:HandleKey must be at least {SessionHandles.MinimumKeyLength} characters; it has {key.Length}. Use a random string, the same on every app instance, or leave it unset: Tote then keeps a random key in the session store, protected with ASP.NET Core Data Protection."));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
