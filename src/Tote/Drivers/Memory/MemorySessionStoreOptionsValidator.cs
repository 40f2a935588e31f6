using System.Globalization;
using Microsoft.Extensions.Options;
using Tote.Drivers;

namespace Tote.Options;

/// <summary>Checks <see cref="MemorySessionStoreOptions"/> at startup and lists every problem in one message.</summary>
internal sealed class MemorySessionStoreOptionsValidator : IValidateOptions<MemorySessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, MemorySessionStoreOptions options)
    {
        var errors = new List<string>();
        if (options.MaxSessions <= 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:Memory:MaxSessions must be positive; it is {options.MaxSessions}."));
        }

        if (options.MaxBytes <= 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:Memory:MaxBytes must be positive; it is {options.MaxBytes}."));
        }

        if (options.SweepInterval <= TimeSpan.Zero || options.SweepInterval > TimeSpan.FromDays(1))
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:Memory:SweepInterval must be positive and at most one day; it is {options.SweepInterval}."));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
