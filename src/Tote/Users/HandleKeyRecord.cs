using System.Buffers.Text;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Tote.Devalue;
using Tote.Drivers;
using Tote.Serialization;

namespace Tote.Users;

/// <summary>
/// The key of session handles as the session store keeps it: a record under the reserved ID
/// <see cref="Id"/>, which no client can name (its form is not a session ID's, so the strict ID
/// rules refuse it before any store call), holding 256 random bits protected with ASP.NET Core
/// Data Protection under the purpose <see cref="Purpose"/>.
/// </summary>
/// <remarks>
/// The record is an ordinary session record (Astro's devalue map, one key <see cref="EntryKey"/>),
/// so drivers store it as any session and an app sharing the store (Astro on the same Redis) sees
/// one more key, whose value it cannot read. It is created if missing with
/// <see cref="SessionVersion.Missing"/>; when two instances race, the store keeps one and both read
/// it back, so every instance sharing the store and the key ring computes the same handles. Its
/// expiry is far away and pushed further each time it is read (once per app start), so no sweep
/// takes it.
/// </remarks>
internal sealed class HandleKeyRecord
{
    /// <summary>
    /// The reserved ID: the nil UUID. Not of a session ID's form (version 4), so no cookie or header
    /// can name it; lowercase hex and dashes, so every built-in driver can store it (the fs driver
    /// makes it a file name).
    /// </summary>
    public const string Id = "00000000-0000-0000-0000-000000000000";

    public const string EntryKey = "tote:handle-key";

    public const string Purpose = "Tote.Users.HandleKey.v1";

    /// <summary>How far ahead the record expires; pushed on by a read that finds half of it gone.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    private const int KeyBytes = 32;

    // Far more than a protected 32-byte key needs; a longer record is not one Tote wrote, and is not parsed.
    private const int MaxRecordLength = 4096;

    private readonly SessionStoreClient _store;
    private readonly IDataProtectionProvider? _protection;
    private readonly TimeProvider _time;

    public HandleKeyRecord(SessionStoreClient store, IDataProtectionProvider? protection, TimeProvider time)
    {
        _store = store;
        _protection = protection;
        _time = time;
    }

    /// <summary>
    /// Loads the stored key or, with <paramref name="create"/>, makes and stores one when the store
    /// holds none; <see langword="null"/> when there is none and <paramref name="create"/> is off.
    /// </summary>
    /// <exception cref="SessionStoreException">The store failed; worth trying again later.</exception>
    /// <exception cref="InvalidOperationException">The stored key cannot be read (another key ring, or a damaged record); trying again does not help.</exception>
    public async Task<byte[]?> LoadAsync(bool create, CancellationToken cancellationToken)
    {
        var protector = _protection?.CreateProtector(Purpose) ?? throw new InvalidOperationException(
            "Tote keeps the key of session handles in the session store, protected with ASP.NET Core Data Protection, but no IDataProtectionProvider is registered. Call services.AddDataProtection(), or set Tote:Users:HandleKey.");

        var loaded = await _store.LoadAsync(Id, slide: null, cancellationToken).ConfigureAwait(false);
        if (loaded is null)
        {
            if (!create)
            {
                return null;
            }

            var now = _time.GetUtcNow();
            var record = new SessionRecord { Data = Write(protector.Protect(RandomNumberGenerator.GetBytes(KeyBytes))), CreatedAt = now, ExpiresAt = now + Lifetime };

            // A conflict means another instance stored its key first. Either way the key in use is the
            // one read back: a driver without compare-and-swap (distributed-cache) keeps the last
            // writer's. Reading it once also tells the fs driver it is in use, so a flood of new
            // sessions does not evict it.
            await _store.SaveAsync(Id, record, SessionVersion.Missing, cancellationToken).ConfigureAwait(false);
            loaded = await _store.LoadAsync(Id, slide: null, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException(
                    $"The '{_store.Driver}' session store did not keep the key of session handles that Tote stored under the reserved ID {Id}: it could not be read back. Check that the store keeps what it is given, or set Tote:Users:HandleKey.");
        }
        else if (loaded.Value.Record.ExpiresAt - _time.GetUtcNow() < Lifetime / 2)
        {
            // Pushed on only when half the lifetime is gone, so that an app's start writes nothing.
            await _store.RefreshAsync(Id, _time.GetUtcNow() + Lifetime, cancellationToken).ConfigureAwait(false);
        }

        return Unprotect(protector, Read(loaded.Value.Record.Data));
    }

    private static string Write(byte[] protectedKey)
    {
        var entries = new OrderedDictionary<string, SessionEntry>(StringComparer.Ordinal)
        {
            [EntryKey] = SessionEntry.Pending(Base64Url.EncodeToString(protectedKey), expires: null),
        };
        return SessionRecordFormat.Write(entries);
    }

    private string Read(string data)
    {
        try
        {
            if (data.Length <= MaxRecordLength
                && SessionRecordFormat.Read(data).TryGetValue(EntryKey, out var entry)
                && entry.Read<string>() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (Exception ex) when (ex is DevalueException or FormatException)
        {
            // Falls through to the error below, which says what to do.
        }

        throw new InvalidOperationException(
            $"The record under the reserved ID {Id} in the '{_store.Driver}' session store is not the key of session handles that Tote writes (it lacks a readable '{EntryKey}' value). Something else wrote or damaged it. Delete that record so that Tote makes a new key at the next start (every handle then changes, and the devices page shows new ones), or set Tote:Users:HandleKey.");
    }

    private byte[] Unprotect(IDataProtector protector, string text)
    {
        try
        {
            var key = protector.Unprotect(Base64Url.DecodeFromChars(text));
            if (key.Length == KeyBytes)
            {
                return key;
            }
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            throw Unreadable(ex);
        }

        throw Unreadable(inner: null);
    }

    private InvalidOperationException Unreadable(Exception? inner) => new(
        $"Tote cannot read the key of session handles kept in the '{_store.Driver}' session store (under the reserved ID {Id}): it was protected with an ASP.NET Core Data Protection key this app instance does not have{(inner is null ? "" : " (" + inner.Message + ")")}. "
        + "Every instance sharing the store must share the Data Protection key ring: persist it where all of them read it, under one application name (services.AddDataProtection().SetApplicationName(\"…\").PersistKeysToFileSystem(…), PersistKeysToStackExchangeRedis(…) or PersistKeysToDbContext(…)); a key ring that lives only in memory is lost at each restart. "
        + "Or set Tote:Users:HandleKey to the same random string of at least 32 characters on every instance.",
        inner);
}
