using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Tote.Sql;

namespace Tote.PostgreSql;

/// <summary>Checks <see cref="PostgreSqlSessionStoreOptions"/> at startup and lists every problem in one message.</summary>
internal sealed class PostgreSqlSessionStoreOptionsValidator : IValidateOptions<PostgreSqlSessionStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgreSqlSessionStoreOptions options)
    {
        var errors = new List<string>();
        SqlIdentifier.Check(errors, "Tote:PostgreSql:Schema", options.Schema);
        SqlIdentifier.CheckTable(errors, "Tote:PostgreSql:TableName", options.TableName);
        if (options.SweepInterval <= TimeSpan.Zero)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"Tote:PostgreSql:SweepInterval must be positive; it is {options.SweepInterval}."));
        }

        if (options.ConnectionString is { } connectionString)
        {
            try
            {
                _ = new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Tote:PostgreSql:ConnectionString is not a valid Npgsql connection string: {ex.Message}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
