using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;
using Tote.Cookies;
using Tote.Drivers;
using Tote.Sessions;
using Tote.Users;

namespace Tote;

/// <summary>The per-application services every <see cref="Session"/> shares; one instance per app.</summary>
internal sealed class SessionRuntime
{
    public SessionRuntime(ToteOptions options, SessionStoreClient store, TimeProvider time, ILogger logger, SessionIdTransport transport, ToteUsersOptions? users = null, IDataProtectionProvider? protection = null)
    {
        Options = options;
        Store = store;
        Time = time;
        Logger = logger;
        Transport = transport;
        Expiry = new SessionExpiryPolicy(options, time);
        Users = new UserDirectory(this, users ?? new ToteUsersOptions(), protection);
    }

    public ToteOptions Options { get; }

    public SessionStoreClient Store { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public SessionIdTransport Transport { get; }

    public SessionExpiryPolicy Expiry { get; }

    /// <summary>Users and devices: handles and the per-user index (DESIGN §10).</summary>
    public UserDirectory Users { get; }
}
