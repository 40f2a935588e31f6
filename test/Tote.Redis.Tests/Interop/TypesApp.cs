using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tote.Redis.Tests.Interop;

/// <summary>
/// Endpoints of a Tote app that writes and reads the values the Astro app does: a cart, a Date,
/// a Set, a Map with number keys and a URL.
/// </summary>
internal static class TypesApp
{
    public static readonly DateTimeOffset When = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    public static void Map(WebApplication app)
    {
        app.MapPost("/types", (Session session) =>
        {
            session.Set("cart", new List<string> { "tote-a", "tote-b" });
            session.Set("when", When);
            session.Set("tags", new HashSet<string> { "fast", "shared" });
            session.Set("prices", new Dictionary<int, string> { [1] = "one", [2] = "two" });
            session.Set("home", new Uri("https://shop.example/cart?from=astro"));
            return "ok";
        });
        app.MapGet("/types", async (Session session) => Results.Json(new
        {
            cart = await session.GetAsync<List<string>>("cart"),
            when = await session.GetAsync<DateTimeOffset?>("when"),
            tags = await session.GetAsync<HashSet<string>>("tags"),
            prices = await session.GetAsync<Dictionary<int, string>>("prices"),
            home = await session.GetAsync<Uri>("home"),
        }));
        app.MapPost("/destroy", (Session session) =>
        {
            session.Destroy();
            return "ok";
        });
    }
}
