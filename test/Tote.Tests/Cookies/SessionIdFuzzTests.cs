using System.Diagnostics;
using System.Net;
using System.Text;
using CsCheck;
using Tote.Cookies;
using Tote.Testing;

namespace Tote.Tests.Cookies;

/// <summary>
/// Hostile <c>Cookie</c> and ID headers through a real pipeline (memory driver), against endpoints
/// that read, write, regenerate and destroy: every request answers 200, a live session is adopted
/// only for its exact well-formed ID sent once, nothing the client sent that was not adopted ever
/// comes back as <c>Session.Id</c> or in a <c>Set-Cookie</c>, a live session that was not adopted
/// survives the request, no log line carries what the client sent, and each request is quick.
/// </summary>
public sealed class SessionIdFuzzTests
{
    private const string CookieName = "tote-session";
    private const string HeaderName = "X-Session";
    private const int Iterations = 150;
    private static readonly TimeSpan MaxPerRequest = TimeSpan.FromSeconds(2);

    private static readonly string[] Endpoints = ["GET /get-then-id/name", "POST /set/name/fuzz", "POST /regenerate", "POST /destroy"];

    // Characters a client can put in a header: separators, quotes, controls TestServer passes on
    // (CR, LF and NUL cannot be sent at all), whitespace of every kind, non-ASCII and surrogates.
    private static readonly Gen<string> Junk = Gen.OneOf(
        Gen.Char["ab-=;,\"' \t\u0001\u001f\u007f\u00a0\u2028\u3000é日\ud83d\ude00{}%"].Array[0, 16].Select(c => new string(c)),
        Gen.Char['!', '~'].Array[0, 24].Select(c => new string(c)),
        Gen.Select(Gen.OneOf(";", "=", ";=", "==;;", " ; "), Gen.Int[1, 2_000], (unit, count) => string.Concat(Enumerable.Repeat(unit, count))),
        Gen.Select(Gen.Char['a', 'z'], Gen.Int[1_000, 40_000], (c, count) => new string(c, count)));

    // What the client puts where a session ID belongs, built around the live session's ID: the ID
    // itself, every near miss of it (case, braces, quotes, no dashes, another version or variant,
    // cut short, padded, followed by junk), a well-formed ID of no session, and junk.
    private static readonly Gen<Func<string, string>> IdValues = Gen.Frequency(
        (3, Fn(live => live)),
        (1, Fn(live => live.ToUpperInvariant())),
        (1, Fn(live => "{" + live + "}")),
        (1, Fn(live => "\"" + live + "\"")),
        (1, Fn(live => live.Replace("-", "", StringComparison.Ordinal))),
        (1, Fn(live => live[..14] + "1" + live[15..])),
        (1, Fn(live => live[..19] + "c" + live[20..])),
        (1, Gen.Int[0, 35].Select(cut => As(live => live[..cut]))),
        (1, Gen.OneOf(" ", "\t", "\u00a0", "\u3000").Select(pad => As(live => pad + live + pad))),
        (2, Junk.Select(junk => As(live => live + junk))),
        (1, Fn(_ => TestIds.New())),
        (1, Fn(_ => TestIds.New().ToUpperInvariant())),
        (2, Junk.Select(junk => As(_ => junk))));

    // One cookie of a Cookie header: a session cookie (its name as is, padded or in another case), or any other cookie.
    private static readonly Gen<Func<string, string>> Cookies = Gen.Frequency(
        (3, Gen.Select(Gen.OneOf(CookieName, " " + CookieName + " ", "\t" + CookieName, "TOTE-SESSION", CookieName + "x"), IdValues, (name, value) => (Func<string, string>)(live => name + "=" + value(live)))),
        (2, Gen.Select(Junk, Junk, (name, value) => (Func<string, string>)(_ => name + "=" + value))),
        (1, Junk.Select(junk => As(_ => junk))));

    private static readonly Gen<Func<string, string>> CookieHeaders = Gen.Select(
        Cookies.Array[1, 6],
        Gen.OneOf(";", "; ", " ;", ";;"),
        (cookies, separator) => (Func<string, string>)(live => string.Join(separator, cookies.Select(c => c(live)))));

    private static readonly Gen<int> EndpointIndexes = Gen.Int[0, Endpoints.Length - 1];

