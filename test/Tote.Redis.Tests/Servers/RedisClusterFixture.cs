namespace Tote.Redis.Tests.Servers;

/// <summary>
/// A real Redis Cluster (three primaries, each with one replica): the one eng/test.sh started, its
/// primaries in <c>TOTE_TEST_REDIS_CLUSTER</c> (<c>127.0.0.1:port,…</c>). When it is not set, the
/// tests that use it report themselves skipped, saying so. Tests use random session IDs, so they
/// run in parallel against one cluster; what kills a node starts its own (<see cref="RedisClusterProcess"/>).
/// The user index's cluster tests (listing and revoking a user's sessions spread over primaries)
/// take this fixture too.
/// </summary>
public sealed class RedisClusterFixture : RedisFixture
{
    /// <summary>The environment variable eng/test.sh sets to the cluster's primaries.</summary>
    public const string Variable = "TOTE_TEST_REDIS_CLUSTER";

    /// <inheritdoc />
    public override ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            Configuration = configured;
        }
        else
        {
            Unavailable = $"No Redis Cluster: {Variable} is not set (eng/test.sh starts one with eng/services.sh; or run 'bash eng/services.sh start && source artifacts/services.env').";
        }

        return ValueTask.CompletedTask;
    }
}
