using System.Globalization;
using System.Runtime.CompilerServices;

namespace Tote.Devalue;

/// <content>The text of the entries: appended to one buffer as each entry completes, joined in index order at the end.</content>
internal sealed partial class DevalueWriter
{
    /// <summary>Starts the text of a compound entry; every child must already be written.</summary>
    public int BeginEntry() => _length;

    /// <summary>Ends the text of a compound entry started at <paramref name="start"/>.</summary>
    public void EndEntry(int index, int start) => Complete(index, start);

    public void Append(char c)
    {
        EnsureCapacity(1);
        _chars[_length++] = c;
    }

    public void Append(ReadOnlySpan<char> raw)
    {
        EnsureCapacity(raw.Length);
        raw.CopyTo(_chars.AsSpan(_length));
        _length += raw.Length;
    }

    public void AppendInt(long value)
    {
        EnsureCapacity(20);
        _length += FormatInt(value, _chars.AsSpan(_length));
    }

    /// <summary>
    /// Room for at least <paramref name="sizeHint"/> characters at the end of the text; write
    /// into it, then call <see cref="Advance"/> with the count written.
    /// </summary>
    public Span<char> GetSpan(int sizeHint)
    {
        EnsureCapacity(sizeHint);
        return _chars.AsSpan(_length);
    }

    public void Advance(int count) => _length += count;

    /// <summary>Formats an index or length; small non-negative values (nearly all) take a short path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int FormatInt(long value, Span<char> destination)
    {
        if ((ulong)value < 10)
        {
            destination[0] = (char)('0' + value);
            return 1;
        }

        if ((ulong)value < 100)
        {
            destination[1] = (char)('0' + (value % 10));
            destination[0] = (char)('0' + (value / 10));
            return 2;
        }

        value.TryFormat(destination, out var written, default, CultureInfo.InvariantCulture);
        return written;
    }

    public void AppendQuoted(ReadOnlySpan<char> value)
    {
        EnsureCapacity(JsString.MaxEscapedLength(value.Length));
        _length += JsString.Write(value, _chars.AsSpan(_length), WellFormed);
    }

    /// <summary>Appends one <c>"name":child</c> of an object entry, after a comma unless it is the first.</summary>
    public void AppendProperty(bool first, ReadOnlySpan<char> name, int child)
    {
        if (!first)
        {
            Append(',');
        }

        AppendQuoted(name);
        Append(':');
        AppendInt(child);
    }

    /// <summary>Writes <c>{"key":i,…}</c>-style separators: a comma before every child but the first.</summary>
    public void AppendChildList(ReadOnlySpan<int> children, char open, char close)
    {
        // An index has at most 11 characters with its comma: reserve once, write unchecked.
        var span = GetSpan(2 + (children.Length * 12));
        var written = 0;
        span[written++] = open;
        for (var i = 0; i < children.Length; i++)
        {
            if (i > 0)
            {
                span[written++] = ',';
            }

            written += FormatInt(children[i], span[written..]);
        }

        span[written++] = close;
        Advance(written);
    }

    /// <summary>Writes <c>["Tag",child,…]</c> from the children pushed since <paramref name="mark"/>, then pops them.</summary>
    public int WriteTaggedEntry(int index, string tag, int mark)
    {
        var start = BeginEntry();
        Append("[\"");
        Append(tag);
        Append('"');
        foreach (var child in Children(mark))
        {
            Append(',');
            AppendInt(child);
        }

        Append(']');
        EndEntry(index, start);
        PopTo(mark);
        return index;
    }

    private void Complete(int index, int start)
    {
        _starts[index] = start;
        _lengths[index] = _length - start;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureCapacity(int additional)
    {
        if (_length + additional > _chars.Length)
        {
            Grow(additional);
        }
    }

    private void Grow(int additional) =>
        Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + additional));

    private string Finish(int root)
    {
        if (root == Hole)
        {
            // A hole exists only inside an array; standing alone it reads as undefined.
            root = Undefined;
        }

        if (root < 0)
        {
            // A root that is itself a special value is written as the bare number.
            return root.ToString(CultureInfo.InvariantCulture);
        }

        var total = 2 + Math.Max(0, _count - 1);
        for (var i = 0; i < _count; i++)
        {
            total += _lengths[i];
        }

        return string.Create(total, this, static (span, writer) =>
        {
            span[0] = '[';
            var position = 1;
            for (var i = 0; i < writer._count; i++)
            {
                if (i > 0)
                {
                    span[position++] = ',';
                }

                writer._chars.AsSpan(writer._starts[i], writer._lengths[i]).CopyTo(span[position..]);
                position += writer._lengths[i];
            }

            span[position] = ']';
        });
    }
}
