using Microsoft.Extensions.Logging;
using Tote.Cookies;
using Tote.Drivers;
using Tote.Sessions;

namespace Tote;

/// <summary>The per-application services every <see cref="Session"/> shares; one instance per app.</summary>
internal sealed class SessionRuntime
{
    public SessionRuntime(ToteOptions options, SessionStoreClient store, TimeProvider time, ILogger logger, SessionIdTransport transport)
    {
        Options = options;
        Store = store;
        Time = time;
        Logger = logger;
        Transport = transport;
        Expiry = new SessionExpiryPolicy(options, time);
    }

    public ToteOptions Options { get; }

    public SessionStoreClient Store { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    public SessionIdTransport Transport { get; }

    public SessionExpiryPolicy Expiry { get; }
}
