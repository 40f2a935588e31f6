namespace Tote.Samples.Shop;

/// <summary>The signed-in user, stored under <see cref="Keys.User"/>.</summary>
public sealed record User(string Id, string Name);
