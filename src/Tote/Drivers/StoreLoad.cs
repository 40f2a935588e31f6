namespace Tote.Drivers;

/// <summary>A record <see cref="SessionStoreClient.LoadAsync"/> found, and whether the load also slid its expiry in the store.</summary>
internal readonly record struct StoreLoad(SessionRecord Record, bool Slid);
