using System.Text.Json.Serialization;

namespace Tote.Devalue.Tests.Typed;

public enum Color
{
    Red,
    Green,
}

[JsonConverter(typeof(JsonStringEnumConverter))]
public enum Status
{
    Active,
    Suspended,
}

public sealed record CartItem(string Sku, int Quantity, decimal Price);

public sealed record User(string Id, string Name, DateTimeOffset SignedInAt);

public sealed class Cart
{
    public List<CartItem> Items { get; set; } = [];

    public User? Owner { get; set; }

    public HashSet<string> Tags { get; set; } = [];
}

public sealed class Annotated
{
    [JsonPropertyName("x-renamed")]
    public string? Renamed { get; set; }

    [JsonIgnore]
    public string? Secret { get; set; }

    public int Kept { get; init; }
}

public sealed class WithConstructor
{
    [JsonConstructor]
    public WithConstructor(string name, int count)
    {
        Name = name;
        Count = count;
    }

    public string Name { get; }

    public int Count { get; }
}

public sealed class Node
{
    public string? Name { get; set; }

    public Node? Next { get; set; }

    public List<Node> Children { get; set; } = [];
}

public sealed class CallbackHolder
{
    public Func<int>? Callback { get; set; }
}

public sealed record Wrapper<T>(T Value);

public sealed class Positive
{
    [System.Text.Json.Serialization.JsonConstructor]
    public Positive(int value) => Value = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Must be positive.");

    public int Value { get; }
}

public sealed class Order
{
    public List<OrderLine> Lines { get; set; } = [];

    public Dictionary<string, object?> Notes { get; set; } = [];
}

public sealed class OrderLine
{
    public string Sku { get; set; } = "";

    public object? Attachment { get; set; }
}
