using Microsoft.AspNetCore.Builder;
using Tote.Drivers;
using Tote.Testing;

namespace Tote.Tests.Diagnostics;

public sealed class LogTests
{
    [Fact]
    public async Task Logs_AcrossTheSessionLifecycle_NeverContainASessionId()
    {
        var gates = new Gates();
        await using var host = await ToteTestHost.StartAsync(
            app =>
            {
                SessionApi.Map(app);
                gates.Map(app);
            });
        using var client = host.CreateClient();
        var ids = new HashSet<string>();

        await client.PostAsync("/set/name/ada");
        ids.Add(client.SessionId!);
        await client.GetStringAsync("/get/name");
        (await gates.WhileInFlightAsync(client, "a", "/gated/a/set/x/1", client.SessionId!, async () => (await client.PostAsync("/set/y/2")).Dispose())).Dispose();
        await client.PostAsync("/regenerate");
        ids.Add(client.SessionId!);
        await client.PostAsync("/destroy");
        var unknown = TestIds.New();
        ids.Add(unknown);
        client.SessionId = unknown;
        await client.GetStringAsync("/get/name");
        var corrupt = TestIds.New();
        ids.Add(corrupt);
        await host.Store.SaveAsync(corrupt, new SessionRecord { Data = "garbage", CreatedAt = host.Clock.GetUtcNow(), ExpiresAt = host.Clock.GetUtcNow().AddHours(1) }, SessionVersion.Missing, TestContext.Current.CancellationToken);
        client.SessionId = corrupt;
        await client.GetStringAsync("/get/name");

        var records = host.Logs.GetSnapshot();
        Assert.Contains(records, r => r.Category == "Tote" && r.Id.Id == 4);
        Assert.Contains(records, r => r.Category == "Tote" && r.Id.Id == 7);
        Assert.Contains(records, r => r.Category == "Tote" && r.Id.Id == 12);
        foreach (var record in records)
        {
            var text = $"{record.Message} {string.Join(" ", record.StructuredState?.Select(s => s.Value) ?? [])} {record.Exception}";
            foreach (var id in ids)
            {
                Assert.DoesNotContain(id, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Logs_NameSessionsByShortHash()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map);
        using var client = host.CreateClient();

        await client.PostAsync("/set/name/ada");

        var created = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 1);
        Assert.Matches("^Created session [0-9a-f]{8}\\.$", created.Message);
    }
}
