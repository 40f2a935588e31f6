namespace Tote.Drivers;

/// <summary>An optional driver capability: listing the IDs of live sessions (for admin tools and tests).</summary>
public interface ISessionStoreEnumerator
{
    /// <summary>Lists the IDs of live sessions, in no particular order.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The IDs; sessions created or removed during the listing may or may not appear.</returns>
    IAsyncEnumerable<string> GetSessionIdsAsync(CancellationToken cancellationToken = default);
}
