using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Tote.Testing;

namespace Tote.Samples.Shop.Tests;

/// <summary>
/// The sample shop as it runs from <c>dotnet run</c> (its own Program, the fs driver by default),
/// with its session files in a fresh temporary directory, plus any settings a test adds.
/// </summary>
public sealed class ShopFactory : WebApplicationFactory<Program>
{
    private readonly TempDirectory _sessions = new();

    /// <summary>Configuration a test sets, as environment variables or appsettings would (<c>Tote:Driver</c>).</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    /// <summary>A clock to replace the system's, or <see langword="null"/> to keep it.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Where the fs driver keeps this shop's sessions.</summary>
    public string SessionsPath => _sessions.Path;

    /// <summary>The database file of the sqlite driver, when a test chooses it (<c>Tote:Driver = sqlite</c>).</summary>
    public string SqlitePath => Path.Combine(_sessions.Path, "sessions.db");

    /// <summary>A client that keeps cookies, as a browser does, and does not follow redirects.</summary>
    public ShopClient CreateShopClient()
        => new(CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true }));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Tote:FileSystem:Path", _sessions.Path);
        builder.UseSetting("Tote:Sqlite:ConnectionString", "Data Source=" + SqlitePath);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Critical");
        if (Clock is not null)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(Clock));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _sessions.Dispose();
    }
}
