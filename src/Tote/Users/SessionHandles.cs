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
/// <para>
/// The key (<see cref="HandleKeyRecord"/> finds it) is <see cref="ToteUsersOptions.HandleKey"/> when
/// set; else 256 random bits made once per store and kept in the store itself, protected with ASP.NET
/// Core Data Protection, so every instance sharing the store and the key ring computes the same
/// handles, and they survive restarts; over the in-process <c>memory</c> driver, whose sessions
/// live no longer than the process, random bits drawn at startup.
/// </para>
/// <para>
/// The key is not derived from the Data Protection ring itself: the ring rotates its default key
/// (every 90 days by default), so handles would change under live sessions, and it offers no
/// deterministic operation to derive one from; it only protects the stored key, so that reading the
/// store (or an Astro app sharing it) does not reveal it. The key is secret so that nobody who knows
/// an ID can tell its handle, and no handle can be tried against guessed IDs offline; the ID's 122
/// random bits already make a handle one-way.
/// </para>
/// </remarks>
internal sealed class SessionHandles
{
    public const int MinimumKeyLength = 32;

    // Session IDs are 36 ASCII characters; anything longer (only tests pass other strings) is encoded on the heap.
    private const int StackIdBytes = 64;

    // The keyed HMAC of the handles this thread used last, reset after each handle: keying
    // HMAC-SHA256 afresh for every handle was most of a listing's time (bench/README.md, "Users
    // and devices"). One app has one SessionHandles, so the owner changes only between test hosts.
    [ThreadStatic]
    private static (SessionHandles Owner, IncrementalHash Hmac)? t_keyed;

    private readonly byte[] _key;

    private SessionHandles(byte[] key) => _key = key;

    /// <summary>Handles under <see cref="ToteUsersOptions.HandleKey"/>.</summary>
    public static SessionHandles FromConfiguredKey(string key) => new(Encoding.UTF8.GetBytes(key));

    /// <summary>Handles under a key of random bytes (made or loaded by <see cref="HandleKeyRecord"/>).</summary>
    public static SessionHandles FromKey(byte[] key) => new(key);

    public string Of(string id)
    {
        Span<byte> utf8 = stackalloc byte[StackIdBytes];
        var hmac = KeyedHmac();
        if (Encoding.UTF8.TryGetBytes(id, utf8, out var written))
        {
            hmac.AppendData(utf8[..written]);
        }
        else
        {
            hmac.AppendData(Encoding.UTF8.GetBytes(id));
        }

        Span<byte> hash = stackalloc byte[HMACSHA256.HashSizeInBytes];
        hmac.GetHashAndReset(hash);
        return Base64Url.EncodeToString(hash[..16]);
    }

    private IncrementalHash KeyedHmac()
    {
        if (t_keyed is { } keyed && ReferenceEquals(keyed.Owner, this))
        {
            return keyed.Hmac;
        }

        t_keyed?.Hmac.Dispose();
        var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        t_keyed = (this, hmac);
        return hmac;
    }
}
