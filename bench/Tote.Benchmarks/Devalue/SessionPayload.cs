using System.Globalization;
using System.Text.Json;
using Tote.Devalue;

namespace Tote.Benchmarks.Devalue;

/// <summary>One session key's stored value, as Astro keeps it: the data and when it expires.</summary>
/// <typeparam name="T">The data's type.</typeparam>
/// <param name="Data">The value stored under the key.</param>
/// <param name="Expires">Epoch milliseconds, or <see langword="null"/> for no per-key expiry.</param>
public sealed record Entry<T>(T Data, long? Expires);

/// <summary>A line of the shopping cart.</summary>
public sealed record CartItem(string Sku, string Name, int Quantity, double Price);

/// <summary>The signed-in user.</summary>
public sealed record User(string Id, string Name, string Email, List<string> Roles, DateTimeOffset SignedInAt);

/// <summary>
/// A realistic shop session, typed. Astro stores a session as a <c>Map</c> of key to
/// <c>{ data, expires }</c>; a typed .NET graph cannot be a Map with a different value type per
/// key, so the typed form is an object with one property per session key (it serializes as a
/// devalue object, not a Map). <see cref="SessionPayload.ToAstroRecord"/> builds the exact Astro
/// shape (a <see cref="DevalueMap"/> root) from the same content.
/// </summary>
public sealed class SessionRecord
{
    public required Entry<List<CartItem>> Cart { get; init; }

    public required Entry<User> User { get; init; }

    public required Entry<HashSet<string>> RecentlyViewed { get; init; }

    public required Entry<Uri> ReturnTo { get; init; }

    public required Entry<DateTimeOffset> LastActivity { get; init; }

    public required Entry<string> Flash { get; init; }
}

/// <summary>
/// The benchmark payload: one <see cref="SessionRecord"/> and its serialized forms. Everything is
/// deterministic, so every run (and the Node benchmark) sees exactly the same text.
/// </summary>
public sealed class SessionPayload
{
    /// <summary>The options System.Text.Json is measured with; the codec's default contract is the same.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    private static readonly string[] Products =
    [
        "Espresso beans 1 kg", "Ceramic pour-over", "Gooseneck kettle", "Burr grinder", "Milk frother",
        "Paper filters (100)", "Travel mug", "Cold brew jar", "Scale with timer", "Tamper 58 mm",
    ];

    private SessionPayload(SessionRecord typed)
    {
        Typed = typed;
        Json = JsonSerializer.Serialize(typed, JsonOptions);
        TypedText = DevalueSerializer.Serialize(typed);
        AstroRecord = ToAstroRecord(DevalueSerializer.Deserialize(TypedText));
        AstroText = DevalueSerializer.Serialize(AstroRecord);
    }

    /// <summary>The typed session.</summary>
    public SessionRecord Typed { get; }

    /// <summary><see cref="Typed"/> as System.Text.Json writes it (web defaults).</summary>
    public string Json { get; }

    /// <summary><see cref="Typed"/> as Tote.Devalue writes it: a devalue object at the root.</summary>
    public string TypedText { get; }

    /// <summary>
    /// The same content in Astro's record shape, as natural .NET types: a <see cref="DevalueMap"/>
    /// of key to <c>{ data, expires }</c>, with a missing expiry written as <c>undefined</c>.
    /// </summary>
    public DevalueMap AstroRecord { get; }

    /// <summary><see cref="AstroRecord"/> serialized: exactly what Astro would store.</summary>
    public string AstroText { get; }

    /// <summary>Builds the payload and checks that every form round-trips to the same text.</summary>
    /// <returns>The payload.</returns>
    /// <exception cref="InvalidOperationException">A form does not round-trip.</exception>
    public static SessionPayload Create()
    {
        var payload = new SessionPayload(CreateRecord());
        payload.Verify();
        return payload;
    }

