using Tote.Devalue;
using Tote.Serialization;

namespace Tote.Tests.Serialization;

public sealed class SessionRecordFormatTests
{
    [Fact]
    public void Write_CartExample_IsByteForByteAstro()
    {
        var entries = new OrderedDictionary<string, SessionEntry>
        {
            ["cart"] = SessionEntry.FromText(DevalueSerializer.Serialize(new List<string> { "a", "b" }), expires: null),
        };

        Assert.Equal("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""", SessionRecordFormat.Write(entries));
    }

    [Fact]
    public void Write_OfAStringWithLoneSurrogates_EncodesToStrictUtf8AndReadsBackTheSameString()
    {
        // devalue (and so Astro) writes lone surrogates raw; the record escapes them, or storing
        // it as UTF-8 would fail on every save of the session.
        const string value = "\ud800abc\udfff";
        var entries = new OrderedDictionary<string, SessionEntry>
        {
            ["note"] = SessionEntry.FromText(DevalueSerializer.Serialize(value), expires: null),
        };

        var record = SessionRecordFormat.Write(entries);

        Assert.Equal("""[["Map",1,2],"note",{"data":3,"expires":-1},"\ud800abc\udfff"]""", record);
        var stored = new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetBytes(record);
        Assert.Equal(value, SessionRecordFormat.Read(System.Text.Encoding.UTF8.GetString(stored))["note"].Read<string>());
    }

    [Theory]
    [InlineData("""[["Map",1,2],"cart",{"data":3,"expires":-1},[4,5],"a","b"]""")]
    [InlineData("""[["Map",1,2,6,7],"user",{"data":3,"expires":-1},{"name":4,"admin":5},"Ada",true,"flash",{"data":8,"expires":9},"Saved!",1767225600000]""")]
    [InlineData("""[["Map",1,2],"home",{"data":3,"expires":-1},["URL",4],"https://example.com/a?b=1"]""")]
    [InlineData("""[["Map",1,2],"seen",{"data":3,"expires":-1},["Date","2026-01-01T12:00:00.000Z"]]""")]
    [InlineData("""[["Map"]]""")]
    [InlineData("""[["Map",1,2,5,6],"a",{"data":3,"expires":-1},[4],"x","b",{"data":3,"expires":-1}]""")]
    public void ReadThenWrite_AstroRecord_RoundTripsExactly(string astro)
    {
        Assert.Equal(astro, SessionRecordFormat.Write(SessionRecordFormat.Read(astro)));
    }

    [Fact]
    public void Read_AstroRecord_GivesEachKeyItsValueAndExpiry()
    {
        var entries = SessionRecordFormat.Read("""[["Map",1,2,6,7],"user",{"data":3,"expires":-1},{"name":4,"admin":5},"Ada",true,"flash",{"data":8,"expires":9},"Saved!",1767225600000]""");

        Assert.Equal(["user", "flash"], entries.Keys);
        Assert.Null(entries["user"].Expires);
        Assert.Equal(1767225600000d, entries["flash"].Expires);
        Assert.Equal("Saved!", entries["flash"].Read<string>());
        Assert.Equal(new Dictionary<string, object?> { ["name"] = "Ada", ["admin"] = true }, entries["user"].Read<Dictionary<string, object?>>());
    }

    [Theory]
    [InlineData("""[["Map",1,2],"s",{"data":3,"expires":-1},["Set",4,4],"x"]""")]
    [InlineData("""[["Map",1,2,5,6,7,8],"a",{"data":3,"expires":-1},[4],"x","b",{"data":3,"expires":-1},"s",{"data":9,"expires":-1},["Set",4,4]]""")]
    [InlineData("""[["Map",1,2],"o",{"data":3,"expires":-1},{"b":4,"1":4},"x"]""")]
    public void ReadThenWrite_RecordDevalueWouldNormalize_WritesWhatDevalueWritesForItsValue(string text)
    {
        var normalized = DevalueSerializer.Serialize(DevalueSerializer.Deserialize(text));

        Assert.NotEqual(text, normalized);
        Assert.Equal(normalized, SessionRecordFormat.Write(SessionRecordFormat.Read(text)));
    }

    [Theory]
    [InlineData("{not devalue")]
    [InlineData("""[["Map",1,2],"cart",{"data":3,"expires":-1},[9]]""")]
    [InlineData("""["just a string"]""")]
    [InlineData("""[{"cart":1},[]]""")]
    [InlineData("""[["Map",1,2],"cart",5]""")]
    [InlineData("""[["Map",1,2],"cart",{"value":3},1]""")]
    [InlineData("""[["Map",1,2],"cart",{"data":3,"expires":4},1,"soon"]""")]
    [InlineData("""[["Map",1,2],7,{"data":3,"expires":-1},1]""")]
    public void Read_NotAnAstroRecord_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => SessionRecordFormat.Read(text));
    }
}
