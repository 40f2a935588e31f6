using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Tote.Samples.Shop.Tests;

/// <summary>
/// WebApplicationFactory tests outside Development, as docs/testing.md sets them up: the session
/// cookie is Secure there, so the test client must speak https (or the policy must allow http).
/// Without either the cart silently came back empty (issue 14); now Tote logs why.
/// </summary>
public sealed class ProductionEnvironmentTests : IAsyncDisposable
{
    private readonly ShopFactory _shop = new();

    public ValueTask DisposeAsync() => _shop.DisposeAsync();

    [Fact]
    public async Task Production_WithAnHttpsBaseAddress_KeepsTheCartAcrossRequests()
    {
        // The setup docs/testing.md shows: Production, the memory driver, an https base address.
        using var app = _shop.WithWebHostBuilder(b => b.UseEnvironment("Production").UseSetting("Tote:Driver", "memory"));
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost") });

        (await client.PostAsJsonAsync("/api/cart", new { item = "apple" })).Dispose();
        (await client.PostAsJsonAsync("/api/cart", new { item = "pear" })).Dispose();

        Assert.Equal("""["apple","pear"]""", await client.GetStringAsync("/api/cart"));
    }

    [Fact]
    public async Task Production_WithSecurePolicySameAsRequest_KeepsTheCartOverPlainHttp()
    {
        using var app = _shop.WithWebHostBuilder(b => b.UseEnvironment("Production")
            .UseSetting("Tote:Driver", "memory")
            .UseSetting("Tote:Cookie:SecurePolicy", "SameAsRequest"));
        using var client = app.CreateClient();

        (await client.PostAsJsonAsync("/api/cart", new { item = "apple" })).Dispose();
        (await client.PostAsJsonAsync("/api/cart", new { item = "pear" })).Dispose();

        Assert.Equal("""["apple","pear"]""", await client.GetStringAsync("/api/cart"));
    }

    [Fact]
    public async Task Production_OverPlainHttp_LosesTheCookie_AndTheLogSaysWhy()
    {
        using var app = _shop.WithWebHostBuilder(b => b.UseEnvironment("Production")
            .UseSetting("Tote:Driver", "memory")
            .ConfigureTestServices(s => s.AddLogging(l => l.AddFakeLogging())));
        using var client = app.CreateClient();

        (await client.PostAsJsonAsync("/api/cart", new { item = "apple" })).Dispose();

        // The client dropped the Secure cookie, as a browser on http would.
        Assert.Equal("[]", await client.GetStringAsync("/api/cart"));
        var warning = Assert.Single(app.Services.GetFakeLogCollector().GetSnapshot(), r => r.Category == "Tote" && r.Id.Id == 40);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Tote:Cookie:SecurePolicy", warning.Message, StringComparison.Ordinal);
    }
}
