namespace Tote.Samples.Shop;

/// <summary>What the shop sells: a product ID and the name shown on the page.</summary>
internal static class Products
{
    public static readonly IReadOnlyList<(string Id, string Name)> All =
    [
        ("apple", "Apple"),
        ("pear", "Pear"),
        ("fig", "Fig"),
    ];

    public const int MaxIdLength = 64;

    /// <summary>Why <paramref name="productId"/> cannot go in the cart, or <see langword="null"/> when it can.</summary>
    public static string? Validate(string? productId) => productId switch
    {
        null or "" => "Product ID is required",
        { Length: > MaxIdLength } => $"Product ID must be at most {MaxIdLength} characters",
        _ => null,
    };
}
