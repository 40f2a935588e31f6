using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Tote.Http;

/// <summary>
/// Wraps the response body of a request that used its session, so that the session is saved
/// before the first byte of the response goes out. Until then writes are held in a buffer; if the
/// save fails, the held body and everything written after it are discarded and the response
/// becomes <see cref="ToteOptions.StoreFailureStatusCode"/>, instead of a success whose changes
/// were silently lost. Once saved, it passes everything straight through.
/// </summary>
internal sealed class SaveBeforeStartBodyFeature : IHttpResponseBodyFeature
{
    private readonly IHttpResponseBodyFeature _inner;
    // The session's one save trigger (see SessionResponse): it saves the first time, then answers the same.
    private readonly Func<ValueTask<bool>> _saveAsync;
    private readonly ArrayBufferWriter<byte> _held = new();
    private Mode _mode = Mode.Holding;
    private HoldingWriter? _writer;
    private Stream? _stream;

    public SaveBeforeStartBodyFeature(IHttpResponseBodyFeature inner, Func<ValueTask<bool>> saveAsync)
    {
        _inner = inner;
        _saveAsync = saveAsync;
    }

    private enum Mode
    {
        Holding,
        PassThrough,
        Discarding,
    }

    public Stream Stream => _stream ??= Writer.AsStream(leaveOpen: true);

    public PipeWriter Writer => _writer ??= new HoldingWriter(this);

    public void DisableBuffering() => _inner.DisableBuffering();

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (await SettleAsync().ConfigureAwait(false))
        {
            await _inner.StartAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        if (await SettleAsync().ConfigureAwait(false))
        {
            await _inner.SendFileAsync(path, offset, count, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task CompleteAsync()
    {
        await SettleAsync().ConfigureAwait(false);
        await _inner.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Drops what the endpoint wrote and is still held, as a response buffer would when the
    /// request fails before the response starts and an error response replaces it.
    /// </summary>
    public void DiscardHeld()
    {
        if (_mode == Mode.Holding)
        {
            _held.Clear();
        }
    }

    /// <summary>
    /// Waits for the session's save (running it, if nothing has yet), then passes what was held on
    /// or drops it. Returns whether writes go through.
    /// </summary>
    public async ValueTask<bool> SettleAsync()
    {
        if (_mode == Mode.Holding)
        {
            if (await _saveAsync().ConfigureAwait(false))
            {
                _mode = Mode.PassThrough;
                if (_held.WrittenCount > 0)
                {
                    _inner.Writer.Write(_held.WrittenSpan);
                }
            }
            else
            {
                _mode = Mode.Discarding;
            }

            _held.Clear();
        }

        return _mode == Mode.PassThrough;
    }

    private sealed class HoldingWriter(SaveBeforeStartBodyFeature feature) : PipeWriter
    {
        private PipeWriter Inner => feature._inner.Writer;

        private bool Passing => feature._mode == Mode.PassThrough;

        public override bool CanGetUnflushedBytes => !Passing || Inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => Passing ? Inner.UnflushedBytes : feature._held.WrittenCount;

        public override void Advance(int bytes)
        {
            if (Passing)
            {
                Inner.Advance(bytes);
            }
            else
            {
                feature._held.Advance(bytes);
            }
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => Passing ? Inner.GetMemory(sizeHint) : feature._held.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => Passing ? Inner.GetSpan(sizeHint) : feature._held.GetSpan(sizeHint);

        public override void CancelPendingFlush() => Inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            // Completing synchronously cannot wait for the save; the response-start hook saves instead.
            if (!Passing && feature._mode == Mode.Holding && feature._held.WrittenCount > 0)
            {
                Inner.Write(feature._held.WrittenSpan);
                feature._held.Clear();
            }

            Inner.Complete(exception);
        }

        public override async ValueTask CompleteAsync(Exception? exception = null)
        {
            await feature.SettleAsync().ConfigureAwait(false);
            await Inner.CompleteAsync(exception).ConfigureAwait(false);
        }

        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            if (await feature.SettleAsync().ConfigureAwait(false))
            {
                return await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            feature._held.Clear();
            return new FlushResult(isCanceled: false, isCompleted: false);
        }
    }
}
