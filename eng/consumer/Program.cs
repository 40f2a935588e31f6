// A user's app, built from the Tote packages alone (eng/test.sh packs them, builds this app against
// them by version and runs it). It exits 0 only if every package's assemblies and their
// dependencies load, the codec works on its own, and a session survives a round trip over HTTP.
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Tote;
using Tote.Devalue;

var failures = new List<string>();
void Fail(string failure)
{
    failures.Add(failure);
    Console.Error.WriteLine($"consumer: FAILED: {failure}");
}

// A dependency missing from a package's nuspec is missing from this app's output too: loading
// what each Tote assembly references finds it even when no code path below reaches it.
string[] packages = ["Tote", "Tote.Devalue", "Tote.Redis", "Tote.Sqlite", "Tote.PostgreSql", "Tote.Testing"];
foreach (var package in packages)
{
    try
    {
        var assembly = Assembly.Load(package);
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            try
            {
                Assembly.Load(reference);
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException)
            {
                Fail($"{package} references {reference.Name} {reference.Version}, which is not in the app: is it missing from the package's dependencies? ({e.Message})");
            }
        }
    }
    catch (Exception e) when (e is FileNotFoundException or FileLoadException)
    {
        Fail($"the package {package} brought no {package}.dll: {e.Message}");
    }
}

// Tote.Devalue on its own, without the session core.
var text = DevalueSerializer.Serialize(new Dictionary<string, List<string>> { ["cart"] = ["apple"] });
if (text != """[{"cart":1},[2],"apple"]""")
{
    Fail($"DevalueSerializer.Serialize wrote {text}, expected [{{\"cart\":1}},[2],\"apple\"]");
}
else if (DevalueSerializer.Deserialize<Dictionary<string, List<string>>>(text) is not { } read || read["cart"] is not ["apple"])
{
    Fail($"DevalueSerializer.Deserialize did not read back {text}");
}

// Tote.Testing as a test project would use it: a handler's session over the memory driver.
await using (var tester = new Tote.Testing.SessionTester())
{
    var run = await tester.RunAsync(session => session.Set(Keys.Cart, ["pear"]));
    var saved = await tester.LoadSavedAsync();
    if (run.Cookie != Tote.Testing.SessionCookieDecision.Issued || saved?.Get(Keys.Cart) is not ["pear"])
    {
        Fail($"SessionTester: cookie {run.Cookie}, saved cart [{string.Join(", ", saved?.Get(Keys.Cart) ?? [])}]; expected Issued and [pear]");
    }
}

// Sessions in a SQLite file (the driver whose native library is the easiest to lose in packing),
// with the other drivers registered as a user would have them available.
var directory = Directory.CreateTempSubdirectory("tote-consumer-");
try
{
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = directory.FullName });
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddTote(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest)
        .UseSqlite($"Data Source={Path.Combine(directory.FullName, "sessions.db")}")
        .AddRedis()
        .AddPostgreSql();

    await using var app = builder.Build();
    app.UseTote();
    app.MapPost("/cart/{item}", async (Session session, string item) => await session.UpdateAsync(Keys.Cart, cart => [.. cart ?? [], item]));
    app.MapGet("/cart", async (Session session) => await session.GetAsync(Keys.Cart) ?? []);
    await app.StartAsync();

    var address = new Uri(app.Urls.Single());
    using var visitor = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = address };
    using var added = await visitor.PostAsync(new Uri("/cart/apple", UriKind.Relative), content: null);
    var setCookie = added.Headers.TryGetValues("Set-Cookie", out var values) ? string.Join("; ", values) : "";
    if (added.StatusCode != HttpStatusCode.OK || !setCookie.StartsWith("tote-session=", StringComparison.Ordinal))
    {
        Fail($"POST /cart/apple answered {(int)added.StatusCode} with Set-Cookie '{setCookie.Split('=')[0]}': expected 200 and a tote-session cookie");
    }

    var cart = await visitor.GetFromJsonAsync<List<string>>(new Uri("/cart", UriKind.Relative));
    if (cart is not ["apple"])
    {
        Fail($"GET /cart with the session cookie read [{string.Join(", ", cart ?? [])}], expected [apple]");
    }

    using var stranger = new HttpClient { BaseAddress = address };
    var empty = await stranger.GetFromJsonAsync<List<string>>(new Uri("/cart", UriKind.Relative));
    if (empty is not [])
    {
        Fail($"GET /cart without a cookie read [{string.Join(", ", empty ?? [])}], expected an empty cart");
    }

    await app.StopAsync();
    Console.WriteLine($"consumer: served {address} from the packages, session round trip done");
}
catch (Exception e)
{
    Fail($"the app did not serve the session round trip: {e.GetType().FullName}: {e.Message}");
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    directory.Delete(recursive: true);
}

return failures.Count == 0 ? 0 : 1;

internal static class Keys
{
    public static readonly SessionKey<List<string>> Cart = new("cart");
}
