using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Tote.Drivers.FileSystem;

/// <content>
/// The per-user index (<see cref="ISessionStoreUserIndex"/>): one small file per entry,
/// <c>.users/{user}/{session ID}</c>, where <c>{user}</c> is the SHA-256 of the user ID in hex.
/// </content>
/// <remarks>
/// A file per entry rather than a file per user: concurrent sign-ins of one user each write their
/// own file (an atomic rename, like a session file), so they never race on a shared list and need
/// no lock; listing a user is a directory listing. The user ID is hashed because it may be
/// anything (<c>/</c>, <c>..</c>, unicode): it never becomes part of a path itself.
/// </remarks>
internal sealed partial class FileSessionStore
{
    /// <summary>The most entries one listing examines; see <see cref="ListUserSessionsAsync"/>.</summary>
    internal const int DefaultMaxEntriesPerList = 10_000;

    private const string UsersFolder = ".users";

    // Set retries when a listing or sweep removed the user's (then empty) directory between its
    // creating the directory and writing into it; each retry means another caller made progress.
    private const int MaxSetAttempts = 5;

    private static readonly System.Buffers.SearchValues<char> LowerHexChars = System.Buffers.SearchValues.Create("0123456789abcdef");

    public ValueTask SetUserSessionAsync(string userId, UserSessionIndexEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(entry);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfUnsafe(entry.SessionId);
        var bytes = UserIndexEntryFile.Write(entry);
        var directory = UserDirectoryOf(userId);
        for (var attempt = 1; ; attempt++)
        {
            // The parent first: a directory created along the way would get the umask's mode, not 0700.
            CreatePrivateDirectory(System.IO.Path.GetDirectoryName(directory)!);
            CreatePrivateDirectory(directory);
            try
            {
                Replace(System.IO.Path.Combine(directory, entry.SessionId), bytes, cancellationToken);
                return ValueTask.CompletedTask;
            }
            catch (DirectoryNotFoundException) when (attempt < MaxSetAttempts)
            {
            }
        }
    }

    public ValueTask RemoveUserSessionAsync(string userId, string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(sessionId);
        cancellationToken.ThrowIfCancellationRequested();
        if (IsFileSafe(sessionId))
        {
            var directory = UserDirectoryOf(userId);
            DeleteEntry(System.IO.Path.Combine(directory, sessionId));
            DeleteIfEmpty(directory);
        }

        return ValueTask.CompletedTask;
    }

    /// <remarks>
    /// Costs a directory listing plus, per entry, a read of the entry file and of the session
    /// file's header (not its data). Examines at most <see cref="MaxEntriesPerList"/> entries, so
    /// that a directory flooded with files (a bug, or hostile content) cannot make one call
    /// unbounded: a user with more live sessions than that sees some of them only, and a backlog
    /// of dead entries drains over later listings and sweeps.
    /// </remarks>
    public ValueTask<IReadOnlyList<UserSessionIndexEntry>> ListUserSessionsAsync(string userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userId);
        cancellationToken.ThrowIfCancellationRequested();
        var directory = UserDirectoryOf(userId);
        var live = new List<UserSessionIndexEntry>();
        var (examined, kept) = (0, 0);
        foreach (var (id, path) in EntriesIn(directory))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (++examined > MaxEntriesPerList)
            {
                kept++;
                break;
            }

            if (CheckEntry(path, id, out var removed) is { } listed)
            {
                live.Add(listed);
            }

