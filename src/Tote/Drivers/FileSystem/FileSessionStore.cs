using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Tote.Diagnostics;

namespace Tote.Drivers.FileSystem;

/// <summary>
/// The <c>fs</c> driver, Tote's default: one file per session, <c>{id}.session</c>, holding a
/// <see cref="RecordEnvelope"/>. Reads take no lock (a file is only ever replaced whole, by a
/// rename); writers take the session's <see cref="SessionFileLocks"/> stripe, check the stored
/// version and rename a fully written temporary file over the old one. That makes
/// compare-and-swap hold between threads and between processes sharing the directory.
/// </summary>
/// <remarks>
/// <para>Bounded by <see cref="FileSessionStoreOptions.MaxSessions"/>: a session file starts on
/// probation (header flag <c>0</c>) and becomes established (<c>1</c>) when the session is loaded,
/// saved or refreshed again. Over the bound, the store deletes probationary files first, oldest
/// first, and established ones (closest to expiry first) only when none is left, so a flood of
/// one-request sessions cannot push out returning visitors. See <see cref="SessionFileAdmission"/>
/// for how it counts without listing the directory per request.</para>
/// <para>In-process writers of one session take turns (<see cref="ISessionWriterTurns"/>), so a
/// burst of writes to one hot session lands in full instead of exhausting the core's retries.</para>
/// </remarks>
internal sealed partial class FileSessionStore : ISessionStore, ISessionStoreSweeper, ISessionStoreEnumerator, ISessionWriterTurns, ISessionStoreUserIndex, IDisposable
{
    public const string DriverName = "fs";

    private const string Extension = ".session";
    private const string TempExtension = ".tmp";

    private static readonly System.Buffers.SearchValues<char> IdChars = System.Buffers.SearchValues.Create("0123456789abcdef-");

    // A temporary file older than this belongs to a writer that crashed between write and rename.
    private static readonly TimeSpan OrphanAge = TimeSpan.FromHours(1);

    private readonly TimeProvider _time;
    private readonly SessionFileLocks _locks;
    private readonly SessionWriterTurns _turns = new();
    private readonly SessionFileAdmission _admission;
    private readonly SessionEvictions _evictions;
    private readonly SemaphoreSlim _evicting = new(1, 1);
    private readonly ILogger _logger;
    private readonly bool _flush;

    public FileSessionStore(string directory, FileSessionStoreOptions options, TimeProvider time, ILogger? logger = null, ToteTelemetry? telemetry = null)
    {
        Directory = System.IO.Path.GetFullPath(directory);
        SweepInterval = options.SweepInterval;
        _flush = options.FlushToDisk;
        _time = time;
        CreatePrivateDirectory(Directory);
        _locks = new SessionFileLocks(System.IO.Path.Combine(Directory, ".locks"));

        _logger = logger ?? NullLogger.Instance;

        // One listing at startup (names only); from then on the count is kept, not listed.
        _admission = new SessionFileAdmission(options.MaxSessions, System.IO.Directory.EnumerateFiles(Directory, "*" + Extension).LongCount());
        _evictions = new SessionEvictions(
            DriverName,
            string.Create(CultureInfo.InvariantCulture, $"Tote:FileSystem:MaxSessions {options.MaxSessions}"),
            time,
            _logger,
            telemetry);
    }

    /// <summary>The full path of the directory that holds the session files.</summary>
    public string Directory { get; }

    public TimeSpan SweepInterval { get; }

    /// <summary>The number of session files this process counts (test hook and for the bound).</summary>
    internal long Count => _admission.Count;

