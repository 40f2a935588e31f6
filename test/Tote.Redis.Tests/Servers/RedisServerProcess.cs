using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace Tote.Redis.Tests.Servers;

/// <summary>
/// A redis-server child process on a free loopback port with a temporary directory and no
/// persistence, which a test may stop and start again on the same port.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tote-redis-").FullName;
    private readonly int _port;
    private readonly string[] _arguments;
    private Process? _process;

    private RedisServerProcess(int port, string[] arguments)
    {
        _port = port;
        _arguments = arguments;
    }

    /// <summary>Whether redis-server is on the PATH.</summary>
    public static bool IsInstalled => Executables.Find("redis-server") is not null;

    /// <summary>The port the server listens on (on 127.0.0.1).</summary>
    public int Port => _port;

    /// <summary>The StackExchange.Redis configuration string.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_port}");

    /// <summary>Starts a server.</summary>
    /// <param name="arguments">More redis-server options, such as <c>--replicaof host port</c>.</param>
    public static Task<RedisServerProcess> StartAsync(params string[] arguments) => StartOnAsync(FreePort.Next(), arguments);

    /// <summary>Starts a server on <paramref name="port"/>.</summary>
    /// <param name="port">A free port (for a cluster node, one whose bus port, + 10000, is free too).</param>
    /// <param name="arguments">More redis-server options.</param>
    public static async Task<RedisServerProcess> StartOnAsync(int port, params string[] arguments)
    {
        var server = new RedisServerProcess(port, arguments);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts the server (again) on the same port, and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", _port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory, "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in _arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", _port, deadline.Token);
                return;
            }
            catch (SocketException) when (!deadline.IsCancellationRequested && !_process.HasExited)
            {
                await Task.Delay(50, deadline.Token);
            }
        }
    }

    /// <summary>Stops the server abruptly, as a crash would, and waits for it to be gone.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }
}
