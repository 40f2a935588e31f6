using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Tote.Sql;

namespace Tote.Sqlite;

/// <summary>Checks <see cref="SqliteSessionStoreOptions"/> at startup and lists every problem in one message.</summary>
internal sealed class SqliteSessionStoreOptionsValidator : IValidateOptions<SqliteSessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteSessionStoreOptions options)
    {
        var errors = new List<string>();
        SqlIdentifier.CheckTable(errors, "Tote:Sqlite:TableName", options.TableName);
        if (options.BusyTimeout <= TimeSpan.Zero)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:Sqlite:BusyTimeout must be positive; it is {options.BusyTimeout}."));
        }

        if (options.SweepInterval <= TimeSpan.Zero)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:Sqlite:SweepInterval must be positive; it is {options.SweepInterval}."));
        }

        if (options.ConnectionString is { } connectionString)
        {
            try
            {
                _ = new SqliteConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Tote:Sqlite:ConnectionString is not a valid Microsoft.Data.Sqlite connection string: {ex.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
