using Tote.Diagnostics;

namespace Tote.Drivers.FileSystem;

/// <summary>How the <c>fs</c> driver keeps within <see cref="FileSessionStoreOptions.MaxSessions"/>: newcomers go first, returning visitors last.</summary>
internal sealed partial class FileSessionStore
{
    // The session is stored by now, and the caller must hear that: eviction neither takes the
    // caller's token (the store timeout would report a save that happened as failed) nor throws.
    // One evictor at a time; a writer that finds one at work leaves it the job, and the evictor
    // looks again after letting go, so a creation that arrived meanwhile is not missed.
    private async ValueTask EvictAfterSaveAsync(string keep)
    {
        try
        {
            while (_admission.IsOver && _evicting.Wait(0, CancellationToken.None))
            {
                bool exhausted;
                try
                {
                    exhausted = !await EvictAsync(keep).ConfigureAwait(false);
                }
                finally
                {
                    _evicting.Release();
                }

                if (exhausted)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Log.EvictionFailed(_logger, DriverName, ex);
        }
    }

    // Over the bound after creating `keep`: delete probationary files, oldest first, until back
    // within it. When the probation queue runs dry (after a restart, hints dropped, sessions other
    // processes created) the directory is listed, which refills it; only when that listing found
    // no session used once do established ones go, closest to expiry first (up to a tenth of the
    // bound per listing). Established sessions are evicted only when a newcomer finds no other
    // newcomer to evict, so listing stays rare. `keep` is never its own victim. False when no
    // candidate was left.
    private async ValueTask<bool> EvictAsync(string keep)
    {
        var probation = 0;
        var @protected = 0;
        var passedOverKeep = false;
        try
        {
            var listed = false;
            while (_admission.IsOver)
            {
                var isProtected = false;
                if (!_admission.TryTakeProbation(out var id))
                {
                    if (!listed)
                    {
                        listed = true;
                        passedOverKeep = true; // a listing leaves `keep` out of the candidates
                        List(keep);
                        continue;
                    }

                    // The listing just made found no session used once (or they are all gone now).
                    if (!_admission.TryTakeProtected(out id))
                    {
                        return false;
                    }

                    isProtected = true;
                }

                if (id == keep)
                {
                    passedOverKeep = true;
                    continue;
                }

                using var held = await _locks.AcquireAsync(id, CancellationToken.None).ConfigureAwait(false);
                var path = PathOf(id);
                var header = ReadLiveHeader(path);
                if (header is null)
                {
                    DeleteFile(id); // expired or malformed since: the sweeper's job, done early
                    continue;
                }

                var established = header.Value.Established ?? true;
                if (established && !isProtected)
                {
                    continue; // promoted since it was queued
                }

                DeleteFile(id);
                if (established)
                {
                    @protected++;
                }
                else
                {
                    probation++;
                }
            }

            return true;
        }
        finally
        {
            if (passedOverKeep)
            {
                // Still a session used once: a candidate for a later eviction, not this one.
                _admission.Requeue(keep);
            }

            _evictions.Evicted(probation, @protected);
        }
    }

    // Lists the directory to refill the count and the candidates.
    private void List(string keep)
    {
        var listing = new Listing(_admission.Begin());
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension))
        {
            var id = System.IO.Path.GetFileNameWithoutExtension(path);
            if (IsFileSafe(id) && ReadLiveHeader(path) is { } header)
            {
                listing.Add(id, header);
            }
        }

        listing.ApplyTo(_admission, keep);
    }

    /// <summary>What one listing of the directory found: the live count and the eviction candidates.</summary>
    private sealed class Listing(SessionFileAdmission.Mark mark)
    {
        private readonly List<(string Id, DateTimeOffset CreatedAt)> _probation = [];
        private readonly List<(string Id, DateTimeOffset ExpiresAt)> _established = [];
        private readonly HashSet<string> _live = new(StringComparer.Ordinal);

        public void Add(string id, RecordEnvelope.Header header)
        {
            _live.Add(id);
            if (header.Established ?? true)
            {
                _established.Add((id, header.ExpiresAt));
            }
            else
            {
                _probation.Add((id, header.CreatedAt));
            }
        }

        public void ApplyTo(SessionFileAdmission admission, string? keep)
        {
            var refill = Math.Max(1, admission.MaxSessions / 10);
            admission.Reset(
                mark,
                _live,
                _probation.Where(p => p.Id != keep).OrderBy(p => p.CreatedAt).Select(p => p.Id),
                _established.Where(e => e.Id != keep).OrderBy(e => e.ExpiresAt).Take(refill).Select(e => e.Id));
        }
    }
}
