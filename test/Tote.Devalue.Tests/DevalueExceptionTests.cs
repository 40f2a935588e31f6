using Tote.Devalue.Tests.Typed;

namespace Tote.Devalue.Tests;

/// <summary>
/// The messages a .NET developer reads: C# type names and member paths. <c>Reason</c> and
/// <c>Path</c> keep devalue's wording and paths for code that compares errors.
/// </summary>
public sealed class DevalueExceptionTests
{
    private const string PlainData = "Plain data is records, classes with public properties, collections, strings, numbers and dates.";

    [Fact]
    public void Message_ValueThatIsNotPlainData_NamesTheCSharpTypeAndMemberPath()
    {
        var order = new Order { Lines = [new() { Sku = "a" }, new() { Sku = "b" }, new() { Sku = "c", Attachment = new MemoryStream() }] };

        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize(order));

        Assert.Equal(
            $"The value at Lines[2].Attachment (OrderLine.Attachment) is a System.IO.MemoryStream, which is not plain data. Store the data it holds instead. {PlainData}",
            ex.Message);
        Assert.Equal("Cannot stringify arbitrary non-POJOs", ex.Reason);
        Assert.Equal(".lines[2].attachment", ex.Path);
    }

    [Fact]
    public void Message_MemberOfTheValueItself_IsTypeDotMember()
    {
        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize(new CallbackHolder { Callback = () => 1 }));

        Assert.Equal("CallbackHolder.Callback is a delegate (System.Func<int>), which is not plain data. Store data, not delegates or lambdas.", ex.Message);
    }

    [Fact]
    public void Message_TheValueItself_SaysTheValue()
    {
        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize(Task.FromResult(1)));

        Assert.Equal("The value is a System.Threading.Tasks.Task<int>, which is not plain data. Await it and store its result.", ex.Message);
        Assert.Equal(string.Empty, ex.Path);
    }

    [Fact]
    public void Message_DictionaryEntry_IsAnIndexer()
    {
        var order = new Order { Notes = { ["gift"] = new InvalidOperationException("boom") } };

        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize(order));

        Assert.StartsWith("The value at Notes[\"gift\"] is a System.InvalidOperationException, which is not plain data.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(".notes.gift", ex.Path);
    }

    [Fact]
    public void Message_NeverSpeaksJavaScript()
    {
        object?[] values = [new object(), new List<object?> { 1, new MemoryStream() }, new Wrapper<Action>(() => { }), new Dictionary<string, int> { ["__proto__"] = 1 }];

        foreach (var value in values)
        {
            var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize(value));

            Assert.DoesNotContain("POJO", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("stringify", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Promise", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Message_ReadingTheWrongType_NamesTheMemberPath()
    {
        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Deserialize<List<CartItem>>("[[1],{\"sku\":2,\"quantity\":3,\"price\":3},\"a\",\"many\"]"));

        Assert.Equal("Cannot read a string as int. At [0].Quantity (CartItem.Quantity).", ex.Message);
        Assert.Equal("[0].quantity", ex.Path);
    }

    [Fact]
    public void Message_ItemOfASet_SaysAnItemOf()
    {
        var ex = Assert.Throws<DevalueException>(() => DevalueSerializer.Serialize(new Wrapper<HashSet<object>>([new MemoryStream()])));

        Assert.StartsWith("An item of Wrapper<HashSet<object>>.Value is a System.IO.MemoryStream, which is not plain data.", ex.Message, StringComparison.Ordinal);
        Assert.Equal(".value", ex.Path);
    }
}
