namespace Tote.Drivers;

/// <summary>What <see cref="SessionStoreClient.LoadAsync"/> found.</summary>
/// <param name="Record">The record.</param>
/// <param name="Slid">Whether the load also slid its expiry in the store (<see cref="ISessionStoreSlidingLoader"/>).</param>
/// <param name="WrittenByCore">Whether the record is text this process's session core saved, handed back untouched (<see cref="IInProcessSessionStore"/>).</param>
internal readonly record struct StoreLoad(SessionRecord Record, bool Slid, bool WrittenByCore = false);
