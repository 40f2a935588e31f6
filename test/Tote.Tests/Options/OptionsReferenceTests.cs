using Tote.Drivers;
using Tote.Tests.Shared;
using Tote.Users;

namespace Tote.Tests.Options;

/// <summary>docs/getting-started.md's option reference lists exactly the core's options, with their defaults.</summary>
public sealed class OptionsReferenceTests
{
    [Fact]
    public void GettingStarted_ListsEveryToteAndCookieOptionWithItsDefault()
        => OptionsReference.AssertListed(ToteOptions.SectionName, new ToteOptions());

    [Fact]
    public void GettingStarted_ListsEveryFileSystemOptionWithItsDefault()
        => OptionsReference.AssertListed(FileSessionStoreOptions.SectionName, new FileSessionStoreOptions());

    [Fact]
    public void GettingStarted_ListsEveryMemoryOptionWithItsDefault()
        => OptionsReference.AssertListed(MemorySessionStoreOptions.SectionName, new MemorySessionStoreOptions());

    [Fact]
    public void GettingStarted_ListsEveryUsersOptionWithItsDefault()
        => OptionsReference.AssertListed(ToteUsersOptions.SectionName, new ToteUsersOptions());
}
