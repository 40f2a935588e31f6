using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Tote.PostgreSql;

/// <summary>Finds or opens the data source the <c>postgres</c> driver uses.</summary>
internal static class PostgreSqlDataSource
{
    /// <summary>
    /// In order: the data source passed to <c>UsePostgreSql(NpgsqlDataSource)</c>; a new one from
    /// <see cref="PostgreSqlSessionStoreOptions.ConnectionString"/>, owned by the driver; the app's
    /// <see cref="NpgsqlDataSource"/>.
    /// </summary>
    public static (NpgsqlDataSource DataSource, bool Owned) Resolve(IServiceProvider services, PostgreSqlSessionStoreOptions options)
    {
        if (services.GetService<Given>() is { } given)
        {
            return (given.DataSource, false);
        }

        if (options.ConnectionString is { } connectionString)
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);

            // The driver's statements leave no state on a connection (no SET, no temporary tables, no
            // LISTEN), so the reset Npgsql sends with a pooled connection's next command is pure
            // cost on every request. A setting in the connection string wins.
            if (!connectionString.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
            {
                builder.ConnectionStringBuilder.NoResetOnClose = true;
            }

            return (builder.Build(), true);
        }

        if (services.GetService<NpgsqlDataSource>() is { } shared)
        {
            return (shared, false);
        }

        throw new InvalidOperationException(
            "The postgres session driver has no database. Set Tote:PostgreSql:ConnectionString (such as \"Host=localhost;Database=app;Username=app\"), call AddTote().UsePostgreSql(\"Host=…\"), or register an NpgsqlDataSource in the app's services (services.AddNpgsqlDataSource(…)).");
    }

    /// <summary>The data source passed in code, registered as a service.</summary>
    internal sealed record Given(NpgsqlDataSource DataSource);
}
