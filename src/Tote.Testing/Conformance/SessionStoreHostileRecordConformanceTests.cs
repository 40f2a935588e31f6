using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CsCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Tote.Testing;

/// <summary>
/// Fuzzing of what a driver holds: hostile stored sessions (random bytes, invalid UTF-8, damaged
/// headers, times out of range, hostile devalue, records near and over
/// <see cref="ToteOptions.MaxSessionSize"/>, values that do not fit the type the app reads),
/// planted raw in the driver's storage, then read through a real pipeline by an app that reads
/// untyped, reads typed, and writes on every request. Every request answers 200 with the stored
/// data or a fresh session (a new ID, the old record gone), quickly and in bounded memory; a
/// well-formed live record is always read back.
/// </summary>
/// <remarks>
/// A driver's test class inherits it and says how to choose the driver (<see cref="UseDriver"/>)
/// and how to plant a record exactly as the driver's storage holds it (<see cref="PlantAsync"/>).
/// Each test starts one <see cref="ToteTestHost"/> with <see cref="ToteOptions.MaxSessionSize"/>
/// set to <see cref="MaxSessionSize"/>, samples hostile records for a bounded time, and reports
/// every case that broke a rule, grouped by kind.
/// </remarks>
/// <example>
/// <code>
/// public sealed class MyStoreHostileRecordTests : SessionStoreHostileRecordConformanceTests
/// {
///     protected override void UseDriver(IToteBuilder builder) =&gt; builder.UseMyStore(Connection);
///
///     protected override async ValueTask PlantAsync(ToteTestHost host, string id, HostileRecord record)
///     {
///         var row = record.Damage(record.Data.Span);
///         await MyStoreAdmin.InsertRawAsync(id, row, record.Version, record.CreatedAt, record.ExpiresAt);
///     }
/// }
/// </code>
/// </example>
public abstract class SessionStoreHostileRecordConformanceTests
{
    /// <summary>The <see cref="ToteOptions.MaxSessionSize"/> of the test's app: small, so records near and over it stay cheap.</summary>
    protected const int MaxSessionSize = 64 * 1024;

    private const int Iterations = 60;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(12);
    private static readonly TimeSpan MaxPerRequest = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan AbsoluteTimeout = new ToteOptions().AbsoluteTimeout;
    private static readonly SessionKey<List<string>> Cart = new("cart");
    private static readonly SessionKey<double> LastVisit = new("lastVisit");

    /// <summary>Chooses the driver under test on Tote's builder, as <see cref="SessionPipelineConformanceTests.UseDriver"/> does.</summary>
    /// <param name="builder">The builder <c>AddTote()</c> returned.</param>
    protected abstract void UseDriver(IToteBuilder builder);

    /// <summary>
    /// Stores <paramref name="record"/> under <paramref name="id"/> exactly as the driver's storage
    /// holds a session, bypassing the driver: its fields in the driver's format, each stored byte
    /// string passed through <see cref="HostileRecord.Damage"/> (see <see cref="HostileRecord"/>).
    /// </summary>
    /// <param name="host">The running host; <see cref="ToteTestHost.Store"/> is the driver, <see cref="ToteTestHost.Services"/> the app's services.</param>
    /// <param name="id">A fresh, well-formed session ID.</param>
    /// <param name="record">The hostile record.</param>
    /// <returns>A task that completes when the record is stored.</returns>
    protected abstract ValueTask PlantAsync(ToteTestHost host, string id, HostileRecord record);

    /// <summary>An app that lists the keys and reads every value untyped, and writes on every request, answers only documented outcomes for hostile stored records.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact(Timeout = 60_000)]
    public Task HostileStoredRecords_ReadUntyped_AnswerTheDataOrAFreshSession() => SampleAsync("/untyped", TestContext.Current.CancellationToken);

    /// <summary>An app that reads a <c>List&lt;string&gt;</c>, and writes on every request, answers only documented outcomes for hostile stored records.</summary>
    /// <returns>A task that completes when the test has run.</returns>
    [Fact(Timeout = 60_000)]
    public Task HostileStoredRecords_ReadTyped_AnswerTheDataOrAFreshSession() => SampleAsync("/typed", TestContext.Current.CancellationToken);

    private static void MapEndpoints(WebApplication app)
    {
        // As the sample's lastVisit middleware: every request writes before anything reads.
        app.Use((context, next) =>
        {
            context.GetSession().Set(LastVisit, 1.5);
            return next(context);
        });
        app.MapGet("/untyped", async (Session session) =>
        {
            var keys = await session.KeysAsync();
            foreach (var key in keys)
            {
                _ = await session.GetAsync(key);
            }

            return $"{session.Id}\n{keys.Count}";
        });
        app.MapGet("/typed", async (Session session) =>
        {
            var cart = await session.GetAsync(Cart);
            return $"{session.Id}\n{(cart is null ? "(null)" : string.Join('\u001f', cart))}";
        });
    }

