using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Tote.Cookies;
using Tote.Diagnostics;
using Tote.Drivers;
using Tote.Sessions;
using Tote.Users;

namespace Tote.Authentication;

/// <summary>
/// Keeps one cookie scheme's authentication tickets in the Tote store
/// (<c>StoreAuthenticationTickets()</c>): each ticket is a session record under a fresh session
/// ID, which is the key the cookie handler puts in its protected cookie. A ticket bound to its
/// principal's user is listed and revoked by <see cref="UserSessions"/> like any signed-in session.
/// </summary>
/// <remarks>
/// Every store call goes through <see cref="SessionStoreClient"/> (timeout, circuit breaker,
/// telemetry); a store failure is a <see cref="SessionStoreException"/>, which <c>UseTote</c>
/// turns into 503 when authentication runs inside it. Logs name a ticket by its handle, never by
/// its key.
/// </remarks>
internal sealed class ToteTicketStore : ITicketStore
{
    // Each conflict means a concurrent renewal of the same ticket made progress; the bound only
    // turns a misbehaving driver into a skipped renewal instead of a spin.
    private const int MaxRenewAttempts = 10;

    private readonly SessionRuntime _runtime;
    private readonly UserBinding _binding;

    public ToteTicketStore(SessionRuntime runtime, string scheme)
    {
        _runtime = runtime;
        Scheme = scheme;

        // Used only for NewBinding, the one rule for what a binding records (user agent, IP).
        _binding = new UserBinding(runtime);
    }