            kept += removed ? 0 : 1;
        }

        // Only after removing every entry it saw: trying on every listing would mostly fail.
        if (examined > 0 && kept == 0)
        {
            DeleteIfEmpty(directory);
        }

        return ValueTask.FromResult<IReadOnlyList<UserSessionIndexEntry>>(live);
    }

    /// <summary>The most entries one listing examines (<see cref="DefaultMaxEntriesPerList"/>; lower in tests).</summary>
    internal int MaxEntriesPerList { get; init; } = DefaultMaxEntriesPerList;

    /// <summary>Test hook: the directory that holds <paramref name="userId"/>'s entries.</summary>
    internal string UserDirectoryOf(string userId)
    {
        // The UTF-16 code units themselves, not an encoding of them: UTF-8 would map every lone
        // surrogate to U+FFFD, so two distinct user IDs could share one list.
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(MemoryMarshal.AsBytes(userId.AsSpan()), hash);
        return System.IO.Path.Combine(Directory, UsersFolder, Convert.ToHexStringLower(hash));
    }

    // The sweep's part: entries whose session is gone go past the grace, as at listing, for the
    // users nobody lists; stray temporary files of crashed writers go after an hour. Every entry
    // is examined, however many: the sweep runs in the background, and is what drains a backlog.
    private void SweepUserIndex(CancellationToken cancellationToken)
    {
        var root = System.IO.Path.Combine(Directory, UsersFolder);
        if (!System.IO.Directory.Exists(root))
        {
            return;
        }

        var now = _time.GetUtcNow();
        foreach (var directory in System.IO.Directory.EnumerateDirectories(root))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsUserDirectoryName(System.IO.Path.GetFileName(directory)))
            {
                continue; // not the driver's: left alone
            }

            foreach (var (id, path) in EntriesIn(directory))
            {
                cancellationToken.ThrowIfCancellationRequested();
                CheckEntry(path, id, out _);
            }

            foreach (var temp in SafeEnumerateFiles(directory, "*" + TempExtension))
            {
                if (now - new DateTimeOffset(File.GetLastWriteTimeUtc(temp), TimeSpan.Zero) > OrphanAge)
                {
                    DeleteEntry(temp);
                }
            }

            DeleteIfEmpty(directory);
        }
    }

    // The entry with its session's current expiry when the session is live. Otherwise null, and
    // the entry file is deleted when it is past the grace, or unreadable (no sign-in is pending on
    // it then: a write replaces an entry file whole, so a reader never sees one half written).
    // An unreadable entry of a live session is kept: the session's next slide rewrites it.
    private UserSessionIndexEntry? CheckEntry(string path, string id, out bool removed)
    {
        removed = false;
        var entry = UserIndexEntryFile.Read(path);
        var session = ReadLiveHeaderOrNull(PathOf(id));
        if (session is { } header)
        {
            return entry is null ? null : new UserSessionIndexEntry
            {
                SessionId = id,
                SignedInAt = entry.SignedInAt,
                LastSeenAt = entry.LastSeenAt,
                ExpiresAt = header.ExpiresAt,
                UserAgent = entry.UserAgent,
                IpAddress = entry.IpAddress,
            };
        }

        if (entry is null || entry.LastSeenAt < _time.GetUtcNow() - UserSessionIndexEntry.PendingEntryGrace)
        {
            DeleteEntry(path);
            removed = true;
        }

        return null;
    }

    // The session file's live header; null also when the session's path is not a readable file
    // (hostile store content must not break a user's listing).
    private RecordEnvelope.Header? ReadLiveHeaderOrNull(string path)
    {
        try
        {
            return ReadLiveHeader(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    // The entry files of a user's directory: names shaped like a session ID only, so a name
    // planted in the directory never reaches a path as anything but a file of this directory.
    // Subdirectories are not files and are skipped; so are temporary files (their names have dots).
    private static IEnumerable<(string Id, string Path)> EntriesIn(string directory)
    {
        foreach (var path in SafeEnumerateFiles(directory, "*"))
        {
            var name = System.IO.Path.GetFileName(path);
            if (IsFileSafe(name))
            {
                yield return (name, path);
            }
        }
    }

    // A directory removed meanwhile, or a file where the directory should be, means "no files".
    // Lazy, so a listing that stops at its bound never reads the rest of a flooded directory.
    private static IEnumerable<string> SafeEnumerateFiles(string directory, string pattern)
    {
        IEnumerator<string> files;
        try
        {
            files = System.IO.Directory.EnumerateFiles(directory, pattern).GetEnumerator();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        using (files)
        {
            while (true)
            {
                try
                {
                    if (!files.MoveNext())
                    {
                        yield break;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    yield break;
                }

                yield return files.Current;
            }
        }
    }

    private static void DeleteEntry(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    // Leaves no directory behind a user who has no entries; a directory that is not empty (a
    // concurrent sign-in just wrote into it), or gone already, stays as it is.
    private static void DeleteIfEmpty(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, recursive: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static bool IsUserDirectoryName(string name)
        => name.Length == SHA256.HashSizeInBytes * 2 && name.AsSpan().IndexOfAnyExcept(LowerHexChars) < 0;
}
