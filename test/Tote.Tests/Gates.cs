using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Tote.Tests;

/// <summary>
/// Holds requests at a known point so a test can interleave them: a gated request loads the
/// session, reports that it has, and waits to be released before it writes.
/// </summary>
internal sealed class Gates
{
    private readonly ConcurrentDictionary<string, Gate> _gates = new();

    public Gate this[string name] => _gates.GetOrAdd(name, _ => new Gate());

    /// <summary>
    /// Sends a gated request for session <paramref name="id"/>, runs <paramref name="meanwhile"/>
    /// once it has loaded the session, then lets it finish and returns its response.
    /// </summary>
    public async Task<HttpResponseMessage> WhileInFlightAsync(Tote.Testing.SessionClient client, string gate, string path, string id, Func<Task> meanwhile)
    {
        var inFlight = client.SendWithIdAsync(HttpMethod.Post, path, id);
        await this[gate].Arrived;
        await meanwhile();
        this[gate].Release();
        return await inFlight;
    }

    /// <summary>Maps <c>/gated/{gate}/set/{key}/{value}</c> (load, wait at the gate, set) and <c>/gated/{gate}/append/{item}</c> (the same with an atomic update).</summary>
    public void Map(WebApplication app)
    {
        app.MapPost("/gated/{gate}/set/{key}/{value}", async (Session session, string gate, string key, string value) =>
        {
            await session.GetAsync<string>(key);
            await this[gate].ArriveAsync();
            session.Set(key, value);
            return "ok";
        });
        app.MapPost("/gated/{gate}/append/{item}", async (Session session, string gate, string item) =>
        {
            await session.GetAsync(SessionApi.Cart);
            await this[gate].ArriveAsync();
            var cart = await session.UpdateAsync(SessionApi.Cart, c => [.. c ?? [], item]);
            return $"{session.Id}|{string.Join(",", cart)}";
        });
    }

    internal sealed class Gate
    {
        private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Arrived => _arrived.Task;

        public void Release() => _released.TrySetResult();

        public async Task ArriveAsync()
        {
            _arrived.TrySetResult();
            await _released.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
