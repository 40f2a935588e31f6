using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tote.Testing;

namespace Tote.Tests;

/// <summary>Tests that measure the process's allocations, so nothing else may run beside them.</summary>
[CollectionDefinition(nameof(AllocationMeasurements), DisableParallelization = true)]
public sealed class AllocationMeasurements;

[Collection(nameof(AllocationMeasurements))]
public sealed class SessionLoadAllocationTests
{
    [Fact]
    public async Task RecordOverMaxSessionSize_IsRefusedWithoutBeingParsed()
    {
        // 64 MB of references to one entry: parsing it costs hundreds of MB of tokens. Larger than
        // any record other tests plant, because a parser's buffers, kept per thread and sized by the
        // text, would otherwise hide a parse that did happen.
        const int references = 32 * 1024 * 1024;
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map);
        using var client = host.CreateClient();
        await client.PostAsync("/set/name/ada"); // warms the pipeline up
        await client.GetStringAsync("/get/name");
        var record = SessionLoadBoundsTests.ReferencesRecord(references);
        var id = await SessionLoadBoundsTests.PlantAsync(host, record);
        client.SessionId = id;

        var before = GC.GetTotalAllocatedBytes(precise: true);
        using var read = await client.GetAsync("/get/name");
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Null(await host.Store.LoadAsync(id, TestContext.Current.CancellationToken));
        Assert.True(allocated < 16 * 1024 * 1024, $"The request allocated {allocated:N0} bytes for a record of {record.Length:N0} characters.");
    }

    [Fact]
    public async Task ValuesAsync_BuildsAValueManyKeysShare_Once()
    {
        // 100 keys, each holding the same sparse array of a thousand holes. (With a million holes
        // the record would expand past MaxSessionSize and be refused at load: SessionExpansionTests.)
        const int keys = 100;
        var text = new StringBuilder("[[\"Map\"");
        for (var i = 0; i < keys; i++)
        {
            text.Append(',').Append(1 + (2 * i)).Append(',').Append(2 + (2 * i));
        }

        text.Append(']');
        for (var i = 0; i < keys; i++)
        {
            text.Append(",\"k").Append(i).Append("\",{\"data\":").Append(1 + (2 * keys)).Append(",\"expires\":-1}");
        }

        text.Append(",[-7,1000]]");
        await using var host = await ToteTestHost.StartAsync(app => app.MapGet("/values", async (Session session) =>
        {
            var values = await session.ValuesAsync();
            return $"{values.Count} values, the first of {((List<object?>)values[0]!).Count} elements, shared by all: {values.All(v => ReferenceEquals(v, values[0]))}";
        }));
        using var client = host.CreateClient();
        client.SessionId = await SessionLoadBoundsTests.PlantAsync(host, text.ToString());

        var body = await client.GetStringAsync("/values");

        Assert.Equal("100 values, the first of 1000 elements, shared by all: True", body);
    }
}
