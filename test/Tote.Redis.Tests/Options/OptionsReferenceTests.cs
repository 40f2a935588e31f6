using Tote.Tests.Shared;

namespace Tote.Redis.Tests.Options;

/// <summary>docs/getting-started.md's option reference lists exactly the redis driver's options, with their defaults.</summary>
public sealed class OptionsReferenceTests
{
    [Fact]
    public void GettingStarted_ListsEveryRedisOptionWithItsDefault()
        => OptionsReference.AssertListed(RedisSessionStoreOptions.SectionName, new RedisSessionStoreOptions());
}
