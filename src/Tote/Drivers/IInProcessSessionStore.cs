namespace Tote.Drivers;

/// <summary>
/// An internal driver capability of the in-process <c>memory</c> driver: it remembers which
/// records the session core itself saved through it, and says so when it hands one back
/// (<see cref="StoreLoad.WrittenByCore"/>). Text the core wrote was checked and held to the size
/// limit when it was written, so loading it back need not check it again; a record saved by
/// anyone else through <see cref="ISessionStore.SaveAsync"/> is checked in full.
/// </summary>
/// <remarks>
/// A capability of the load result rather than a flag on <see cref="SessionRecord"/>, so the
/// public record carries nothing only one driver needs. Out-of-process drivers always return
/// new text, which must be checked anyway.
/// </remarks>
internal interface IInProcessSessionStore
{
    /// <summary>Saves as <see cref="ISessionStore.SaveAsync"/> does, remembering that the session core wrote the record.</summary>
    ValueTask<SessionVersion?> SaveWrittenByCoreAsync(string id, SessionRecord record, SessionVersion expectedVersion, CancellationToken cancellationToken);

    /// <summary>Loads as <see cref="ISessionStore.LoadAsync"/> does, saying whether the session core wrote the record.</summary>
    ValueTask<StoreLoad?> LoadWithProvenanceAsync(string id, CancellationToken cancellationToken);
}
