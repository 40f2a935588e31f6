using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Tote.PostgreSql.Tests.Servers;

/// <summary>
/// A throwaway PostgreSQL cluster: <c>initdb</c> into a temporary directory, then <c>pg_ctl</c>
/// on a free loopback port with trust authentication and no fsync. PostgreSQL refuses to run as
/// root, so as root both run as the <c>postgres</c> user the package creates. A test may stop it
/// and start it again on the same port with the same data.
/// </summary>
public sealed class PostgreSqlCluster : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string _data;
    private readonly int _port;

    private PostgreSqlCluster(string binaries)
    {
        Binaries = binaries;
        _directory = Directory.CreateTempSubdirectory("tote-pg-").FullName;

        // The server runs as postgres: it must be able to write here (data, socket, log).
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_directory, (UnixFileMode)0b111_111_111);
        }

        _data = Path.Combine(_directory, "data");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _port = ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The directory with initdb and pg_ctl (the newest <c>/usr/lib/postgresql/*/bin</c>), or null when PostgreSQL is not installed.</summary>
    public static string? FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        return installed ?? (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>The directory of the PostgreSQL programs.</summary>
    public string Binaries { get; }

    /// <summary>The Npgsql connection string, with short timeouts so a stopped server fails fast.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Timeout=3;Command Timeout=5");

    /// <summary>Creates and starts a cluster.</summary>
    public static async Task<PostgreSqlCluster> StartAsync(string binaries)
    {
        var cluster = new PostgreSqlCluster(binaries);
        try
        {
            await cluster.RunAsync("initdb", "-D", cluster._data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C");
            await cluster.StartAgainAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again) on the same port and data, and waits until it accepts connections.</summary>
    public Task StartAgainAsync() => RunAsync(
        "pg_ctl", "-D", _data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "30",
        "-o", string.Create(CultureInfo.InvariantCulture, $"-c listen_addresses=127.0.0.1 -p {_port} -k {_directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500"),
        "start");

    /// <summary>Stops the server (fast shutdown: connections are cut, data is kept).</summary>
    public Task StopAsync() => RunAsync("pg_ctl", "-D", _data, "-m", "fast", "-w", "stop");

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(_data, "postmaster.pid")))
            {
                await RunAsync("pg_ctl", "-D", _data, "-m", "immediate", "-w", "stop");
            }
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task RunAsync(string program, params string[] arguments)
    {
        // As root, through runuser: initdb and postgres refuse to run as root.
        var asRoot = Environment.UserName == "root";
        var start = new ProcessStartInfo(asRoot ? "runuser" : Path.Combine(Binaries, program))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asRoot)
        {
            foreach (var argument in new[] { "-u", "postgres", "--", Path.Combine(Binaries, program) })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(_directory, "server.log");
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}"
                + (File.Exists(log) ? "\n" + await File.ReadAllTextAsync(log) : string.Empty));
        }
    }
}
