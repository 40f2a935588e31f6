using Tote.Tests.Shared;

namespace Tote.PostgreSql.Tests.Options;

/// <summary>docs/getting-started.md's option reference lists exactly the postgres driver's options, with their defaults.</summary>
public sealed class OptionsReferenceTests
{
    [Fact]
    public void GettingStarted_ListsEveryPostgreSqlOptionWithItsDefault()
        => OptionsReference.AssertListed(PostgreSqlSessionStoreOptions.SectionName, new PostgreSqlSessionStoreOptions());
}
