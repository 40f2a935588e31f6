using System.Buffers;
using Microsoft.AspNetCore.Authentication;
using Tote.Devalue;
using Tote.Serialization;
using Tote.Sessions;

namespace Tote.Authentication;

/// <summary>
/// A cookie-authentication ticket as a Tote session record, in Astro's record format (a devalue
/// <c>Map</c>, docs/architecture.md#record-format): the ticket, serialized by
/// <see cref="TicketSerializer.Default"/> and base64-encoded, under the reserved key
/// <see cref="Key"/>, and the user binding under <see cref="UserBinding.Key"/> when the principal
/// has a user ID. An Astro app sharing the store sees two opaque string keys.
/// </summary>
internal static class TicketRecord
{
    /// <summary>The reserved key of the ticket; namespaced, as <see cref="UserBinding.Key"/> is, so no app key collides with it.</summary>
    public const string Key = "tote:ticket";

    /// <summary>The record of <paramref name="ticket"/>, bound by <paramref name="binding"/> (<see cref="UserBinding"/>'s value) when given.</summary>
    public static string Write(AuthenticationTicket ticket, string?[]? binding)
    {
        var entries = new OrderedDictionary<string, SessionEntry>(2, StringComparer.Ordinal)
        {
            [Key] = SessionEntry.Pending(Convert.ToBase64String(TicketSerializer.Default.Serialize(ticket)), expires: null),
        };
        if (binding is not null)
        {
            entries[UserBinding.Key] = SessionEntry.Pending(binding, expires: null);
        }

        return SessionRecordFormat.Write(entries);
    }

    /// <summary>
    /// Reads a stored record. Everything in it may be hostile (a store another app shares, or an
    /// attacker reached): any text that is not a record Tote wrote reads as a problem, never an exception.
    /// </summary>
    /// <param name="data">The stored record.</param>
    /// <returns>The ticket and binding, or what is wrong with the record.</returns>
    public static Contents Read(string data)
    {
        OrderedDictionary<string, SessionEntry> entries;
        DevalueDocument document;
        try
        {
            entries = SessionRecordFormat.Read(data, checkAll: true, out document);
        }
        catch (FormatException ex)
        {
            return new Contents(Problem: ex.Message);
        }

        try
        {
            if (!entries.TryGetValue(Key, out var entry))
            {
                return new Contents(Problem: null, IsTicket: false);
            }

            var ticket = ReadTicket(entry, out var problem);
            return ticket is null
                ? new Contents(problem)
                : new Contents(Problem: null, Ticket: ticket, Binding: UserBinding.Read(entries));
        }
        finally
        {
            document.Release();
        }
    }

    /// <summary>The binding of a stored record; <see langword="null"/> when it has none or is not a record Tote wrote.</summary>
    public static UserBinding.Bound? ReadBinding(string data)
    {
        OrderedDictionary<string, SessionEntry> entries;
        DevalueDocument document;
        try
        {
            entries = SessionRecordFormat.Read(data, checkAll: true, out document);
        }
        catch (FormatException)
        {
            return null;
        }

        try
        {
            return UserBinding.Read(entries);
        }
        finally
        {
            document.Release();
        }
    }

    private static AuthenticationTicket? ReadTicket(SessionEntry entry, out string? problem)
    {
        string? text;
        try
        {
            text = entry.Read<string>();
        }
        catch (DevalueException ex)
        {
            problem = $"The '{Key}' value is not a string: {ex.Reason}";
            return null;
        }

        if (string.IsNullOrEmpty(text))
        {
            problem = $"The '{Key}' value is empty.";
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(text.Length / 4 * 3 + 3);
        try
        {
            if (!Convert.TryFromBase64String(text, buffer, out var length))
            {
                problem = $"The '{Key}' value is not base64.";
                return null;
            }

            // TicketSerializer reads with a BinaryReader, which reports damaged input with any of
            // these (a bad string encoding is an ArgumentException); each is this record's problem, not the store's or the app's.
            try
            {
                using var reader = new BinaryReader(new MemoryStream(buffer, 0, length, writable: false));
                var ticket = TicketSerializer.Default.Read(reader);
                problem = ticket is null ? "The ticket was written by an unknown TicketSerializer format version." : null;
                return ticket;
            }
            catch (Exception ex) when (ex is IOException or FormatException or ArgumentException or InvalidOperationException or OverflowException)
            {
                problem = $"The ticket cannot be deserialized ({ex.GetType().Name}).";
                return null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>What a stored record holds.</summary>
    /// <param name="Problem">Why the record is corrupt; <see langword="null"/> when it is not.</param>
    /// <param name="IsTicket">Whether the record holds a ticket key at all (a session's record does not).</param>
    /// <param name="Ticket">The ticket, when the record is a readable ticket.</param>
    /// <param name="Binding">The user binding, when it has one.</param>
    public readonly record struct Contents(string? Problem, bool IsTicket = true, AuthenticationTicket? Ticket = null, UserBinding.Bound? Binding = null);
}
