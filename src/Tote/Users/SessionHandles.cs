using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Tote.Users;

/// <summary>
/// Turns a session ID into its handle: the first 16 bytes of HMAC-SHA256(key, ID), base64url
/// (22 characters). Stable for an ID, different for a new ID, one-way, and never of the form of
/// an ID (a UUID), so a handle sent as a cookie is rejected before any store call.
/// </summary>
/// <remarks>
/// The key is <see cref="ToteUsersOptions.HandleKey"/>, or else a built-in constant. A key derived
/// from the Data Protection key ring was considered and rejected: the ring rotates its default key
/// (every 90 days by default), so handles would change under live sessions, and it offers no
/// deterministic operation to derive one from. The built-in key suffices for what a handle must
/// do: the ID it hashes has 122 random bits, so a handle reveals nothing and cannot be turned back
/// into an ID; the key only separates handles from every other hash of the ID (such as
/// <c>SessionIdHash</c> in logs). Every instance sharing a store computes the same handles as long
/// as they share the configured key or all use the built-in one.
/// </remarks>
internal sealed class SessionHandles
{
    public const int MinimumKeyLength = 32;

    private static readonly byte[] BuiltInKey = Encoding.UTF8.GetBytes("Tote.Users.SessionHandle.v1/built-in-key");

    private readonly byte[] _key;

    public SessionHandles(string? key) => _key = key is null ? BuiltInKey : Encoding.UTF8.GetBytes(key);

    public string Of(string id)
    {
        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(id), hash);
        return Base64Url.EncodeToString(hash[..16]);
    }
}