    private async Task SampleAsync(string path, CancellationToken cancellationToken)
    {
        var failures = new List<(string Kind, string Cause, string Detail)>();
        var host = await StartAsync();
        try
        {
            var now = host.Clock.GetUtcNow().ToUnixTimeMilliseconds();
            var started = Stopwatch.GetTimestamp();
            var tried = 0;
            await HostileRecords.All(now, MaxSessionSize).SampleAsync(
                async record =>
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (Stopwatch.GetElapsedTime(started) > Budget)
                    {
                        return;
                    }

                    tried++;
                    var failure = await TryOneAsync(host, path, record);
                    if (failure is not null)
                    {
                        // One line per kind of record and cause (numbers aside), with its first example.
                        failures.Add((record.Kind, Regex.Replace(failure, "[0-9]+", "N"), $"{failure}\n      record: {record}"));

                        // A failure may leave the store's circuit breaker open: later cases get a clean app.
                        await host.DisposeAsync();
                        host = await StartAsync();
                    }
                },
                iter: Iterations,
                threads: 1);

            Assert.True(tried > 0, "No hostile record was tried.");
            Assert.True(
                failures.Count == 0,
                $"{failures.Count} of {tried} hostile records broke a rule:\n" + string.Join(
                    "\n",
                    failures.GroupBy(f => (f.Kind, f.Cause)).Select(g => $"  {g.Key.Kind} ({g.Count()}×): {g.First().Detail}")));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private Task<ToteTestHost> StartAsync() => ToteTestHost.StartAsync(MapEndpoints, o =>
    {
        o.Driver = UseDriver;
        o.Tote = t => t.MaxSessionSize = MaxSessionSize;
    });

    // The rules one planted record must keep; the first it breaks, or null.
    private async Task<string?> TryOneAsync(ToteTestHost host, string path, HostileRecord record)
    {
        var id = TestIds.New();
        await PlantAsync(host, id, record);
        using var client = host.CreateClient();
        client.SessionId = id;
        var logsBefore = host.Logs.GetSnapshot().Count;
        var allocated = GC.GetTotalAllocatedBytes();
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync(path);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // TestServer hands the app's unhandled exception to the client: a 500 in production.
            return $"GET {path} failed (a 500 in production) with {exception.GetType().Name}: {Shorten(exception.Message)}";
        }

        using var disposeResponse = response;
        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocatedBytes = GC.GetTotalAllocatedBytes() - allocated;
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var logged = host.Logs.GetSnapshot().Skip(logsBefore).LastOrDefault(r => r.Level >= LogLevel.Warning);
            return string.Create(CultureInfo.InvariantCulture, $"GET {path} answered {(int)response.StatusCode} after {elapsed.TotalMilliseconds:N0} ms: {Shorten(body)} (logged: {logged?.Message} {logged?.Exception?.GetType().Name}: {logged?.Exception?.InnerException?.Message ?? logged?.Exception?.Message})");
        }

        if (elapsed > MaxPerRequest)
        {
            return string.Create(CultureInfo.InvariantCulture, $"GET {path} took {elapsed.TotalMilliseconds:N0} ms.");
        }

        // Other tests run beside this one, so the bound is loose: it catches a blow-up, not a few copies.
        var allowed = (256L * 1024 * 1024) + (64L * record.Size);
        if (allocatedBytes > allowed)
        {
            return string.Create(CultureInfo.InvariantCulture, $"GET {path} allocated {allocatedBytes:N0} bytes for a record of {record.Size:N0}.");
        }

        var lines = body.Split('\n', 2);
        var adopted = lines[0] == id;
        if (!adopted && (lines[0].Length != 36 || client.SessionId != lines[0]))
        {
            return $"The fresh session's ID {Shorten(lines[0])} is not the one its cookie carries.";
        }

        if (record.MustNotBeAdopted && adopted)
        {
            return "A record that cannot be read (expired, or noise) was adopted.";
        }

        if (record.ExpectedCart is { } expected)
        {
            if (!adopted)
            {
                return "A well-formed live record was not adopted.";
            }

            var read = path == "/typed" ? lines[1] : null;
            if (read is not null && read != string.Join('\u001f', expected))
            {
                return $"A well-formed record read back as {Shorten(read)}.";
            }
        }

        // A record past its absolute lifetime is never adopted, but the store may keep it until it expires or is swept.
        if (!adopted && await host.Store.LoadAsync(id) is { } left && left.CreatedAt > host.Clock.GetUtcNow() - AbsoluteTimeout)
        {
            return string.Create(CultureInfo.InvariantCulture, $"The session started fresh, but the old record still loads (created {left.CreatedAt:O}, expires {left.ExpiresAt:O}).");
        }

        var errors = host.Logs.GetSnapshot().Skip(logsBefore).Where(r => r.Level >= LogLevel.Error).ToList();
        return errors.Count > 0 ? $"Logged at {errors[0].Level}: {Shorten(errors[0].Message)} {errors[0].Exception?.GetType().Name}" : null;
    }

    private static string Shorten(string text) => text.Length > 300 ? string.Concat(text.AsSpan(0, 300), "…") : text;
}
