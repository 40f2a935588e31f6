using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Tote;
using Tote.Sql;
using Tote.PostgreSql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Chooses the PostgreSQL driver.</summary>
public static class PostgreSqlToteBuilderExtensions
{
    /// <summary>
    /// Makes the <c>postgres</c> driver available without choosing it, so that configuration alone
    /// chooses it: <c>"Tote:Driver": "postgres"</c> with <c>"Tote:PostgreSql:ConnectionString"</c>
    /// (or an <see cref="NpgsqlDataSource"/> in the app's services).
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="configure">Sets the driver's options; runs after binding <c>"Tote:PostgreSql"</c>.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder AddPostgreSql(this IToteBuilder builder, Action<PostgreSqlSessionStoreOptions>? configure = null)
    {
        AddOptions(builder, configure);
        return builder.AddStore(PostgreSqlSessionStore.Name, CreateStore);
    }

    /// <summary>
    /// Stores sessions in a PostgreSQL table (the <c>postgres</c> driver), connecting with
    /// <c>"Tote:PostgreSql:ConnectionString"</c>, or else through the <see cref="NpgsqlDataSource"/>
    /// registered in the app's services.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="configure">Sets the driver's options; runs after binding <c>"Tote:PostgreSql"</c>.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UsePostgreSql(this IToteBuilder builder, Action<PostgreSqlSessionStoreOptions>? configure = null)
    {
        AddOptions(builder, configure);
        return builder.UseStore(PostgreSqlSessionStore.Name, CreateStore);
    }

    /// <summary>
    /// Stores sessions in the PostgreSQL database of <paramref name="connectionString"/>, such as
    /// <c>Host=db;Database=app;Username=app;Password=…</c>. The driver creates and owns its data
    /// source; while the server is unreachable requests answer 503, and they succeed again once it
    /// is back.
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <param name="configure">Sets the driver's other options, such as the schema and table.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UsePostgreSql(this IToteBuilder builder, string connectionString, Action<PostgreSqlSessionStoreOptions>? configure = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        return UsePostgreSql(builder, options =>
        {
            options.ConnectionString = connectionString;
            configure?.Invoke(options);
        });
    }

    /// <summary>
    /// Stores sessions through an existing data source, which the app keeps owning (the driver never
    /// disposes it).
    /// </summary>
    /// <param name="builder">The Tote builder.</param>
    /// <param name="dataSource">The data source to use.</param>
    /// <param name="configure">Sets the driver's options, such as the schema and table.</param>
    /// <returns>The builder.</returns>
    public static IToteBuilder UsePostgreSql(this IToteBuilder builder, NpgsqlDataSource dataSource, Action<PostgreSqlSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        builder.Services.RemoveAll<PostgreSqlDataSource.Given>();
        builder.Services.AddSingleton(new PostgreSqlDataSource.Given(dataSource));
        return UsePostgreSql(builder, configure);
    }

    private static void AddOptions(IToteBuilder builder, Action<PostgreSqlSessionStoreOptions>? configure)
        => SqlDriverOptions.Add<PostgreSqlSessionStoreOptions, PostgreSqlSessionStoreOptionsValidator>(builder, PostgreSqlSessionStoreOptions.SectionName, configure);

    private static PostgreSqlSessionStore CreateStore(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<PostgreSqlSessionStoreOptions>>().Value;
        var (dataSource, owned) = PostgreSqlDataSource.Resolve(services, options);
        var store = new PostgreSqlSessionStore(
            dataSource,
            owned,
            options,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Tote.PostgreSql"));
        store.PrepareTable();
        store.Announce();
        return store;
    }
}