    public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsFileSafe(id))
        {
            return ValueTask.FromResult<SessionRecord?>(null);
        }

        var record = ReadLive(PathOf(id), out var established);
        return record is null || established
            ? ValueTask.FromResult(record)
            : PromoteAsync(id, cancellationToken);
    }

    public ValueTask<IDisposable> TakeTurnAsync(string id, CancellationToken cancellationToken) => _turns.TakeAsync(id, cancellationToken);

    public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfUnsafe(id);
        var version = RecordEnvelope.NewVersion();

        // A save that expects a stored version is the session's visitor coming back: established.
        var creates = expectedVersion.IsMissing;
        var bytes = RecordEnvelope.Write(record, version, established: !creates);
        using (await _locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false))
        {
            var path = PathOf(id);
            var current = ReadLive(path, out _);
            var matches = creates ? current is null : current?.Version == expectedVersion;
            if (!matches)
            {
                return null;
            }

            Replace(path, bytes, cancellationToken);
        }

        if (creates)
        {
            _admission.Created(id);
            if (_admission.IsOver)
            {
                await EvictAfterSaveAsync(id).ConfigureAwait(false);
            }
        }

        return version;
    }

    public async ValueTask DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsFileSafe(id))
        {
            return;
        }

        using var held = await _locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        DeleteFile(id);
    }

    public async ValueTask<bool> RefreshAsync(string id, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!IsFileSafe(id))
        {
            return false;
        }

        using var held = await _locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var path = PathOf(id);
        var current = ReadLive(path, out _);
        if (current is null)
        {
            return false;
        }

        // The core refreshes a session only when a later request used it: established.
        Replace(path, RecordEnvelope.WriteRefreshed(current, expiresAt, established: true), cancellationToken);
        return true;
    }

    public async ValueTask<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var removed = 0;
        var now = _time.GetUtcNow();
        var listing = new Listing(_admission.Begin());
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = System.IO.Path.GetFileNameWithoutExtension(path);
            if (!IsFileSafe(id))
            {
                continue;
            }

            if (ReadLiveHeader(path) is { } header)
            {
                listing.Add(id, header);
                continue;
            }

            // Check again under the lock: a writer may have replaced the file since.
            using var held = await _locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
            if (ReadLiveHeader(path) is { } replaced)
            {
                listing.Add(id, replaced);
            }
            else if (File.Exists(path))
            {
                File.Delete(path);
                removed++;
            }
        }

        listing.ApplyTo(_admission, keep: null);

        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + TempExtension))
        {
            if (now - new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero) > OrphanAge)
            {
                File.Delete(path);
            }
        }

        SweepUserIndex(cancellationToken);
        return removed;
    }

    public async IAsyncEnumerable<string> GetSessionIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = System.IO.Path.GetFileNameWithoutExtension(path);
            if (IsFileSafe(id) && id != Users.HandleKeyRecord.Id && ReadLiveHeader(path) is not null)
            {
                yield return id;
            }
        }
    }

    public void Dispose()
    {
        _locks.Dispose();
        _evicting.Dispose();
    }

    /// <summary>Test hook: the file that holds <paramref name="id"/>.</summary>
    internal string PathOf(string id) => System.IO.Path.Combine(Directory, id + Extension);

    // Session files hold visitors' data: on Unix a directory the store creates is for the app's
    // user only (0700). An existing directory keeps the permissions its owner gave it.
    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(path);
        }
        else
        {
            System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    // The core passes only UUIDs; anything else could name a path outside the directory.
    private static bool IsFileSafe(string id)
        => id.Length is >= 2 and <= 64
            && char.IsAsciiHexDigitLower(id[0]) && char.IsAsciiHexDigitLower(id[1])
            && id.AsSpan().IndexOfAnyExcept(IdChars) < 0;

    private static void ThrowIfUnsafe(string id)
    {
        if (!IsFileSafe(id))
        {
            throw new ArgumentException("A session ID for the fs driver must be lowercase hex digits and dashes (a UUID).", nameof(id));
        }
    }

    // A live, well-formed record; null for a missing, expired or malformed one. Synchronous file
    // access throughout: session files are small, and the async file API on Unix would only move
    // the same blocking calls to another thread-pool thread. A file without the established flag
    // was written before the bound existed, by a version that knew no probation: established.
    private SessionRecord? ReadLive(string path, out bool established)
    {
        established = false;
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (!RecordEnvelope.TryRead(bytes, out var record, out var header) || !header.IsLive(_time.GetUtcNow()))
        {
            return null;
        }

        established = header.Established ?? true;
        return record;
    }

    // The session was used again after the request that created it: mark it established, keeping
    // its version and expiry so that no concurrent save conflicts. Once per session, then loads
    // are plain reads again.
    private async ValueTask<SessionRecord?> PromoteAsync(string id, CancellationToken cancellationToken)
    {
        using var held = await _locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var path = PathOf(id);
        var current = ReadLive(path, out var established);
        if (current is not null && !established)
        {
            Replace(path, RecordEnvelope.WriteRefreshed(current, current.ExpiresAt, established: true), cancellationToken);
        }

        // Null when the session was deleted or expired meanwhile; a newer record when it was saved.
        return current;
    }

    private void DeleteFile(string id)
    {
        var path = PathOf(id);
        if (File.Exists(path))
        {
            File.Delete(path);
            _admission.Removed(id);
        }
    }

    // The header of a live, well-formed record, read without the data.
    private RecordEnvelope.Header? ReadLiveHeader(string path)
    {
        Span<byte> buffer = stackalloc byte[RecordEnvelope.MaxHeaderBytes];
        int read;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return RecordEnvelope.TryReadHeader(buffer[..read], out var header, out _) && header.IsLive(_time.GetUtcNow())
            ? header
            : null;
    }

    // Write the whole record to a new file, then rename it over the old one: readers see the old
    // record or the new one, never a mix, and a crash leaves at most an orphaned temporary file.
    // The file is created 0600 on Unix (the mode survives the rename): session data is for the
    // app's user only, whatever the umask, even in a directory someone else made readable.
    private void Replace(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var temp = path + "." + Guid.NewGuid().ToString("N") + TempExtension;
        try
        {
            using (var stream = new FileStream(temp, PrivateFile.CreateNew()))
            {
                stream.Write(bytes);
                if (_flush)
                {
                    stream.Flush(flushToDisk: true);
                }
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
