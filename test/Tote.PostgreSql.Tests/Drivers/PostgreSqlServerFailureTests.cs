using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Tote.PostgreSql.Tests.Servers;
using Tote.Testing;

namespace Tote.PostgreSql.Tests.Drivers;

/// <summary>
/// Failures against a PostgreSQL cluster of the test's own, stopped and started again inside the
/// test: requests answer 503 while the server is down, never succeed silently, and succeed again
/// once it is back, without a restart of the app, with the data still there.
/// </summary>
public sealed class PostgreSqlServerFailureTests
{
    private static readonly SessionKey<int> Visits = new("visits");

    [Fact]
    public async Task ServerDown_Answers503_AndRecoversWithTheDataWhenItComesBack()
    {
        Assert.SkipWhen(PostgreSqlServer.NotInstalled is not null, PostgreSqlServer.NotInstalled ?? string.Empty);
        await using var cluster = await PostgreSqlCluster.StartAsync(PostgreSqlCluster.FindBinaries()!);
        await using var host = await ToteTestHost.StartAsync(
            app => app.MapPost("/visit", async (Session session) => await session.UpdateAsync(Visits, v => v + 1)),
            o =>
            {
                o.Tote = t => t.StoreTimeout = TimeSpan.FromSeconds(5);
                o.Driver = b => b.UsePostgreSql(cluster.ConnectionString);
            });
        using var client = host.CreateClient();
        using (var first = await client.PostAsync("/visit"))
        {
            Assert.Equal("1", await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        await cluster.StopAsync();
        using (var down = await client.PostAsync("/visit"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
        }

        Assert.Contains(host.Logs.GetSnapshot(), r => r.Exception is SessionStoreException { Driver: "postgres" });
        await cluster.StartAgainAsync();

        // The pool's connections died with the server; a request may meet one more of them before
        // Npgsql notices, so poll, bounded. The session itself survived the restart.
        string? body = null;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (body is null && !deadline.IsCancellationRequested)
        {
            using var response = await client.PostAsync("/visit");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            }
            else
            {
                await Task.Delay(100, TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal("2", body);
    }
}
