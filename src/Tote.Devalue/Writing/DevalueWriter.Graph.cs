using System.Runtime.CompilerServices;

namespace Tote.Devalue;

/// <content>The graph being written: the stack of a container's children, the nesting depth, and where copied fragments' entries went.</content>
internal sealed partial class DevalueWriter
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(int index)
    {
        if (_stackLength == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }

        _stack[_stackLength++] = index;
    }

    public ReadOnlySpan<int> Children(int mark) => _stack.AsSpan(mark, _stackLength - mark);

    public void PopTo(int mark) => _stackLength = mark;

    /// <summary>
    /// Where this write put the entries of <paramref name="reader"/>'s document copied so far, so
    /// that fragments of one document keep sharing what they share there.
    /// </summary>
    public int[] GetFragmentMap(DevalueReader reader)
    {
        _fragmentMaps ??= [];
        foreach (var (known, map) in _fragmentMaps)
        {
            if (ReferenceEquals(known, reader))
            {
                return map;
            }
        }

        var created = new int[reader.EntryCount];
        _fragmentMaps.Add((reader, created));
        return created;
    }

    /// <summary>Counts one level of nesting; throws past <see cref="DevalueOptions.MaxDepth"/>.</summary>
    public void EnterContainer()
    {
        if (++_depth > Options.MaxDepth)
        {
            throw Limit($"The value is nested more than {Options.MaxDepth} levels deep (DevalueOptions.MaxDepth). Flatten it, or raise the limit.");
        }
    }

    public void ExitContainer() => _depth--;
}
