using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Tote.Redis.Tests.Servers;
using Tote.Testing;

namespace Tote.Redis.Tests.Interop;

/// <summary>
/// One real redis-server shared by three apps: the Astro app (unstorage's redis driver, base
/// <c>sess</c>), the Tote sample shop (<c>Tote:Driver=redis</c>, <c>KeyPrefix=sess:</c>, by
/// configuration alone) and a small Tote app for values the shop does not keep. All use the cookie
/// <c>tote-session</c> and the real clock, as apps sharing a store in production do.
/// </summary>
public sealed class AstroInteropFixture : IAsyncLifetime
{
    public const string KeyPrefix = "sess:";

    private readonly RedisServerFixture _redis = new();
    private ShopFactory? _shop;

    /// <summary>Why the interop tests cannot run here, or <see langword="null"/>.</summary>
    public string? Unavailable { get; private set; }

    public AstroApp Astro { get; private set; } = null!;

    public HttpClient Shop { get; private set; } = null!;

    public ToteTestHost Tote { get; private set; } = null!;

    public string RedisConfiguration => _redis.Configuration!;

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        Unavailable = _redis.Unavailable ?? AstroApp.Unavailable;
        if (Unavailable is not null)
        {
            return;
        }

        Astro = await AstroApp.StartAsync("redis://" + _redis.Configuration, TestContext.Current.CancellationToken);
        _shop = new ShopFactory(_redis.Configuration!);
        Shop = _shop.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });
        Tote = await ToteTestHost.StartAsync(TypesApp.Map, o =>
        {
            o.Driver = b => b.UseRedis(_redis.Configuration!, r => r.KeyPrefix = KeyPrefix);
            o.Services = s => s.AddSingleton(TimeProvider.System);
        });
    }

    public async ValueTask DisposeAsync()
    {
        Shop?.Dispose();
        if (_shop is not null)
        {
            await _shop.DisposeAsync();
        }

        if (Tote is not null)
        {
            await Tote.DisposeAsync();
        }

        if (Astro is not null)
        {
            await Astro.DisposeAsync();
        }

        await _redis.DisposeAsync();
    }

    /// <summary>The sample shop on the shared Redis, chosen by configuration alone.</summary>
    private sealed class ShopFactory(string redis) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Tote:Driver", "redis");
            builder.UseSetting("Tote:Redis:Configuration", redis);
            builder.UseSetting("Tote:Redis:KeyPrefix", KeyPrefix);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        }
    }
}
