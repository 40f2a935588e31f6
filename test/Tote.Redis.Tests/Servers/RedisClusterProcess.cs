using System.Diagnostics;
using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace Tote.Redis.Tests.Servers;

/// <summary>
/// A Redis Cluster of redis-server child processes a test owns (three primaries, each with one
/// replica, made by <c>redis-cli --cluster create</c>), so that it may kill a primary without
/// disturbing the tests that share the cluster eng/test.sh started.
/// </summary>
public sealed class RedisClusterProcess : IAsyncDisposable
{
    /// <summary>
    /// How long a node may be unreachable before the cluster counts it failed and a replica takes
    /// over: short, so that a failover takes seconds (Redis's default is 15 s).
    /// </summary>
    public static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(2);

    private readonly List<RedisServerProcess> _nodes;

    private RedisClusterProcess(List<RedisServerProcess> nodes)
    {
        _nodes = nodes;
    }

    /// <summary>Whether redis-server and redis-cli (which creates the cluster) are on the PATH.</summary>
    public static bool IsInstalled => RedisServerProcess.IsInstalled && Executables.Find("redis-cli") is not null;

    /// <summary>The StackExchange.Redis configuration string: every node.</summary>
    public string Configuration => string.Join(",", _nodes.Select(n => n.Configuration));

    /// <summary>Starts six nodes, makes them a cluster, and waits until every node sees it whole.</summary>
    public static async Task<RedisClusterProcess> StartAsync()
    {
        var nodes = new List<RedisServerProcess>();
        var cluster = new RedisClusterProcess(nodes);
        try
        {
            var timeout = ((int)NodeTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            for (var i = 0; i < 6; i++)
            {
                nodes.Add(await RedisServerProcess.StartOnAsync(
                    FreePort.NextForClusterNode(),
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", timeout));
            }

            await CreateAsync(nodes);
            await cluster.WaitUntilWholeAsync(primaries: 3, replicas: 3);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Kills the node listening on <paramref name="endPoint"/>, as a crash would.</summary>
    public Task KillAsync(EndPoint endPoint)
    {
        var port = endPoint switch
        {
            IPEndPoint ip => ip.Port,
            DnsEndPoint dns => dns.Port,
            _ => throw new ArgumentException($"Not a cluster node's address: {endPoint}.", nameof(endPoint)),
        };
        return _nodes.Single(n => n.Port == port).StopAsync();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }
    }

    private static async Task CreateAsync(List<RedisServerProcess> nodes)
    {
        var create = new ProcessStartInfo("redis-cli")
        {
            ArgumentList = { "--cluster", "create" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var node in nodes)
        {
            create.ArgumentList.Add(node.Configuration);
        }

        create.ArgumentList.Add("--cluster-replicas");
        create.ArgumentList.Add("1");
        create.ArgumentList.Add("--cluster-yes");
        using var process = Process.Start(create) ?? throw new InvalidOperationException("redis-cli did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(deadline.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli --cluster create failed ({process.ExitCode}): {await output}{await error}");
        }
    }

    // Replicas are announced over the cluster bus a moment after the create: wait (bounded) until
    // every node reports cluster_state:ok and knows every primary and replica.
    private async Task WaitUntilWholeAsync(int primaries, int replicas)
    {
        var options = ConfigurationOptions.Parse(Configuration);
        options.AllowAdmin = true;
        await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var last = string.Empty;
        while (!deadline.IsCancellationRequested)
        {
            var whole = true;
            foreach (var endPoint in connection.GetEndPoints())
            {
                var server = connection.GetServer(endPoint);
                var info = (string?)await server.ExecuteAsync("CLUSTER", "INFO") ?? string.Empty;
                var nodes = ((string?)await server.ExecuteAsync("CLUSTER", "NODES") ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var seenPrimaries = nodes.Count(n => n.Split(' ')[2].Contains("master", StringComparison.Ordinal) && n.Split(' ').Length > 8);
                var seenReplicas = nodes.Count(n => n.Split(' ')[2].Contains("slave", StringComparison.Ordinal));
                if (!info.Contains("cluster_state:ok", StringComparison.Ordinal) || seenPrimaries != primaries || seenReplicas != replicas)
                {
                    whole = false;
                    last = $"{endPoint}: {info.Split('\n')[0].Trim()}, {seenPrimaries} primaries with slots, {seenReplicas} replicas";
                    break;
                }
            }

            if (whole)
            {
                return;
            }

            await Task.Delay(100, CancellationToken.None);
        }

        throw new TimeoutException($"The Redis Cluster was not whole 30 s after redis-cli --cluster create: {last}.");
    }
}
