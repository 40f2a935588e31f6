// The app the docs' snippets live in: its typed keys, records and handlers, the sample's Razor Page
// and controller (for snippets that show one of their members), and the store of a third-party
// driver (for the pages on testing a driver). A snippet that declares a type of the same name
// uses its own and this one is left out. Compiled, never run: the stand-ins only throw.

public static class Keys
{
    public static readonly SessionKey<List<string>> Cart = new("cart");
    public static readonly SessionKey<User> User = new("user");
    public static readonly SessionKey<DateTimeOffset> LastVisit = new("lastVisit");
    public static readonly SessionKey<int> Visits = new("visits");
}

public sealed record User(string Id, string Name);

public sealed record CartItem(string Item);

// docs/testing.md's handler. Its own key, not Keys.Cart: a model type never uses another's
// members, so that a snippet may replace any of them (a Keys of its own without Cart).
public static class CartHandlers
{
    private static readonly SessionKey<List<string>> Cart = new("cart");

    public static async Task<List<string>> AddAsync(Session session, string item)
    {
        var cart = await session.GetAsync(Cart) ?? [];
        cart.Add(item);
        session.Set(Cart, cart);
        return cart;
    }
}

public sealed partial class IndexModel : PageModel
{
    public IReadOnlyList<string> Cart { get; private set; } = [];

    public User? SignedInUser { get; private set; }
}

[Route("mvc/cart")]
public sealed partial class CartController : Controller;

public sealed class MyStore : ISessionStore
{
    public MyStore(TimeProvider time) => _ = time;

    public MyStore(string connectionString, TimeProvider time) => _ = (connectionString, time);

    public ValueTask OverwriteRawAsync(string id, string raw) => throw new NotSupportedException();

    public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();
}

public static class MyServer
{
    public static string ConnectionString => throw new NotSupportedException();

    public static ValueTask OverwriteRawAsync(string id, string raw) => throw new NotSupportedException();

    public static ValueTask InsertRawAsync(string id, byte[] data, long version, long createdAt, long expiresAt) => throw new NotSupportedException();
}

// The app's entry point, public so that WebApplicationFactory<Program> can name it.
public partial class Program;
