using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tote.Cookies;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Drivers.Memory;
using Tote.Users;

namespace Tote.Benchmarks.Sessions;

/// <summary>
/// Users and devices (DESIGN §10) on the memory driver, through the real core as
/// <see cref="SessionCoreBenchmarks"/> drives it (a <see cref="Session"/> per request, no HTTP):
/// <list type="bullet">
/// <item>sign-in: a request that loads an anonymous session holding a 5-item cart and signs it in
/// (a new ID, the old one deleted, the binding saved, the user's index entry written), against the
/// same request regenerating the session's ID without signing in (the baseline: what binding and
/// the index add to the fixation defence every sign-in needs anyway);</item>
/// <item>list: <see cref="UserSessions.ListAsync"/> for a user with 1, 10 and 100 sessions, and the driver's part of it alone;</item>
/// <item>revoke all: <see cref="UserSessions.RevokeAllAsync"/> for a user with 10 sessions ("sign out everywhere");</item>
/// <item>handle: one session's handle (the keyed hash every listed entry and every revocation computes), for reading the others.</item>
/// </list>
/// </summary>
/// <remarks>
/// Sign-in and revoke-all use up what they work on: a signed-in session is no longer anonymous and
/// a revoked user has no sessions left. Rather than time one call per iteration (a few
/// microseconds against the timer and the iteration's own overhead), every iteration runs exactly
/// <see cref="InvocationsPerIteration"/> calls, and its <c>[IterationSetup]</c> (not timed) creates
/// that many anonymous sessions, or users with 10 sessions each; every call takes the next one, so
/// every timed call does the whole work on a fresh subject. The <c>[IterationCleanup]</c> checks
/// what each call did and removes what the iteration left, so the store is the same size at the
/// start of every iteration. Listing changes nothing and runs on the same users throughout.
/// </remarks>
[MemoryDiagnoser]
[InvocationCount(InvocationsPerIteration)]
// With no pilot stage to warm them, the sign-in paths reach their steady time (tiered JIT) only
// after many more iterations than --job short's three warm-ups, and --job short would time the JIT.
[WarmupCount(25)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class UserSessionsBenchmarks : IDisposable
{
    /// <summary>Calls per iteration: enough that an iteration of the fastest benchmark lasts about a millisecond.</summary>
    public const int InvocationsPerIteration = 4096;

    private const int SessionsPerRevokedUser = 10;

    private static readonly SessionKey<List<string>> Cart = new("cart");
    private static readonly List<string> Items = ["apple", "banana", "cherry", "dates", "elderberry"];

    private readonly Dictionary<int, string> _listUsers = [];
    private readonly string[] _anonymousIds = new string[InvocationsPerIteration];
    private readonly string[] _newIds = new string[InvocationsPerIteration];
    private readonly string _handleId = Guid.NewGuid().ToString(); // the form of a session ID
    private readonly string[] _userIds = [.. Enumerable.Range(0, InvocationsPerIteration).Select(i => "user-" + i.ToString(CultureInfo.InvariantCulture))];
    private SessionRuntime _runtime = null!;
    private MemorySessionStore _store = null!;
    private UserSessions _users = null!;
    private int _prepared;
    private int _next;
    private int _revoked;
    private int _steadyCount;

    [GlobalSetup]
    public void Setup()
    {
        (_runtime, _store) = MemoryRuntime.Create();
        _users = new UserSessions(_runtime);

        foreach (var count in new[] { 1, 10, 100 })
        {
            var userId = "list-" + count.ToString(CultureInfo.InvariantCulture);
            _listUsers[count] = userId;
            for (var i = 0; i < count; i++)
            {
                Wait(SignInNewSessionAsync(userId));
            }
        }

        _steadyCount = _store.Count;
        Validate();
    }

    [GlobalCleanup]
    public void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    [IterationSetup(Targets = [nameof(SignInAsync), nameof(RegenerateAsync)])]
    public void CreateAnonymousSessions() => CreateAnonymousSessions(InvocationsPerIteration);

    [IterationCleanup(Target = nameof(SignInAsync))]
    public void CheckAndRevokeSignIns()
    {
        for (var i = 0; i < _next; i++)
        {
            var listed = Wait(_users.ListAsync(_userIds[i]));
            if (listed is not [{ } only] || only.Handle != _runtime.Users.Handles.Of(_newIds[i]) || Wait(_store.LoadAsync(_anonymousIds[i])) is not null)
            {
                throw new InvalidOperationException($"Sign-in {i} of the iteration left {listed.Count} sessions listed for its user (expected 1, the signed-in one) or its anonymous session stored; the benchmark measured something else than a sign-in.");
            }

            Wait(_users.RevokeAllAsync(_userIds[i]));
        }

        // Anonymous sessions a shorter run (the JIT stage) left unused.
        for (var i = _next; i < _prepared; i++)
        {
            Wait(_store.DeleteAsync(_anonymousIds[i]));
        }

        CheckSteady();
    }

    [IterationCleanup(Target = nameof(RegenerateAsync))]
    public void CheckAndDeleteRegenerated()
    {
        for (var i = 0; i < _next; i++)
        {
            if (_newIds[i] == _anonymousIds[i] || Wait(_store.LoadAsync(_anonymousIds[i])) is not null || Wait(_store.LoadAsync(_newIds[i])) is null)
            {
                throw new InvalidOperationException($"Regeneration {i} of the iteration did not move the session to a new ID; the baseline measured something else than a regeneration.");
            }

            Wait(_store.DeleteAsync(_newIds[i]));
        }

        for (var i = _next; i < _prepared; i++)
        {
            Wait(_store.DeleteAsync(_anonymousIds[i]));
        }

        CheckSteady();
    }

    [IterationSetup(Target = nameof(RevokeAllAsync))]
    public void CreateUsersToRevoke() => CreateUsersToRevoke(InvocationsPerIteration);

    [IterationCleanup(Target = nameof(RevokeAllAsync))]
    public void CheckRevocations()
    {
        if (_revoked != _next * SessionsPerRevokedUser)
        {
            throw new InvalidOperationException($"{_next} revoke-alls revoked {_revoked} sessions; expected {SessionsPerRevokedUser} each.");
        }

        // Users a shorter run (the JIT stage) left unrevoked.
        for (var i = _next; i < _prepared; i++)
        {
            Wait(_users.RevokeAllAsync(_userIds[i]));
        }

        CheckSteady();
    }

    /// <summary>The baseline of sign-in: the same request, regenerating the ID without binding a user.</summary>
    [Benchmark(Baseline = true, Description = "RegenerateAsync (anonymous session, 5-item cart)")]
    [BenchmarkCategory("sign-in")]
    public async Task<string> RegenerateAsync()
    {
        var i = Take();
        var session = new Session(_runtime, context: null);
        session.UseCandidate(_anonymousIds[i]);
        await session.RegenerateAsync();
        await session.SaveAsync(); // the end of the request, as the middleware does
        session.ReleaseParsedRecords();
        return _newIds[i] = session.Id!;
    }

    /// <summary>A request that signs its anonymous session in.</summary>
    [Benchmark(Description = "SignInAsync (anonymous session, 5-item cart)")]
    [BenchmarkCategory("sign-in")]
    public async Task<string> SignInAsync()
    {
        var i = Take();
        var session = new Session(_runtime, context: null);
        session.UseCandidate(_anonymousIds[i]);
        await session.SignInAsync(_userIds[i]);
        await session.SaveAsync(); // the end of the request, as the middleware does
        session.ReleaseParsedRecords();
        return _newIds[i] = session.Id!;
    }

    [Benchmark(Description = "session handle (keyed hash of the ID)")]
    [BenchmarkCategory("handle")]
    public string Handle() => _runtime.Users.Handles.Of(_handleId);

    [Benchmark(Description = "ListAsync")]
    [BenchmarkCategory("list")]
    [Arguments(1)]
    [Arguments(10)]
    [Arguments(100)]
    public async Task<int> ListAsync(int sessions) => (await _users.ListAsync(_listUsers[sessions])).Count;

    /// <summary>The driver's part of <see cref="ListAsync"/>: its entries, without the handles and records the core makes of them.</summary>
    [Benchmark(Description = "driver's list alone")]
    [BenchmarkCategory("list")]
    [Arguments(1)]
    [Arguments(10)]
    [Arguments(100)]
    public async Task<int> DriverListAsync(int sessions) => (await _store.ListUserSessionsAsync(_listUsers[sessions])).Count;

    [Benchmark(Description = "RevokeAllAsync (10 sessions)")]
    [BenchmarkCategory("revoke all")]
    public async Task<int> RevokeAllAsync()
    {
        var revoked = await _users.RevokeAllAsync(_userIds[Take()]);
        _revoked += revoked;
        return revoked;
    }

    private static T Wait<T>(ValueTask<T> task) => task.AsTask().GetAwaiter().GetResult();

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(ValueTask task) => task.AsTask().GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    // Each benchmark checks once, before anything is timed, that it does what its name says.
    private void Validate()
    {
        foreach (var (count, userId) in _listUsers)
        {
            var listed = Wait(ListAsync(count));
            if (Wait(DriverListAsync(count)) != count)
            {
                throw new InvalidOperationException($"The driver lists {Wait(DriverListAsync(count))} entries for a user with {count} sessions.");
            }

            var handles = Wait(_users.ListAsync(userId)).Select(s => s.Handle).Distinct().Count();
            if (listed != count || handles != count)
            {
                throw new InvalidOperationException($"ListAsync for a user with {count} sessions listed {listed} ({handles} distinct handles).");
            }
        }

        CreateAnonymousSessions(1);
        var anonymousId = _anonymousIds[0];
        var newId = Wait(SignInAsync());
        var signedIn = new Session(_runtime, context: null);
        signedIn.UseCandidate(newId);
        var listedHandles = Wait(_users.ListAsync(_userIds[0])).Select(s => s.Handle).ToList();
        var checks = new (bool Holds, string What)[]
        {
            (newId != anonymousId, "the session got a new ID"),
            (Wait(_store.LoadAsync(anonymousId)) is null, "the anonymous ID is deleted"),
            (Wait(signedIn.GetUserIdAsync()) == _userIds[0], "the session reads back as the user's"),
            (Wait(signedIn.GetAsync(Cart))?.Count == Items.Count, "the cart is kept"),
            (listedHandles.Count == 1 && listedHandles[0] == signedIn.Handle, "the user lists exactly the signed-in session"),
        };
        if (checks.FirstOrDefault(c => !c.Holds) is { What: { } failed })
        {
            throw new InvalidOperationException($"SignInAsync does not do what it measures: expected that {failed}.");
        }

        CheckAndRevokeSignIns();

        CreateAnonymousSessions(1);
        Wait(RegenerateAsync());
        CheckAndDeleteRegenerated();

        CreateUsersToRevoke(1);
        var revoked = Wait(RevokeAllAsync());
        var left = Wait(_users.ListAsync(_userIds[0])).Count;
        if (revoked != SessionsPerRevokedUser || left != 0)
        {
            throw new InvalidOperationException($"RevokeAllAsync for a user with {SessionsPerRevokedUser} sessions revoked {revoked} and left {left} listed.");
        }

        CheckRevocations();
    }

    private void CreateAnonymousSessions(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var session = new Session(_runtime, context: null);
            session.Set(Cart, Items);
            Wait(session.SaveAsync());
            _anonymousIds[i] = session.Id!;
        }

        _prepared = count;
        _next = 0;
    }

    private void CreateUsersToRevoke(int count)
    {
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < SessionsPerRevokedUser; j++)
            {
                Wait(SignInNewSessionAsync(_userIds[i]));
            }
        }

        _prepared = count;
        _next = 0;
        _revoked = 0;
    }

    private async Task SignInNewSessionAsync(string userId)
    {
        var session = new Session(_runtime, context: null);
        session.Set(Cart, Items);
        await session.SignInAsync(userId);
    }

    private int Take()
        => _next < _prepared
            ? _next++
            : throw new InvalidOperationException($"An iteration ran more than the {_prepared} calls its setup prepared for; keep [InvocationCount] at InvocationsPerIteration.");

    private void CheckSteady()
    {
        if (_store.Count != _steadyCount)
        {
            throw new InvalidOperationException($"The store holds {_store.Count} sessions after the iteration, {_steadyCount} before: the benchmark's setup and cleanup are out of step.");
        }
    }
}
