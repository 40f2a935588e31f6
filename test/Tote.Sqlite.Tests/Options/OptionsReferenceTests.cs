using Tote.Tests.Shared;

namespace Tote.Sqlite.Tests.Options;

/// <summary>docs/getting-started.md's option reference lists exactly the sqlite driver's options, with their defaults.</summary>
public sealed class OptionsReferenceTests
{
    [Fact]
    public void GettingStarted_ListsEverySqliteOptionWithItsDefault()
        => OptionsReference.AssertListed(SqliteSessionStoreOptions.SectionName, new SqliteSessionStoreOptions());
}
