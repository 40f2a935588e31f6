using System.Net;
using System.Net.Sockets;

namespace Tote.Redis.Tests.Servers;

/// <summary>Free TCP ports on the loopback interface.</summary>
internal static class FreePort
{
    /// <summary>A port nothing listens on right now (the OS picks it).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// A port for a Redis Cluster node: free, and so is the node's cluster bus port (port + 10000).
    /// Both stay below Linux's ephemeral range (32768 up), where an outgoing connection's local
    /// port, which a probe cannot see, would make the node's bind fail.
    /// </summary>
    public static int NextForClusterNode()
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var port = Random.Shared.Next(12000, 22000);
            if (IsFree(port) && IsFree(port + 10000))
            {
                return port;
            }
        }

        throw new InvalidOperationException("No free port pair (port, port + 10000) for a Redis Cluster node between 12000 and 32000.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