    /// <summary>The cookie scheme whose tickets this store keeps.</summary>
    public string Scheme { get; }

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreCoreAsync(ticket, null, CancellationToken.None);

    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) => StoreCoreAsync(ticket, null, cancellationToken);

    public Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken) => StoreCoreAsync(ticket, httpContext, cancellationToken);

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewCoreAsync(key, ticket, null, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) => RenewCoreAsync(key, ticket, null, cancellationToken);

    public Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext httpContext, CancellationToken cancellationToken) => RenewCoreAsync(key, ticket, httpContext, cancellationToken);

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveCoreAsync(key, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) => RetrieveCoreAsync(key, cancellationToken);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken) => RetrieveCoreAsync(key, cancellationToken);

    public Task RemoveAsync(string key) => RemoveCoreAsync(key, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => RemoveCoreAsync(key, cancellationToken);

    public Task RemoveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken) => RemoveCoreAsync(key, cancellationToken);

    /// <summary>
    /// The user a ticket belongs to: its <see cref="ClaimTypes.NameIdentifier"/> claim (what
    /// ASP.NET Core Identity and most external providers put the user's key in), else the
    /// identity's name; <see langword="null"/> for none.
    /// </summary>
    /// <exception cref="InvalidOperationException">The user ID is longer than the index allows.</exception>
    public static string? UserIdOf(ClaimsPrincipal principal)
    {
        var userId = principal.FindFirst(ClaimTypes.NameIdentifier)?.Value;
        if (string.IsNullOrEmpty(userId))
        {
            userId = principal.Identity?.Name;
        }

        if (string.IsNullOrEmpty(userId))
        {
            return null;
        }

        // Failing the sign-in is safer than storing the ticket unbound: "sign out everywhere"
        // would then silently miss it.
        return userId.Length <= UserDirectory.MaxUserIdLength
            ? userId
            : throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"The principal signing in has a user ID (its NameIdentifier claim, else its name) of {userId.Length} characters; Tote binds authentication tickets to user IDs of at most {UserDirectory.MaxUserIdLength}. Put a short, stable key of the user (a database ID) in the NameIdentifier claim."));
    }

    /// <summary>
    /// The ticket's handle for a log line. Logging never loads the handle key (a store call, or a
    /// failure of its own when the key ring differs), so before the key is loaded the line says so.
    /// </summary>
    private string HandleOf(string key) => _runtime.Users.LoadedHandles?.Of(key) ?? "(handle key not loaded yet)";

    private async Task<string> StoreCoreAsync(AuthenticationTicket ticket, HttpContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var id = SessionIds.New();
        var now = _runtime.Expiry.Now;
        var userId = UserIdOf(ticket.Principal);
        var binding = userId is null ? null : _binding.NewBinding(userId, context);
        if (binding is not null)
        {
            // A bound ticket is listed by its handle: load the key before anything is stored.
            await _runtime.Users.LoadHandlesAsync(cancellationToken).ConfigureAwait(false);
        }

        var record = new SessionRecord { Data = Write(ticket, binding), CreatedAt = now, ExpiresAt = ExpiryOf(ticket, now) };

        // The index entry first, as for any bound session: a crash before the save leaves a stale
        // entry that listing removes, never a signed-in device missing from the user's list.
        if (binding is not null && _runtime.Users.HasIndex)
        {
            await _runtime.Users.WriteEntryAsync(id, Bound(binding), record.ExpiresAt, cancellationToken).ConfigureAwait(false);
        }

        if (await _runtime.Store.SaveAsync(id, record, SessionVersion.Missing, cancellationToken).ConfigureAwait(false) is null)
        {
            // 122 random bits: a collision means the store is misbehaving, not bad luck.
            throw new SessionStoreException(_runtime.Store.Driver, "save", timedOut: false,
                $"The '{_runtime.Store.Driver}' session store refused to create an authentication ticket under a fresh random ID; the driver's compare-and-swap is broken.", innerException: null);
        }

        _runtime.Store.Telemetry.Saved();
        _runtime.Store.Telemetry.Created();
        var handle = HandleOf(id);
        Log.TicketStored(_runtime.Logger, Scheme, handle);
        if (userId is null)
        {
            Log.TicketUnbound(_runtime.Logger, Scheme);
            return id;
        }

        // DESIGN §12: ToteEvents.OnSignedIn is raised here, after the save, with the handle and user ID.
        await _runtime.Users.EnforceLimitAsync(userId, id, cancellationToken).ConfigureAwait(false);
        return id;
    }

    private async Task<AuthenticationTicket?> RetrieveCoreAsync(string key, CancellationToken cancellationToken)
    {
        // The key comes out of the cookie handler's protected payload, but is checked as strictly
        // as a session cookie: a store sees only IDs of the form Tote issues.
        if (!SessionIds.IsWellFormed(key))
        {
            return null;
        }

        var record = await LoadLiveAsync(key, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            // Revoked, expired or signed out on another request. DESIGN §12: OnRevoked is raised by
            // UserDirectory.RevokeAsync when the ticket is revoked, not here at the device's next request.
            Log.TicketNotFound(_runtime.Logger, Scheme, HandleOf(key));
            return null;
        }

        var tooLarge = record.Data.Length > _runtime.Options.MaxSessionSize;
        var problem = SessionExpiryPolicy.HasImpossibleTimes(record, _runtime.Expiry.Now)
            ? "It was created after it expires, or in the future."
            : tooLarge
                ? string.Create(CultureInfo.InvariantCulture, $"It is {record.Data.Length} characters, over the limit of {_runtime.Options.MaxSessionSize} (Tote:MaxSessionSize).")
                : null;
        var contents = problem is null ? TicketRecord.Read(record.Data) : new TicketRecord.Contents(problem);
        if (contents.Ticket is { } ticket)
        {
            return ticket;
        }

        if (!contents.IsTicket)
        {
            Log.NotATicket(_runtime.Logger, Scheme, HandleOf(key));
            return null;
        }

        Log.CorruptTicket(_runtime.Logger, Scheme, HandleOf(key), contents.Problem ?? "");
        _runtime.Store.Telemetry.Corrupt(tooLarge ? "too_large" : "malformed");
        await _runtime.Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Rewrites the ticket (the cookie handler renews it as its sliding expiration moves) by
    /// compare-and-swap on the version it loaded: a ticket revoked or signed out meanwhile is
    /// never recreated, as a session's save never recreates a deleted session.
    /// </summary>
    private async Task RenewCoreAsync(string key, AuthenticationTicket ticket, HttpContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        if (!SessionIds.IsWellFormed(key))
        {
            return;
        }

        var handle = HandleOf(key);
        for (var attempt = 1; attempt <= MaxRenewAttempts; attempt++)
        {
            var stored = await LoadLiveAsync(key, cancellationToken).ConfigureAwait(false);
            if (stored is null)
            {
                Log.TicketEndedBeforeRenewal(_runtime.Logger, Scheme, handle);
                return;
            }

            var previous = TicketRecord.ReadBinding(stored.Data);
            var userId = UserIdOf(ticket.Principal);
            var now = _runtime.Expiry.Now;

            // The same user keeps the sign-in time, user agent and address the entry shows.
            var binding = userId is null ? null
                : userId == previous?.UserId ? BindingOf(previous)
                : _binding.NewBinding(userId, context);
            var rebound = userId != previous?.UserId;
            var record = new SessionRecord { Data = Write(ticket, binding), CreatedAt = stored.CreatedAt, ExpiresAt = ExpiryOf(ticket, now) };
            if (binding is not null && rebound && _runtime.Users.HasIndex)
            {
                // A new user's entry goes before the save, as at sign-in.
                await _runtime.Users.WriteEntryAsync(key, Bound(binding), record.ExpiresAt, cancellationToken).ConfigureAwait(false);
            }

            if (await _runtime.Store.SaveAsync(key, record, stored.Version, cancellationToken).ConfigureAwait(false) is null)
            {
                _runtime.Store.Telemetry.ConflictRetried();
                continue;
            }

            _runtime.Store.Telemetry.Saved();
            Log.TicketRenewed(_runtime.Logger, Scheme, handle);
            if (!_runtime.Users.HasIndex)
            {
                return;
            }

            if (rebound && previous is not null)
            {
                await _runtime.Users.RemoveEntryAsync(previous.UserId, key, cancellationToken).ConfigureAwait(false);
            }
            else if (!rebound && binding is not null)
            {
                await RefreshEntryAsync(key, Bound(binding), record.ExpiresAt, cancellationToken).ConfigureAwait(false);
            }

            return;
        }
    }

    /// <summary>Signs the ticket out: its record first, then its index entry, so a crash in between leaves at worst a stale entry.</summary>
    private async Task RemoveCoreAsync(string key, CancellationToken cancellationToken)
    {
        if (!SessionIds.IsWellFormed(key))
        {
            return;
        }

        var stored = await _runtime.Store.LoadPlainAsync(key, cancellationToken).ConfigureAwait(false);
        var bound = stored is null ? null : TicketRecord.ReadBinding(stored.Data);
        await _runtime.Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        if (bound is not null && _runtime.Users.HasIndex)
        {
            await _runtime.Users.RemoveEntryAsync(bound.UserId, key, cancellationToken).ConfigureAwait(false);
        }

        _runtime.Store.Telemetry.Destroyed();
        Log.TicketRemoved(_runtime.Logger, Scheme, HandleOf(key));

        // DESIGN §12: ToteEvents.OnDestroyed is raised here (a sign-out), with the handle and user ID.
    }

    /// <summary>The record, when it is live by the app's clock (a driver's clock may lag).</summary>
    private async ValueTask<SessionRecord?> LoadLiveAsync(string key, CancellationToken cancellationToken)
    {
        var record = await _runtime.Store.LoadPlainAsync(key, cancellationToken).ConfigureAwait(false);
        return record is not null && record.ExpiresAt > _runtime.Expiry.Now ? record : null;
    }

    /// <summary>
    /// After a renewal the entry's last-seen and expiry follow, as they follow a session's slide. A
    /// failure leaves the entry a renewal behind, which listing tolerates, so the request does not fail.
    /// </summary>
    private async ValueTask RefreshEntryAsync(string key, UserBinding.Bound bound, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        try
        {
            await _runtime.Users.WriteEntryAsync(key, bound, expiresAt, cancellationToken).ConfigureAwait(false);
        }
        catch (SessionStoreException ex)
        {
            Log.UserSessionRefreshFailed(_runtime.Logger, ex, HandleOf(key));
        }
    }

    /// <summary>
    /// The cookie handler always sets <see cref="AuthenticationProperties.ExpiresUtc"/> (from
    /// <see cref="CookieAuthenticationOptions.ExpireTimeSpan"/>), so the scheme decides a ticket's
    /// lifetime; Tote's expiry policy applies only to a ticket that carries none.
    /// </summary>
    private DateTimeOffset ExpiryOf(AuthenticationTicket ticket, DateTimeOffset now)
        => ticket.Properties.ExpiresUtc ?? _runtime.Expiry.ExpiryAt(now, now);

    private string Write(AuthenticationTicket ticket, string?[]? binding)
    {
        var data = TicketRecord.Write(ticket, binding);
        var limit = _runtime.Options.MaxSessionSize;
        return data.Length <= limit
            ? data
            : throw new SessionTooLargeException(TicketRecord.Key, data.Length, limit,
                string.Create(CultureInfo.InvariantCulture, $"The authentication ticket of the '{Scheme}' cookie scheme would be a record of {data.Length} characters, over the limit of {limit} (Tote:MaxSessionSize). Put fewer or smaller claims in the principal, or raise the limit."));
    }

    private static UserBinding.Bound Bound(string?[] binding)
        => new(binding[0]!, DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(binding[1]!, NumberStyles.None, CultureInfo.InvariantCulture)), binding[2], binding[3]);

    private static string?[] BindingOf(UserBinding.Bound bound)
        => [bound.UserId, bound.SignedInAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), bound.UserAgent, bound.IpAddress];
}
