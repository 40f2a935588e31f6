using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Drivers;

/// <summary>
/// A record another app (or anyone with access to the shared Redis) wrote is checked for what it
/// expands to, not only for its stored length (issue 15, finding 3).
/// </summary>
public sealed class RedisExpansionTests(RedisServerFixture server) : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private const string Prefix = "tote-expansion-test:";
    private static readonly SessionKey<List<string>> Cart = new("cart");

    private ConnectionMultiplexer? _connection;

    public async ValueTask InitializeAsync() => _connection = await server.ConnectAsync();

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task ARecordOfManyReferencesToOneBigString_SetByAnotherApp_StartsAFreshSession_AndIsRemoved()
    {
        await using var host = await ToteTestHost.StartAsync(
            app => app.MapGet("/cart/count", async (Session session) => ((await session.GetAsync(Cart))?.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            o =>
            {
                o.Tote = t => t.MaxSessionSize = 100_000;
                o.Driver = b => b.UseRedis(_connection!, r => r.KeyPrefix = Prefix);
            });
        using var client = host.CreateClient();
        using var corrupt = host.Metric<long>("tote.sessions.corrupt");
        var database = _connection!.GetDatabase();
        var id = TestIds.New();

        // 20,000 characters in Redis; 160,000 for every read that writes the cart out.
        await database.StringSetAsync(Prefix + id, $"[[\"Map\",1,2],\"cart\",{{\"data\":3,\"expires\":-1}},[4,4,4,4,4,4,4,4],\"{new string('x', 20_000)}\"]");
        client.SessionId = id;

        using var read = await client.GetAsync("/cart/count");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("0", await read.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.False(await database.KeyExistsAsync(Prefix + id));
        Assert.Equal(1, corrupt.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("expands to more than", StringComparison.Ordinal));
    }
}
