using System.Security.Cryptography;
using System.Text;

namespace Tote.Diagnostics;

/// <summary>
/// A session ID as it may appear in logs: the first 8 hex digits of its SHA-256, computed only
/// when a log line is written. Enough to correlate lines, useless for taking over a session.
/// </summary>
internal readonly struct SessionIdHash
{
    // Private on purpose: structured-log sinks serialize public members, and the raw ID must never reach them.
    private readonly string? _id;

    public SessionIdHash(string? id) => _id = id;

    public override string ToString()
    {
        if (_id is null)
        {
            return "none";
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(_id), hash);
        return Convert.ToHexStringLower(hash[..4]);
    }
}
