using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tote.Tests;

/// <summary>The endpoints most pipeline tests drive: one small action per route.</summary>
internal static class SessionApi
{
    public static readonly SessionKey<List<string>> Cart = new("cart");

    public static void Map(WebApplication app)
    {
        app.MapGet("/untouched", () => "ok");
        app.MapGet("/id", (Session session) => session.Id ?? "(none)");
        app.MapGet("/get/{key}", async (Session session, string key) => await session.GetAsync<string>(key) ?? "(null)");
        app.MapGet("/get-then-id/{key}", async (Session session, string key) =>
        {
            var value = await session.GetAsync<string>(key);
            return $"{value ?? "(null)"}|{session.Id ?? "(none)"}";
        });
        app.MapPost("/set/{key}/{value}", (Session session, string key, string value) =>
        {
            session.Set(key, value);
            return session.Id ?? "(none)";
        });
        app.MapPost("/set-ttl/{key}/{value}/{seconds:int}", (Session session, string key, string value, int seconds) =>
        {
            session.Set(key, value, TimeSpan.FromSeconds(seconds));
            return "ok";
        });
        app.MapPost("/delete/{key}", (Session session, string key) =>
        {
            session.Delete(key);
            return "ok";
        });
        app.MapGet("/cart", async (Session session) => string.Join(",", await session.GetAsync(Cart) ?? []));
        app.MapPost("/cart/{item}", async (Session session, string item) =>
        {
            var cart = await session.GetAsync(Cart) ?? [];
            cart.Add(item);
            session.Set(Cart, cart);
            return string.Join(",", cart);
        });
        app.MapPost("/cart/append/{item}", async (Session session, string item) =>
        {
            var cart = await session.UpdateAsync(Cart, current => [.. current ?? [], item]);
            return string.Join(",", cart);
        });
        app.MapPost("/destroy", (Session session) =>
        {
            session.Destroy();
            return "ok";
        });
        app.MapPost("/regenerate", async (Session session) =>
        {
            await session.RegenerateAsync();
            return session.Id;
        });
        app.MapGet("/keys", async (Session session) => string.Join(",", await session.KeysAsync()));
        app.MapPost("/load/{id}", async (Session session, string id) => await session.LoadAsync(id) ? session.Id : "(false)");
    }

    /// <summary>Reads a response body, for terse assertions.</summary>
    public static async Task<string> BodyAsync(this Task<HttpResponseMessage> response)
    {
        using var message = await response;
        return await message.Content.ReadAsStringAsync();
    }
}
