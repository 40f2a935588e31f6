namespace Tote.Redis.Tests.Servers;

/// <summary>
/// A real redis-server: the one eng/test.sh started (its address in <c>TOTE_TEST_REDIS</c>), or
/// else one this fixture starts from <c>redis-server</c> on the PATH. With neither, the tests that
/// use it report themselves skipped, saying so.
/// </summary>
public sealed class RedisServerFixture : RedisFixture
{
    /// <summary>The environment variable eng/test.sh sets to the address of the server it started.</summary>
    public const string Variable = "TOTE_TEST_REDIS";

    private RedisServerProcess? _process;

    /// <inheritdoc />
    public override async ValueTask InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } configured)
        {
            Configuration = configured;
            return;
        }

        if (!RedisServerProcess.IsInstalled)
        {
            Unavailable = $"No real Redis: {Variable} is not set and redis-server is not on the PATH (eng/test.sh installs and starts one).";
            return;
        }

        _process = await RedisServerProcess.StartAsync();
        Configuration = _process.Configuration;
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        await base.DisposeAsync();
    }
}
