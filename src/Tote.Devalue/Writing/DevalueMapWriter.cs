using System.Diagnostics.CodeAnalysis;

namespace Tote.Devalue;

/// <summary>
/// Writes a <c>Map</c> from string keys to plain objects straight from their parts: the same
/// text devalue writes for that map, without first building the map and one object per key only
/// for the writer to walk them again.
/// </summary>
/// <remarks>
/// <para>
/// Indexes follow devalue's pre-order exactly as for a <see cref="DevalueMap"/> of
/// <c>OrderedDictionary&lt;string, object?&gt;</c> values: the map, then per entry its key, its
/// object and the object's property values in order (none for an undefined one). Property values
/// are written as <see cref="ObjectConverter"/> writes them, so an <see cref="IDevalueWritable"/>
/// writes itself; when one refuses, the write is abandoned and <see cref="TryWrite"/> says so.
/// </para>
/// <para>
/// The text is meant to be stored as UTF-8, which cannot hold a lone surrogate: strings are
/// written with lone surrogates escaped (<c>"\ud800"</c>), which devalue reads back to the same
/// string. That is the one way this text differs from devalue's, which writes them raw.
/// </para>
/// </remarks>
internal readonly struct DevalueMapWriter
{
    private readonly DevalueWriter _writer;
    private readonly DevalueConverter<object?> _objects;

    private DevalueMapWriter(DevalueWriter writer)
    {
        _writer = writer;
        _objects = writer.Types.GetConverter<object?>();
    }

    /// <summary>Writes the map whose entries <paramref name="addEntries"/> adds, in order, with <see cref="Add"/>.</summary>
    /// <exception cref="DevalueException">A value cannot be written; its path names the key and property.</exception>
    /// <exception cref="InvalidOperationException">A value that writes itself refused; use <see cref="TryWrite"/> for values that may.</exception>
    public static string Write<TState>(DevalueOptions options, TState state, Action<DevalueMapWriter, TState> addEntries, out DevalueRepeats repeats)
        => DevalueWriter.Write(options, (state, addEntries), WriteMap, out repeats);

    /// <summary>
    /// As <see cref="Write"/>; <see langword="false"/>, with no text, when a value that writes
    /// itself (<see cref="IDevalueWritable"/>) refused.
    /// </summary>
    /// <exception cref="DevalueException">A value cannot be written; its path names the key and property.</exception>
    public static bool TryWrite<TState>(DevalueOptions options, TState state, Action<DevalueMapWriter, TState> addEntries, [NotNullWhen(true)] out string? text, out DevalueRepeats repeats)
        => DevalueWriter.TryWrite(options, (state, addEntries), WriteMap, out text, out repeats);

    private static int WriteMap<TState>(DevalueWriter writer, (TState State, Action<DevalueMapWriter, TState> AddEntries) s)
    {
        writer.WellFormed = true;

        // Reserved first, as devalue gives the map its index before its entries.
        var map = writer.Reserve();
        writer.EnterContainer();
        var mark = writer.StackMark;
        s.AddEntries(new DevalueMapWriter(writer), s.State);
        writer.WriteTaggedEntry(map, "Map", mark);
        writer.ExitContainer();
        return map;
    }

    /// <summary>
    /// Adds <c>key → { name: value, … }</c>; a <see cref="DevalueUndefined"/> value writes undefined.
    /// Returns <see langword="false"/> once the write is abandoned, for the caller to stop adding.
    /// </summary>
    /// <param name="key">The entry's key.</param>
    /// <param name="properties">The object's properties, in order; values are written as <see cref="ObjectConverter"/> writes them.</param>
    public bool Add(string key, params ReadOnlySpan<(string Name, object? Value)> properties)
    {
        var writer = _writer;
        if (writer.Abandoned)
        {
            return false;
        }

        writer.Push(writer.WriteString(key));
        var entry = writer.Reserve();
        writer.EnterContainer();
        var mark = writer.StackMark;
        foreach (var (name, value) in properties)
        {
            try
            {
                writer.Push(_objects.Write(writer, value));
            }
            catch (DevalueException ex) when (AddPath(ex, key, name))
            {
                throw;
            }
        }

        var children = writer.Children(mark);
        var start = writer.BeginEntry();
        writer.Append('{');
        for (var i = 0; i < properties.Length; i++)
        {
            writer.AppendProperty(i == 0, properties[i].Name, children[i]);
        }

        writer.Append('}');
        writer.EndEntry(entry, start);
        writer.PopTo(mark);
        writer.ExitContainer();
        writer.Push(entry);
        return !writer.Abandoned;
    }

    // The path from the map down, innermost step first: .get(key).name. Never catches.
    private static bool AddPath(DevalueException ex, string key, string name)
        => ex.AddPathStep(PathSegment.Key(name)) | ex.AddPathStep(PathSegment.MapEntry(key));
}
