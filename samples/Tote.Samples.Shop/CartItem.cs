namespace Tote.Samples.Shop;

/// <summary>The body of <c>POST /api/cart</c>.</summary>
public sealed record CartItem(string? Item);
