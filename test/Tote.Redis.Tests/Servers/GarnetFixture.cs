using System.Globalization;
using Garnet;

namespace Tote.Redis.Tests.Servers;

/// <summary>An in-process Garnet server with Lua enabled: what the tests use on a machine with no Redis.</summary>
public sealed class GarnetFixture : RedisFixture
{
    private GarnetServer? _server;

    /// <inheritdoc />
    public override ValueTask InitializeAsync()
    {
        var port = FreePort.Next();
        _server = new GarnetServer(["--bind", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--lua", "true", "--memory", "256m"]);
        _server.Start();
        Configuration = $"127.0.0.1:{port}";
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync()
    {
        _server?.Dispose();
        return base.DisposeAsync();
    }
}
