using System.Text.RegularExpressions;
using CsCheck;
using Tote.Cookies;

namespace Tote.Tests.Cookies;

public sealed partial class SessionIdsTests
{
    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex UuidV4();

    [Fact]
    public void New_IsLowercaseUuidV4AndWellFormed()
    {
        for (var i = 0; i < 1000; i++)
        {
            var id = SessionIds.New();
            Assert.Matches(UuidV4(), id);
            Assert.True(SessionIds.IsWellFormed(id));
        }
    }

    [Fact]
    public void New_NeverRepeats()
    {
        var ids = Enumerable.Range(0, 10_000).Select(_ => SessionIds.New()).ToHashSet();
        Assert.Equal(10_000, ids.Count);
    }

    [Fact]
    public void IsWellFormed_AnyString_AgreesWithTheUuidV4Pattern()
    {
        Gen.String["0123456789abcdefABCDEF-4x"].Sample(text =>
            Assert.Equal(UuidV4().IsMatch(text) && text.Length == 36, SessionIds.IsWellFormed(text)));
    }

    [Fact]
    public void IsWellFormed_MutatedId_IsRejected()
    {
        Gen.Select(Gen.Int[0, 35], Gen.Char["GZ-4 {"]).Sample((position, replacement) =>
        {
            var id = SessionIds.New().ToCharArray();
            var original = id[position];
            id[position] = replacement;
            var text = new string(id);
            Assert.Equal(UuidV4().IsMatch(text), SessionIds.IsWellFormed(text));
            Assert.True(original != replacement || SessionIds.IsWellFormed(text));
        });
    }
}
