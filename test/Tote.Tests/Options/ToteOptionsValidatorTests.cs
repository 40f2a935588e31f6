using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Tote.Testing;

namespace Tote.Tests.Options;

public sealed class ToteOptionsValidatorTests
{
    [Fact]
    public async Task Startup_WithInvalidOptions_FailsListingEveryError()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ToteTestHost.StartAsync(SessionApi.Map, o => o.Tote = t =>
        {
            t.IdleTimeout = TimeSpan.Zero;
            t.AbsoluteTimeout = TimeSpan.FromHours(-1);
            t.StoreFailureStatusCode = 200;
            t.Cookie.Path = "shop";
            t.Cookie.Name = "bad name";
            t.Driver = "nope";
        }));

        Assert.Equal(6, error.Failures.Count());
        foreach (var setting in new[] { "IdleTimeout", "AbsoluteTimeout", "StoreFailureStatusCode", "Cookie:Path", "Cookie:Name", "Driver 'nope'" })
        {
            Assert.Contains(setting, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Startup_WithADriverPackageNamedInConfigurationButNotRegistered_FailsNamingTheRegisteredDriversAndTheFix()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ToteTestHost.StartAsync(SessionApi.Map, o => o.Configuration["Tote:Driver"] = "redis"));

        // The exact line docs/getting-started.md quotes.
        Assert.Contains(
            "Tote:Driver 'redis' is not a registered driver. Registered: distributed-cache, fs, memory. Install and register the driver's package (for example AddTote().UseRedis(…)).",
            error.Message,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Startup_WithInvalidMemoryOptions_Fails()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ToteTestHost.StartAsync(SessionApi.Map, o => o.Driver = b => b.UseMemory(m =>
        {
            m.MaxSessions = 0;
            m.MaxBytes = -1;
        })));

        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public async Task Startup_WithNonPositiveFileSystemMaxSessions_FailsNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ToteTestHost.StartAsync(SessionApi.Map, o =>
        {
            o.Configuration["Tote:Driver"] = "fs";
            o.Configuration["Tote:FileSystem:MaxSessions"] = "0";
        }));

        Assert.Equal("Tote:FileSystem:MaxSessions must be positive; it is 0.", Assert.Single(error.Failures));
    }

    [Fact]
    public void FileSystemMaxSessions_DefaultsToAHundredThousand()
        => Assert.Equal(100_000, new Tote.Drivers.FileSessionStoreOptions().MaxSessions);

    [Fact]
    public async Task Options_BindFromToteConfigurationSection()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o =>
        {
            o.Configuration["Tote:Driver"] = "memory";
            o.Configuration["Tote:IdleTimeout"] = "00:30:00";
            o.Configuration["Tote:AbsoluteTimeout"] = "2.00:00:00";
            o.Configuration["Tote:DefaultKeyTtl"] = "00:05:00";
            o.Configuration["Tote:Cookie:Name"] = "astro-session";
            o.Configuration["Tote:Cookie:SameSite"] = "Strict";
            o.Configuration["Tote:Cookie:MaxAge"] = "1.00:00:00";
            o.Configuration["Tote:Memory:MaxSessions"] = "10";
        });

        var options = host.Services.GetRequiredService<IOptions<ToteOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(30), options.IdleTimeout);
        Assert.Equal(TimeSpan.FromDays(2), options.AbsoluteTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), options.DefaultKeyTtl);
        Assert.Equal("astro-session", options.Cookie.Name);
        Assert.Equal(Microsoft.AspNetCore.Http.SameSiteMode.Strict, options.Cookie.SameSite);
        Assert.Equal(TimeSpan.FromDays(1), options.Cookie.MaxAge);
        Assert.Equal(10, host.Services.GetRequiredService<IOptions<Tote.Drivers.MemorySessionStoreOptions>>().Value.MaxSessions);
    }

    [Fact]
    public async Task Options_CodeWinsOverConfiguration()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o =>
        {
            o.Configuration["Tote:IdleTimeout"] = "00:30:00";
            o.Tote = t => t.IdleTimeout = TimeSpan.FromMinutes(10);
        });

        Assert.Equal(TimeSpan.FromMinutes(10), host.Services.GetRequiredService<IOptions<ToteOptions>>().Value.IdleTimeout);
    }

    [Fact]
    public void Defaults_MatchTheDesign()
    {
        var options = new ToteOptions();

        Assert.Null(options.Driver);
        Assert.Equal(TimeSpan.FromHours(1), options.IdleTimeout);
        Assert.Equal(TimeSpan.FromHours(24), options.AbsoluteTimeout);
        Assert.Null(options.DefaultKeyTtl);
        Assert.Equal("tote-session", options.Cookie.Name);
        Assert.Equal("/", options.Cookie.Path);
        Assert.Equal(Microsoft.AspNetCore.Http.SameSiteMode.Lax, options.Cookie.SameSite);
        Assert.Null(options.Cookie.MaxAge);
        Assert.Equal(503, options.StoreFailureStatusCode);
        Assert.False(options.SaveOnUnhandledException);
    }
}
