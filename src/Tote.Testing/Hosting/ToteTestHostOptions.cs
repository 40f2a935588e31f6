using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Tote.Testing;

/// <summary>What <see cref="ToteTestHost"/> builds: Tote's options, driver, extra services and middleware.</summary>
public sealed class ToteTestHostOptions
{
    /// <summary>Sets Tote's options in code.</summary>
    public Action<ToteOptions>? Tote { get; set; }

    /// <summary>Chooses the driver in code; by default none, so <c>Tote:Driver</c> in <see cref="Configuration"/> decides.</summary>
    public Action<IToteBuilder>? Driver { get; set; }

    /// <summary>Adds or replaces services.</summary>
    public Action<IServiceCollection>? Services { get; set; }

    /// <summary>Middleware that runs before <c>UseTote</c> (an exception handler, a probe).</summary>
    public Action<WebApplication>? BeforeTote { get; set; }

    /// <summary>
    /// Configuration entries, as appsettings.json would give them (<c>Tote:IdleTimeout</c>).
    /// Starts with <c>Tote:Driver = memory</c>, so tests use the memory driver unless they choose
    /// another; remove the entry to get Tote's own default (<c>fs</c>).
    /// </summary>
    public Dictionary<string, string?> Configuration { get; } = new() { ["Tote:Driver"] = "memory" };

    /// <summary>The hosting environment name.</summary>
    /// <value>Defaults to Production.</value>
    public string Environment { get; set; } = "Production";

    /// <summary>Whether to serve over Kestrel on 127.0.0.1 (a real socket) instead of TestServer.</summary>
    /// <value>Defaults to <see langword="false"/>.</value>
    public bool UseKestrel { get; set; }

    /// <summary>Whether to call <c>AddTote</c>.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool AddTote { get; set; } = true;

    /// <summary>Whether to call <c>UseTote</c>.</summary>
    /// <value>Defaults to <see langword="true"/>.</value>
    public bool UseTote { get; set; } = true;
}
