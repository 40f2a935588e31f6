using System.Text;
using Tote.Devalue;

namespace Tote.Testing.Tests.Conformance;

/// <summary>The hostile-record generator makes what it says: shapes that really sit under a session's key, and damage applied as described.</summary>
public sealed class HostileRecordTests
{
    public static TheoryData<string> Shapes => [.. Enum.GetNames<HostileRecords.Shape>()];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Wrap_SmallShape_IsASessionWhoseCartHoldsTheShapesValue(string shape)
    {
        var table = HostileRecords.Build(Enum.Parse<HostileRecords.Shape>(shape), 64);

        var session = Assert.IsType<DevalueMap>(DevalueSerializer.Deserialize(HostileRecords.Wrap(table)));

        var entry = Assert.IsType<OrderedDictionary<string, object?>>(session["cart"]);
        Assert.Equal(
            DevalueSerializer.Serialize(DevalueSerializer.Deserialize(table)),
            DevalueSerializer.Serialize(entry["data"]));
    }

    [Fact]
    public void Damage_TruncatesOverwritesInsertsOrReplaces_AtThePositionModuloTheLength()
    {
        var stored = "tote1 1 2 3\ndata"u8;

        Assert.Equal("tote1", Text(Record(HostileRecord.DamageKind.Truncate, 5).Damage(stored)));
        Assert.Equal("tote1 1 2 3\ndata", Text(Record(HostileRecord.DamageKind.Truncate, 16 + 17).Damage(stored)));
        Assert.Equal("tote1-1 2 3\ndata", Text(Record(HostileRecord.DamageKind.Overwrite, 5, "-").Damage(stored)));
        Assert.Equal("tote1 1 2 3\n\n\ndata", Text(Record(HostileRecord.DamageKind.Insert, 12, "\n\n").Damage(stored)));
        Assert.Equal("xyz", Text(Record(HostileRecord.DamageKind.Noise, 3, "xyz").Damage(stored)));
        Assert.Equal("tote1 1 2 3\ndata", Text(Record(HostileRecord.DamageKind.None, 3, "xyz").Damage(stored)));
    }

    [Fact]
    public void Text_OfInvalidUtf8AndNul_IsTheNearestText()
        => Assert.Equal("a\uFFFDb", HostileRecord.Text([(byte)'a', 0xFF, 0x00, (byte)'b']));

    private static HostileRecord Record(HostileRecord.DamageKind damage, int at, string bytes = "")
        => new("test", [], 0, 0, 1, damage, at, Encoding.UTF8.GetBytes(bytes));

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
