using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Tote.Testing;

namespace Tote.Tests.Builder;

public sealed class ToteApplicationBuilderExtensionsTests
{
    [Fact]
    public async Task UseTote_WithoutAddTote_ThrowsSayingHowToFix()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ToteTestHost.StartAsync(SessionApi.Map, o => o.AddTote = false));

        Assert.Contains("AddTote()", error.Message, StringComparison.Ordinal);
    }
}
