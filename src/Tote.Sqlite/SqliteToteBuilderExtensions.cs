using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Tote;
using Tote.Sql;
using Tote.Sqlite;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the SQLite driver.</summary>
public static class SqliteToteBuilderExtensions
{
    /// <summary>Where the driver keeps sessions when no connection string is set, under the content root.</summary>
    internal static readonly string DefaultDatabasePath = Path.Combine(".tote", "sessions.db");

    /// <summary>
    /// Makes the <c>sqlite</c> driver available without choosing it, so that configuration alone
    /// chooses it: <c>"Tote:Driver": "sqlite"</c>, with <c>"Tote:Sqlite:ConnectionString"</c> (or
    /// the default file <c>.tote/sessions.db</c> under the content root).
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="configure">Sets the driver's options; runs after binding <c>"Tote:Sqlite"</c>.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder AddSqlite(this IToteBuilder builder, Action<SqliteSessionStoreOptions>? configure = null)
    {
        AddOptions(builder, configure);
        return builder.AddStore(SqliteSessionStore.Name, CreateStore);
    }

    /// <summary>
    /// Stores sessions in a SQLite database file (the <c>sqlite</c> driver): durable, no server,
    /// safe for several app processes on one machine, not shared between machines. Uses
    /// <c>"Tote:Sqlite:ConnectionString"</c>, else the file <c>.tote/sessions.db</c> under the content root.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="configure">Sets the driver's options; runs after binding <c>"Tote:Sqlite"</c>.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UseSqlite(this IToteBuilder builder, Action<SqliteSessionStoreOptions>? configure = null)
    {
        AddOptions(builder, configure);
        return builder.UseStore(SqliteSessionStore.Name, CreateStore);
    }

    /// <summary>
    /// Stores sessions in the SQLite database of <paramref name="connectionString"/>, such as
    /// <c>Data Source=/var/lib/app/sessions.db</c>; the file is created when missing.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="connectionString">The Microsoft.Data.Sqlite connection string.</param>
    /// <param name="configure">Sets the driver's other options, such as the table name.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UseSqlite(this IToteBuilder builder, string connectionString, Action<SqliteSessionStoreOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return UseSqlite(builder, options =>
        {
            options.ConnectionString = connectionString;
            configure?.Invoke(options);
        });
    }

    private static void AddOptions(IToteBuilder builder, Action<SqliteSessionStoreOptions>? configure)
        => SqlDriverOptions.Add<SqliteSessionStoreOptions, SqliteSessionStoreOptionsValidator>(builder, SqliteSessionStoreOptions.SectionName, configure);

    private static SqliteSessionStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SqliteSessionStoreOptions>>().Value;
        var connectionString = options.ConnectionString;
        if (connectionString is null)
        {
            var root = services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
            connectionString = "Data Source=" + Path.Combine(root, DefaultDatabasePath);
        }

        var store = new SqliteSessionStore(
            connectionString,
            options,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Tote.Sqlite"));
        store.PrepareTable();
        store.Announce();
        return store;
    }
}
