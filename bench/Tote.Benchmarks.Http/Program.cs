using System.Text.Json;
using Tote;

// Routes, the same on every stack so that wrk compares them route for route:
//   GET  /plain           "ok", with no session machinery at all
//   GET  /nosession       "ok", session middleware on, the handler ignores the session
//   GET  /cart            the number of items in the session's "cart" list
//   POST /cart?item=X     appends X with a read and a write (Get + Set); answers the new count
// and on Tote only (users and devices, issue 17):
//   POST /login?user=U[&item=X]  signs the session in as U (a new ID, the user's index entry), then
//                         appends X to its cart if given (how the load script makes signed-in sessions); answers U
//   GET  /account/cart    as GET /cart, for a signed-in session; 403 when the session is not signed in
//   POST /account/cart?item=X  as POST /cart, for a signed-in session; 403 when it is not
var stack = Environment.GetEnvironmentVariable("BENCH_STACK") ?? "tote";
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);

switch (stack)
{
    case "tote":
        // The driver from Tote__Driver and its settings (Tote__Redis__Configuration,
        // Tote__Sqlite__ConnectionString, Tote__PostgreSql__ConnectionString); fs by default.
        builder.Services.AddTote().AddRedis().AddSqlite().AddPostgreSql();
        break;
    case "builtin":
        if (Environment.GetEnvironmentVariable("BENCH_REDIS") is { Length: > 0 } redis)
        {
            builder.Services.AddStackExchangeRedisCache(o => o.Configuration = redis);
        }
        else
        {
            builder.Services.AddDistributedMemoryCache();
        }

        builder.Services.AddSession();
        break;
    default:
        throw new InvalidOperationException($"BENCH_STACK must be 'tote' or 'builtin', not '{stack}'.");
}

var app = builder.Build();
app.MapGet("/plain", () => "ok");
app.UseWhen(context => !context.Request.Path.Equals("/plain", StringComparison.Ordinal), branch =>
{
    if (stack == "tote")
    {
        branch.UseTote();
    }
    else
    {
        branch.UseSession();
    }
});
app.MapGet("/nosession", () => "ok");

if (stack == "tote")
{
    // The handlers take HttpContext, as the built-in session's do, so that the two stacks differ
    // only in their session calls. (A Session parameter binds through minimal APIs' BindAsync
    // path, which costs about 1 µs a request more; see docs/where-sessions-work.md.)
    var cart = new SessionKey<List<string>>("cart");
    // The declared return type matters: an `async (HttpContext context) => expression` lambda also
    // converts to RequestDelegate, which MapGet prefers and which drops the result (an empty body).
    app.MapGet("/cart", async Task<string> (HttpContext context) => ((await context.GetSession().GetAsync(cart))?.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture));
    app.MapPost("/cart", async (HttpContext context, string item) =>
    {
        var session = context.GetSession();
        var items = await session.GetAsync(cart) ?? [];
        items.Add(item);
        session.Set(cart, items);
        return items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    });

    // Signed-in requests: the same work as /cart, on a session bound to a user. Asking who is
    // signed in reads the already loaded record (no store call); the 403 makes wrk count any
    // request whose session lost its binding as a bad response instead of timing it.
    app.MapPost("/login", async (HttpContext context, string user, string? item) =>
    {
        var session = context.GetSession();
        await session.SignInAsync(user);
        if (item is not null)
        {
            var items = await session.GetAsync(cart) ?? [];
            items.Add(item);
            session.Set(cart, items);
        }

        return user;
    });
    app.MapGet("/account/cart", async Task<string> (HttpContext context) =>
    {
        var session = context.GetSession();
        if (await session.GetUserIdAsync() is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return "not signed in";
        }

        return ((await session.GetAsync(cart))?.Count ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
    });
    app.MapPost("/account/cart", async (HttpContext context, string item) =>
    {
        var session = context.GetSession();
        if (await session.GetUserIdAsync() is null)
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return "not signed in";
        }

        var items = await session.GetAsync(cart) ?? [];
        items.Add(item);
        session.Set(cart, items);
        return items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    });
}
else
{
    // The built-in session's recommended use: load asynchronously, then read and write synchronously.
    app.MapGet("/cart", async (HttpContext context) =>
    {
        await context.Session.LoadAsync();
        return ReadCart(context.Session).Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    });
    app.MapPost("/cart", async (HttpContext context, string item) =>
    {
        await context.Session.LoadAsync();
        var items = ReadCart(context.Session);
        items.Add(item);
        context.Session.SetString("cart", JsonSerializer.Serialize(items));
        return items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    });
}

app.Run();

static List<string> ReadCart(ISession session)
    => session.GetString("cart") is { } json ? JsonSerializer.Deserialize<List<string>>(json) ?? [] : [];
