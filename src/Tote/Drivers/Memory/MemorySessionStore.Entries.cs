namespace Tote.Drivers.Memory;

/// <content>One stored session and the admission segments (probation, protected) that order them.</content>
internal sealed partial class MemorySessionStore
{
    private sealed class Entry(string id, SessionRecord record, long bytes)
    {
        public string Id { get; } = id;

        /// <summary>What a load returns; replaced, never changed, when the expiry moves.</summary>
        public SessionRecord Record { get; set; } = record;

        public long Bytes { get; } = bytes;

        public DateTimeOffset ExpiresAt => Record.ExpiresAt;

        public SessionVersion Version => Record.Version;

        public bool IsDamaged { get; set; }

        /// <summary>Whether the session core saved the record (see <see cref="IInProcessSessionStore"/>).</summary>
        public bool WrittenByCore { get; init; }

        /// <summary>The admission segment that holds the entry; <see langword="null"/> once removed.</summary>
        public Segment? Segment { get; set; }

        public Entry? Previous { get; set; }

        public Entry? Next { get; set; }
    }

    /// <summary>One admission segment: an intrusive doubly linked list, oldest or least recently used first.</summary>
    private sealed class Segment
    {
        public Entry? First { get; private set; }

        private Entry? Last { get; set; }

        public void AddLast(Entry entry)
        {
            entry.Segment = this;
            entry.Previous = Last;
            entry.Next = null;
            if (Last is null)
            {
                First = entry;
            }
            else
            {
                Last.Next = entry;
            }

            Last = entry;
        }

        public void Remove(Entry entry)
        {
            if (entry.Previous is null)
            {
                First = entry.Next;
            }
            else
            {
                entry.Previous.Next = entry.Next;
            }

            if (entry.Next is null)
            {
                Last = entry.Previous;
            }
            else
            {
                entry.Next.Previous = entry.Previous;
            }

            entry.Previous = entry.Next = null;
            entry.Segment = null;
        }
    }
}
