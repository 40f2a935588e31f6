using Microsoft.AspNetCore.Builder;
using Tote.Testing;

namespace Tote.Tests;

/// <summary>
/// How typed keys read and update. Several tests also prove which overload C# picks: they use a
/// member or operator that exists only on <see cref="Nullable{T}"/> (<c>HasValue</c>, <c>??</c>),
/// so they would not compile if a value-type key bound to the overload that returns
/// <c>default</c> for a missing key.
/// </summary>
public sealed class SessionKeyTests
{
    private static readonly SessionKey<DateTimeOffset> LastVisit = new("lastVisit");
    private static readonly SessionKey<int> Visits = new("visits");
    private static readonly SessionKey<int?> Rating = new("rating");

    [Fact]
    public void Constructor_EmptyName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SessionKey<int>(""));
    }

    [Fact]
    public void Name_IsTheStoredKey()
    {
        Assert.Equal("cart", new SessionKey<List<string>>("cart").Name);
    }

    [Fact]
    public async Task GetAsync_ValueTypeKeyThatIsMissing_IsNull()
    {
        var bodies = await RunAsync(async session =>
        {
            DateTimeOffset? seen = await session.GetAsync(LastVisit);
            var visits = await session.GetAsync(Visits);
            return $"{seen.HasValue}|{visits.HasValue}";
        });

        Assert.Equal(["False|False"], bodies);
    }

    [Fact]
    public async Task GetAsync_ValueTypeKeyHoldingTheDefault_IsTheDefaultNotNull()
    {
        var bodies = await RunAsync(
            session =>
            {
                session.Set(Visits, 0);
                session.Set(LastVisit, default);
                return Task.FromResult("set");
            },
            async session =>
            {
                var visits = await session.GetAsync(Visits);
                var seen = await session.GetAsync(LastVisit);
                return $"{visits.HasValue}:{visits}|{seen.HasValue}:{seen?.Ticks}";
            });

        Assert.Equal("True:0|True:0", bodies[1]);
    }

    [Fact]
    public async Task GetAsync_NullableValueTypeKey_ReadsAsBefore()
    {
        var bodies = await RunAsync(async session =>
        {
            int? missing = await session.GetAsync(Rating);
            session.Set(Rating, 5);
            var stored = await session.GetAsync(Rating);
            return $"{missing.HasValue}|{stored}";
        });

        Assert.Equal(["False|5"], bodies);
    }

    [Fact]
    public async Task GetAsync_ReferenceTypeKey_CoalescesAsBefore()
    {
        var bodies = await RunAsync(async session =>
        {
            var cart = await session.GetAsync(SessionApi.Cart) ?? [];
            cart.Add("apple");
            session.Set(SessionApi.Cart, cart);
            List<string> again = await session.GetAsync(SessionApi.Cart) ?? [];
            return string.Join(",", again);
        });

        Assert.Equal(["apple"], bodies);
    }

    [Fact]
    public async Task GetAsync_FromAGenericMethodWithUnconstrainedT_ReturnsTheDefaultForAMissingKey()
    {
        // An unconstrained T cannot be made Nullable<T>: such callers keep the overload that
        // returns default(T), and keep compiling.
        var bodies = await RunAsync(async session => $"{await ReadAsync(session, Visits)}|{await ReadAsync(session, SessionApi.Cart) is null}");

        Assert.Equal(["0|True"], bodies);

        static async Task<T?> ReadAsync<T>(Session session, SessionKey<T> key) => await session.GetAsync(key);
    }

    [Fact]
    public async Task GetAsync_FromAGenericMethodWithStructT_IsNullForAMissingKey()
    {
        var bodies = await RunAsync(async session => $"{(await ReadAsync(session, Visits)).HasValue}");

        Assert.Equal(["False"], bodies);

        static async Task<T?> ReadAsync<T>(Session session, SessionKey<T> key)
            where T : struct
            => await session.GetAsync(key);
    }

    [Fact]
    public async Task UpdateAsync_ValueTypeKeyWithNullableFunction_SeesNullWhenMissingAndTheDefaultWhenStored()
    {
        var bodies = await RunAsync(
            async session =>
            {
                // Both overloads accept a function that ignores its argument; the SessionKey<T> one must win, not be ambiguous.
                await session.UpdateAsync(LastVisit, _ => TestClock.Start);
                return $"{await session.UpdateAsync(Visits, v => v is null ? 100 : v.Value + 1)}";
            },
            async session =>
            {
                session.Set(Visits, 0);
                await session.SaveAsync();
                return $"{await session.UpdateAsync(Visits, v => (v ?? 100) + 1)}";
            });

        Assert.Equal(["100", "1"], bodies);
    }

    [Fact]
    public async Task UpdateAsync_ValueTypeKeyWithAFunctionOverT_StillCompilesAndStartsFromTheDefault()
    {
        // Written before value-type keys read as Nullable<T>: "v + 1" is an int? for the new
        // overload, so C# keeps binding it to the one that passes default(T) for a missing key.
        var bodies = await RunAsync(
            async session => $"{await session.UpdateAsync(Visits, v => v + 1)}",
            async session => $"{await session.UpdateAsync(Visits, v => v + 1)}");

        Assert.Equal(["1", "2"], bodies);
    }

    [Fact]
    public async Task HasAsyncAndDelete_AcceptTypedKeys()
    {
        var bodies = await RunAsync(
            session =>
            {
                session.Set(Visits, 0);
                return Task.FromResult("set");
            },
            async session =>
            {
                var before = await session.HasAsync(Visits);
                session.Delete(Visits);
                return $"{before}|{await session.HasAsync(Visits)}|{(await session.GetAsync(Visits)).HasValue}";
            },
            async session => $"{await session.HasAsync(Visits)}");

        Assert.Equal(["set", "True|False|False", "False"], bodies);
    }

    [Fact]
    public async Task KeysOfYourOwnType_WorkThroughTheInterface()
    {
        var key = new PrefixedKey<string>("name");
        var bodies = await RunAsync(
            session =>
            {
                session.Set(key, "ada");
                return Task.FromResult("set");
            },
            async session => $"{await session.GetAsync(key)}|{string.Join(",", await session.KeysAsync())}");

        Assert.Equal("ada|app:name", bodies[1]);
    }

    [Fact]
    public async Task KeyOfYourOwnTypeWithAnEmptyName_IsRejectedByUpdateAsync()
    {
        var bodies = await RunAsync(async session =>
        {
            var error = await Record.ExceptionAsync(async () => await session.UpdateAsync(new EmptyKey(), v => v + 1));
            return error?.GetType().Name ?? "(none)";
        });

        Assert.Equal([nameof(ArgumentException)], bodies);
    }

    /// <summary>Runs each function in a request of its own, in order, as one visitor; returns the bodies.</summary>
    private static async Task<string[]> RunAsync(params Func<Session, Task<string>>[] requests)
    {
        await using var host = await ToteTestHost.StartAsync(app =>
        {
            for (var i = 0; i < requests.Length; i++)
            {
                var request = requests[i];
                app.MapPost($"/step/{i}", (Session session) => request(session));
            }
        });
        using var client = host.CreateClient();
        var bodies = new string[requests.Length];
        for (var i = 0; i < requests.Length; i++)
        {
            using var response = await client.PostAsync($"/step/{i}");
            bodies[i] = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"Step {i} answered {(int)response.StatusCode}: {bodies[i]}");
        }

        return bodies;
    }

    private sealed class PrefixedKey<T>(string name) : ISessionKey<T>
    {
        public string Name { get; } = "app:" + name;
    }

    private sealed class EmptyKey : ISessionKey<int>
    {
        public string Name => string.Empty;
    }
}