    /// <summary>
    /// Turns the untyped read of <see cref="TypedText"/> (an object of key to entry) into Astro's
    /// record: a Map of key to entry, where a missing expiry is <c>undefined</c> (devalue's <c>-1</c>).
    /// </summary>
    /// <param name="untyped">The result of an untyped read of <see cref="TypedText"/>.</param>
    /// <returns>The Astro-shaped record.</returns>
    public static DevalueMap ToAstroRecord(object? untyped)
    {
        if (untyped is not OrderedDictionary<string, object?> keys)
        {
            throw new InvalidOperationException(
                $"An untyped read of an object gave {untyped?.GetType().FullName ?? "null"}, not OrderedDictionary<string, object?>.");
        }

        var record = new DevalueMap(keys.Count);
        foreach (var (key, value) in keys)
        {
            if (value is OrderedDictionary<string, object?> entry && entry.TryGetValue("expires", out var expires) && expires is null)
            {
                entry["expires"] = DevalueUndefined.Value;
            }

            record.Set(key, value);
        }

        return record;
    }

    private static SessionRecord CreateRecord()
    {
        // A fixed clock keeps the text identical run to run; every time has whole milliseconds,
        // as a JavaScript Date does.
        var now = new DateTimeOffset(2025, 11, 14, 10, 30, 15, 250, TimeSpan.Zero);
        var inThirtyDays = now.AddDays(30).ToUnixTimeMilliseconds();

        var cart = new List<CartItem>(50);
        for (var i = 0; i < 50; i++)
        {
            var product = Products[i % Products.Length];
            cart.Add(new CartItem(
                Sku: string.Create(CultureInfo.InvariantCulture, $"SKU-{1000 + (i * 37 % 500):D5}"),
                Name: i < Products.Length ? product : string.Create(CultureInfo.InvariantCulture, $"{product} #{i / Products.Length + 1}"),
                Quantity: 1 + (i * 7 % 4),
                // Division rounds to the double nearest the two-decimal price, so it prints as written.
                Price: (499 + (i * 125 % 9000)) / 100.0));
        }

        // Recently viewed items overlap the cart, so some strings are shared entries in devalue.
        var recentlyViewed = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 12; i++)
        {
            recentlyViewed.Add(i % 3 == 0 ? cart[i].Sku : string.Create(CultureInfo.InvariantCulture, $"SKU-{9000 + i:D5}"));
        }

        return new SessionRecord
        {
            Cart = new Entry<List<CartItem>>(cart, inThirtyDays),
            User = new Entry<User>(
                new User(
                    Id: "usr_8f14e45fceea167a5a36dedd4bea2543",
                    Name: "Ada Lovelace",
                    Email: "ada@analytical-engines.example",
                    Roles: ["customer", "beta-tester", "newsletter"],
                    SignedInAt: now.AddMinutes(-42).AddMilliseconds(-617)),
                Expires: null),
            RecentlyViewed = new Entry<HashSet<string>>(recentlyViewed, inThirtyDays),
            ReturnTo = new Entry<Uri>(new Uri("https://shop.example/checkout/shipping?step=2&coupon=SPRING25"), now.AddHours(1).ToUnixTimeMilliseconds()),
            LastActivity = new Entry<DateTimeOffset>(now, Expires: null),
            Flash = new Entry<string>("Added \"Burr grinder\" to your cart <3", now.AddMinutes(5).ToUnixTimeMilliseconds()),
        };
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private void Verify()
    {
        Check("System.Text.Json typed", Json, JsonSerializer.Serialize(JsonSerializer.Deserialize<SessionRecord>(Json, JsonOptions), JsonOptions));
        Check("Tote.Devalue typed", TypedText, DevalueSerializer.Serialize(DevalueSerializer.Deserialize<SessionRecord>(TypedText)));
        Check("Tote.Devalue untyped", AstroText, DevalueSerializer.Serialize(DevalueSerializer.Deserialize(AstroText)));
        if (!AstroText.StartsWith("[[\"Map\",", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The Astro record does not serialize as a Map: {AstroText[..Math.Min(80, AstroText.Length)]}");
        }

        static void Check(string what, string expected, string actual)
        {
            if (!string.Equals(expected, actual, StringComparison.Ordinal))
            {
                var at = 0;
                while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
                {
                    at++;
                }

                throw new InvalidOperationException(
                    $"{what}: the payload does not round-trip; first difference at character {at}.\n" +
                    $"  expected: {Excerpt(expected, at)}\n  actual:   {Excerpt(actual, at)}");
            }
        }

        static string Excerpt(string text, int at)
        {
            var start = Math.Max(0, at - 40);
            return text[start..Math.Min(text.Length, at + 40)];
        }
    }
}
