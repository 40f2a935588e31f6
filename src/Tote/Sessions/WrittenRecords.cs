using System.Runtime.CompilerServices;

namespace Tote.Sessions;

/// <summary>
/// The record texts this process's session core wrote and still holds somewhere, told apart by
/// reference: an in-process store (the memory driver) hands the very same string back on load,
/// and text Tote wrote was checked and held to the size limit when it was written, so loading it
/// need not check it again. Any other store returns a new string, which is checked in full.
/// </summary>
internal static class WrittenRecords
{
    // Keys are compared by reference and held weakly: an entry goes when its text is collected.
    private static readonly ConditionalWeakTable<string, object?> Written = [];

    public static void Remember(string data) => Written.AddOrUpdate(data, null);

    public static bool WroteThis(string data) => Written.TryGetValue(data, out _);
}
