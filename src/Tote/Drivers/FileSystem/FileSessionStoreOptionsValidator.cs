using System.Globalization;
using Microsoft.Extensions.Options;
using Tote.Drivers;

namespace Tote.Options;

/// <summary>Checks <see cref="FileSessionStoreOptions"/> at startup and lists every problem in one message.</summary>
internal sealed class FileSessionStoreOptionsValidator : IValidateOptions<FileSessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, FileSessionStoreOptions options)
    {
        var errors = new List<string>();
        if (options.Path is { } path && (path.Length == 0 || path.AsSpan().IndexOfAny(System.IO.Path.GetInvalidPathChars()) >= 0))
        {
            errors.Add($"Tote:FileSystem:Path must be a valid directory path or null; '{path}' is not.");
        }

        if (options.MaxSessions <= 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:FileSystem:MaxSessions must be positive; it is {options.MaxSessions}."));
        }

        if (options.SweepInterval <= TimeSpan.Zero || options.SweepInterval > TimeSpan.FromDays(1))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:FileSystem:SweepInterval must be positive and at most one day; it is {options.SweepInterval}."));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
