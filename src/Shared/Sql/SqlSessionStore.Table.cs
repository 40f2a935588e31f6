using Microsoft.Extensions.Logging;

namespace Tote.Sql;

/// <summary>The table a SQL store needs: created once, at startup or at the first statement, before any statement runs.</summary>
internal abstract partial class SqlSessionStore
{
    private readonly bool _createTable;
    private readonly Lock _tableLock = new();
    private Task? _tableCreation;
    private volatile bool _tableReady;

    /// <summary>
    /// Creates the table now if the options ask for it. A database that cannot be reached yet does
    /// not stop the app: the failure is logged and creation is tried again at the first request.
    /// </summary>
    public void PrepareTable()
    {
        if (_tableReady)
        {
            return;
        }

        try
        {
            EnsureTableAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        }
#pragma warning disable CA1031 // Any failure here is retried at the first request, where it becomes a 503.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.TableNotReady(Logger, DriverName, Statements.Table, ex);
        }
    }

    /// <summary>Checks cancellation and makes sure the table exists before a statement runs.</summary>
    protected ValueTask BeginAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return _tableReady ? ValueTask.CompletedTask : EnsureTableAsync(cancellationToken);
    }

    private ValueTask EnsureTableAsync(CancellationToken cancellationToken)
    {
        // One creation at a time, shared by every caller waiting for it; a failed one is tried again by the next caller.
        Task creation;
        lock (_tableLock)
        {
            if (_tableCreation is null || _tableCreation.IsFaulted || _tableCreation.IsCanceled)
            {
                _tableCreation = CreateTableOnceAsync();
            }

            creation = _tableCreation;
        }

        return new ValueTask(creation.WaitAsync(cancellationToken));
    }

    private async Task CreateTableOnceAsync()
    {
        if (_createTable)
        {
            await CreateTableAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _tableReady = true;
    }
}
