namespace Tote.Drivers;

/// <summary>An optional driver capability: listing the IDs of live sessions (for admin tools and tests).</summary>
/// <remarks>
/// Leave out the record under the nil UUID (<c>00000000-0000-0000-0000-000000000000</c>): the core
/// keeps the key of session handles there, stored like a session but not one. It has no session
/// ID's form, so no client can name it.
/// </remarks>
public interface ISessionStoreEnumerator
{
    /// <summary>Lists the IDs of live sessions, in no particular order.</summary>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The IDs; sessions created or removed during the listing may or may not appear.</returns>
    IAsyncEnumerable<string> GetSessionIdsAsync(CancellationToken cancellationToken = default);
}
