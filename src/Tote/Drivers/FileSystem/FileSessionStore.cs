using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Tote.Diagnostics;
using Tote.Drivers.Hosting;

namespace Tote.Drivers.FileSystem;

/// <summary>
/// The <c>fs</c> driver, Tote's default: one file per session, <c>{id}.session</c>, holding a
/// <see cref="RecordEnvelope"/>. Reads take no lock (a file is only ever replaced whole, by a
/// rename); writers take the session's <see cref="SessionFileLocks"/> stripe, check the stored
/// version and rename a fully written temporary file over the old one. That makes
/// compare-and-swap hold between threads and between processes sharing the directory.
/// </summary>
internal sealed class FileSessionStore : ISessionStore, ISessionStoreSweeper, ISessionStoreEnumerator, IHostedSessionStore, IDisposable
{
    public const string DriverName = "fs";

    private const string Extension = ".session";
    private const string TempExtension = ".tmp";

    private static readonly System.Buffers.SearchValues<char> IdChars = System.Buffers.SearchValues.Create("0123456789abcdef-");

    // A temporary file older than this belongs to a writer that crashed between write and rename.
    private static readonly TimeSpan OrphanAge = TimeSpan.FromHours(1);

    private readonly TimeProvider _time;
    private readonly SessionFileLocks _locks;
    private readonly bool _flush;

    public FileSessionStore(string directory, FileSessionStoreOptions options, TimeProvider time)
    {
        Directory = System.IO.Path.GetFullPath(directory);
        SweepInterval = options.SweepInterval;
        _flush = options.FlushToDisk;
        _time = time;
        CreatePrivateDirectory(Directory);
        _locks = new SessionFileLocks(System.IO.Path.Combine(Directory, ".locks"));
    }

    /// <summary>The full path of the directory that holds the session files.</summary>
    public string Directory { get; }

    public TimeSpan? SweepInterval { get; }

    public ValueTask<SessionRecord?> LoadAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(IsFileSafe(id) ? ReadLive(PathOf(id)) : null);
    }

    public async ValueTask<SessionVersion?> SaveAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfUnsafe(id);
        var version = RecordEnvelope.NewVersion();
        var bytes = RecordEnvelope.Write(record, version);
        using var held = await _locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
        var path = PathOf(id);
        var current = ReadLive(path);
        var matches = expectedVersion.IsMissing ? current is null : current?.Version == expectedVersion;
        if (!matches)
        {
            return null;
        }

        Replace(path, bytes, cancellationToken);
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
        File.Delete(PathOf(id));
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
        var current = ReadLive(path);
        if (current is null)
        {
            return false;
        }

        Replace(path, RecordEnvelope.WriteRefreshed(current, expiresAt), cancellationToken);
        return true;
    }

    public async ValueTask<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var removed = 0;
        var now = _time.GetUtcNow();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = System.IO.Path.GetFileNameWithoutExtension(path);
            if (!IsFileSafe(id) || ReadLiveHeader(path) is not null)
            {
                continue;
            }

            // Check again under the lock: a writer may have replaced the file since.
            using var held = await _locks.AcquireAsync(id, cancellationToken).ConfigureAwait(false);
            if (ReadLiveHeader(path) is null && File.Exists(path))
            {
                File.Delete(path);
                removed++;
            }
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + TempExtension))
        {
            if (now - new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero) > OrphanAge)
            {
                File.Delete(path);
            }
        }

        return removed;
    }

    public async IAsyncEnumerable<string> GetSessionIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = System.IO.Path.GetFileNameWithoutExtension(path);
            if (IsFileSafe(id) && ReadLiveHeader(path) is not null)
            {
                yield return id;
            }
        }
    }

    public void Announce(ILogger logger) => Log.FileStoreStarted(logger, Directory);

    public void Dispose() => _locks.Dispose();

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
    // the same blocking calls to another thread-pool thread.
    private SessionRecord? ReadLive(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        return RecordEnvelope.ReadLive(bytes, _time.GetUtcNow());
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
    private void Replace(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var temp = path + "." + Guid.NewGuid().ToString("N") + TempExtension;
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
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