    [Fact(Timeout = 60_000)]
    public async Task HostileCookieHeaders_AnswerOnlyDocumentedOutcomes()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map);
        using var owner = host.CreateClient();

        await Gen.Select(CookieHeaders, EndpointIndexes).SampleAsync(
            async (header, endpoint) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                var live = await NewLiveSessionAsync(owner);
                var text = header(live);
                using var request = Request(endpoint);
                Assert.True(request.Headers.TryAddWithoutValidation("Cookie", text));

                var adopt = AdoptedByCookie(text, live);
                await AssertDocumentedOutcomeAsync(host, owner, request, live, text, adopt, adopt);
            },
            iter: Iterations,
            threads: 1,
            print: t => $"{Endpoints[t.Item2]} with Cookie: {Shorten(t.Item1("<live-id>"))}");
    }

    [Fact(Timeout = 60_000)]
    public async Task HostileIdHeaders_AnswerOnlyDocumentedOutcomes()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map, o => o.Tote = t => t.HeaderName = HeaderName);
        using var owner = host.CreateClient();

        // The header wins over the cookie: a live ID in the cookie beside a bad header is not adopted.
        var gen = Gen.Select(IdValues.Array[1, 3], Gen.Bool, EndpointIndexes);
        await gen.SampleAsync(
            async (values, withLiveCookie, endpoint) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                var live = await NewLiveSessionAsync(owner);
                var sent = values.Select(v => v(live)).ToArray();
                using var request = Request(endpoint);
                Assert.True(request.Headers.TryAddWithoutValidation(HeaderName, sent));
                if (withLiveCookie)
                {
                    request.Headers.Add("Cookie", $"{CookieName}={live}");
                }

                // Whether HttpClient and TestServer pass a header's surrounding whitespace or empty values on is theirs to decide.
                // A dropped header leaves the cookie transport: the live cookie may be adopted, and
                // a new session's ID may go out as a cookie.
                var headerMayBeDropped = sent.All(v => v.Trim().Length == 0);
                var mayAdopt = (sent is [var one] && one.Trim() == live) || (headerMayBeDropped && withLiveCookie);
                await AssertDocumentedOutcomeAsync(host, owner, request, live, string.Join("\n", sent), sent is [var exact] && exact == live, mayAdopt, viaHeader: headerMayBeDropped ? null : true);
            },
            iter: Iterations,
            threads: 1,
            print: t => $"{Endpoints[t.Item3]} with {HeaderName}: [{string.Join(" | ", t.Item1.Select(v => Shorten(v("<live-id>"))))}], live cookie: {t.Item2}");
    }

    [Fact(Timeout = 60_000)]
    public async Task CookieHeader_EightTimesLonger_TakesAtMostAFewTimesEightAsLong()
    {
        await using var host = await ToteTestHost.StartAsync(SessionApi.Map);
        using var client = host.CreateClient();
        var live = await NewLiveSessionAsync(client);

        // Many small cookies, then the live one: the parser walks the whole header every time.
        string Header(int size) => string.Concat(Enumerable.Repeat("a=b; c=\"d\"; ;=; ", size / 16)) + $"{CookieName}={live}";
        var small = await MedianAsync(client, Header(8 * 1024), TestContext.Current.CancellationToken);
        var large = await MedianAsync(client, Header(64 * 1024), TestContext.Current.CancellationToken);

        // Linear is 8; a quadratic parse would be 64. The floor keeps per-request overhead, which
        // dominates the small header, from making the ratio meaningless on a loaded machine.
        Assert.True(large <= TimeSpan.FromMilliseconds(5) + (small * 25), $"A 64 KB Cookie header took {large.TotalMilliseconds:N2} ms, an 8 KB one {small.TotalMilliseconds:N2} ms.");
    }

    private static async Task<TimeSpan> MedianAsync(SessionClient client, string header, CancellationToken cancellationToken)
    {
        var times = new List<TimeSpan>();
        for (var i = 0; i < 7; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/get-then-id/name");
            request.Headers.TryAddWithoutValidation("Cookie", header);
            var started = Stopwatch.GetTimestamp();
            using var response = await client.Http.SendAsync(request, cancellationToken);
            times.Add(Stopwatch.GetElapsedTime(started));
            Assert.Equal("ada|" + header[^36..], await response.Content.ReadAsStringAsync(cancellationToken));
        }

        return times.Order().ElementAt(times.Count / 2);
    }

    private static async Task<string> NewLiveSessionAsync(SessionClient owner)
    {
        owner.SessionId = null;
        (await owner.PostAsync("/set/name/ada")).Dispose();
        return owner.SessionId!;
    }

    private static HttpRequestMessage Request(int endpoint)
    {
        var (method, path) = Endpoints[endpoint].Split(' ') is [var m, var p] ? (m, p) : throw new InvalidOperationException();
        return new HttpRequestMessage(new HttpMethod(method), path);
    }

    private static async Task AssertDocumentedOutcomeAsync(ToteTestHost host, SessionClient owner, HttpRequestMessage request, string live, string sent, bool mustAdopt, bool mayAdopt, bool? viaHeader = false)
    {
        var path = request.RequestUri!.OriginalString;
        var logsBefore = host.Logs.GetSnapshot().Count;
        var started = Stopwatch.GetTimestamp();
        using var response = await owner.Http.SendAsync(request);
        var elapsed = Stopwatch.GetElapsedTime(started);
        var body = await response.Content.ReadAsStringAsync();
        var stored = await host.Store.LoadAsync(live);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(elapsed <= MaxPerRequest, $"The request took {elapsed.TotalMilliseconds:N0} ms.");

        // What the request says its session is, and what the response hands the client.
        // (A write alone does not verify the ID the client sent, so it reports no Session.Id; the
        // stored data and the cookie tell what happened.)
        var id = path switch
        {
            "/get-then-id/name" => body.Split('|')[1],
            "/regenerate" => body,
            _ => null,
        };
        var adopted = path switch
        {
            "/get-then-id/name" => id == live,
            "/set/name/fuzz" => stored?.Data.Contains("\"fuzz\"", StringComparison.Ordinal) == true,
            _ => stored is null, // regenerating or destroying the live session removes it
        };
        Assert.True(adopted || !mustAdopt, "The live session's exact ID was sent once but not adopted.");
        Assert.True(!adopted || mayAdopt, "A session was adopted from an ID that was not its exact ID sent once.");

        // viaHeader null: the client may have dropped a blank header, so the ID may travel either way.
        List<string> viaHeaderValues = response.Headers.TryGetValues(HeaderName, out var values) ? [.. values] : [];
        List<string> viaCookie = [.. SetCookie.All(response).Where(c => !c.Expired).Select(c => c.Value)];
        List<string> issued = viaHeader switch
        {
            true => viaHeaderValues,
            false => viaCookie,
            null => [.. viaHeaderValues.Union(viaCookie)],
        };
        if (viaHeader == true)
        {
            Assert.Empty(SetCookie.All(response));
        }

        Assert.All(issued, value => Assert.True(SessionIds.IsWellFormed(value), "A session ID that is not well-formed was issued."));
        switch (path)
        {
            case "/get-then-id/name":
                Assert.Equal(adopted ? $"ada|{live}" : "(null)|(none)", body);
                Assert.Empty(issued);
                break;
            case "/set/name/fuzz":
                Assert.Equal(adopted ? 0 : 1, issued.Count);
                break;
            case "/regenerate" when adopted:
                Assert.NotEqual(live, id);
                Assert.Equal(new[] { id! }, issued);
                break;
            case "/regenerate":
                Assert.True(issued.Count == 0 || issued.SequenceEqual([id!]), "Regenerating without a session issued an ID it does not report.");
                break;
            default:
                Assert.Empty(issued);
                break;
        }

        // Nothing the client sent comes back unless it was the live ID, adopted.
        foreach (var value in issued.Append(id).OfType<string>().Where(v => v.Length > 0))
        {
            Assert.True(value == live ? adopted && path != "/regenerate" : !sent.Contains(value, StringComparison.OrdinalIgnoreCase), "A session ID the client sent was issued without being adopted.");
        }

        // A live session the request did not adopt is untouched by it, even by a destroy.
        Assert.Equal(!adopted || path is "/get-then-id/name" or "/set/name/fuzz", stored is not null);

        // Logs never carry the client's text: not the live ID, not any long run of what was sent.
        foreach (var record in host.Logs.GetSnapshot().Skip(logsBefore))
        {
            var line = record.Message + " " + string.Join(" ", record.StructuredState?.Select(p => p.Value) ?? []);
            Assert.DoesNotContain(live, line, StringComparison.OrdinalIgnoreCase);
            Assert.False(LongTokens(sent).Any(t => line.Contains(t, StringComparison.Ordinal)), $"A log line carries what the client sent: {record.Message}");
        }
    }

    // The cookie rule, read from the header as a server must: the one cookie with the session's
    // name (names and values trimmed), sent exactly once, whose value is exactly the live ID.
    private static bool AdoptedByCookie(string header, string live)
    {
        var values = header.Split(';')
            .Select(pair => pair.Trim())
            .Where(pair => pair.IndexOf('=', StringComparison.Ordinal) > 0 && pair[..pair.IndexOf('=', StringComparison.Ordinal)].Trim() == CookieName)
            .Select(pair => pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim())
            .ToList();
        return values is [var one] && one == live;
    }

    private static IEnumerable<string> LongTokens(string sent)
        => sent.Split([';', '=', ' ', '\t', '\n', '"', '{', '}']).Where(t => t.Length >= 12).Distinct();

    private static Gen<Func<string, string>> Fn(Func<string, string> value) => Gen.Const(value);

    private static Func<string, string> As(Func<string, string> value) => value;

    private static string Shorten(string text)
    {
        var escaped = new StringBuilder();
        foreach (var c in text.Length > 300 ? text[..150] + $"…({text.Length:N0} chars)…" + text[^150..] : text)
        {
            escaped.Append(c is < ' ' or '\u007f' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return escaped.ToString();
    }
}
