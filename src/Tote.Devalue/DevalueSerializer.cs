namespace Tote.Devalue;

/// <summary>
/// Reads and writes the devalue format of devalue 5.9.4 byte for byte: the format Astro's
/// sessions are stored in. Handles shared references, cycles, <c>undefined</c>, <c>-0</c>,
/// <c>NaN</c>, dates, maps, sets, big integers, URLs, regular expressions and binary data.
/// </summary>
/// <remarks>
/// <para>
/// Untyped reads (<see cref="Deserialize(string, DevalueOptions?)"/>) return natural .NET types;
/// the table is in <c>docs/devalue.md</c>. For every string devalue produces,
/// <c>Serialize(Deserialize(s)) == s</c>.
/// </para>
/// <para>
/// Typed reads and writes bind POCOs, records, collections, dictionaries, enums and the common
/// BCL value types, taking names and shape from <see cref="DevalueOptions.JsonSerializerOptions"/>.
/// .NET values with no JavaScript twin (decimal, long beyond 2^53, sub-millisecond times,
/// Guid, DateOnly, TimeSpan) round-trip exactly through typed reads, written in a form devalue can parse.
/// </para>
/// <para>All methods are thread-safe. Every rejected input throws <see cref="DevalueException"/>.</para>
/// </remarks>
public static class DevalueSerializer
{
    /// <summary>Serializes a value, choosing how to write it from its runtime type.</summary>
    /// <param name="value">The value; <see langword="null"/> writes <c>[null]</c>.</param>
    /// <param name="options">Options; <see cref="DevalueOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>The devalue text.</returns>
    /// <exception cref="DevalueException">The value, or something inside it, cannot be serialized; <see cref="DevalueException.Path"/> says where.</exception>
    public static string Serialize(object? value, DevalueOptions? options = null)
        => DevalueWriter.WriteAs(value, typeof(object), options ?? DevalueOptions.Default);

    /// <summary>Serializes a value as its declared type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The declared type; <see cref="object"/> dispatches on the runtime type.</typeparam>
    /// <param name="value">The value.</param>
    /// <param name="options">Options; <see cref="DevalueOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>The devalue text.</returns>
    /// <exception cref="DevalueException">The value, or something inside it, cannot be serialized; <see cref="DevalueException.Path"/> says where.</exception>
    public static string Serialize<T>(T value, DevalueOptions? options = null)
        => DevalueWriter.Write(value, options ?? DevalueOptions.Default);

    /// <summary>Serializes a value as the given declared type.</summary>
    /// <param name="value">The value.</param>
    /// <param name="type">The declared type of the value.</param>
    /// <param name="options">Options; <see cref="DevalueOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>The devalue text.</returns>
    /// <exception cref="DevalueException">The value, or something inside it, cannot be serialized.</exception>
    public static string Serialize(object? value, Type type, DevalueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        return DevalueWriter.WriteAs(value, type, options ?? DevalueOptions.Default);
    }

    /// <summary>Parses devalue text into natural .NET types (see <c>docs/devalue.md</c>).</summary>
    /// <param name="text">The devalue text.</param>
    /// <param name="options">Options; <see cref="DevalueOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>The value; JavaScript <c>undefined</c> is <see cref="DevalueUndefined.Value"/>.</returns>
    /// <exception cref="DevalueException">The text is not devalue, or exceeds a limit of <paramref name="options"/>.</exception>
    public static object? Deserialize(string text, DevalueOptions? options = null)
        => DevalueReader.ReadAs(text, typeof(object), options ?? DevalueOptions.Default);

    /// <summary>Parses devalue text into a <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The type to bind to.</typeparam>
    /// <param name="text">The devalue text.</param>
    /// <param name="options">Options; <see cref="DevalueOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>
    /// The value; <c>undefined</c> and <c>null</c> give <see langword="null"/> for reference and
    /// nullable types (a non-nullable value type such as <see cref="int"/> cannot hold them and throws).
    /// </returns>
    /// <exception cref="DevalueException">The text is not devalue, does not fit <typeparamref name="T"/>, or exceeds a limit.</exception>
    public static T? Deserialize<T>(string text, DevalueOptions? options = null)
        => DevalueReader.Read<T>(text, options ?? DevalueOptions.Default);

    /// <summary>Parses devalue text into the given type.</summary>
    /// <param name="text">The devalue text.</param>
    /// <param name="type">The type to bind to.</param>
    /// <param name="options">Options; <see cref="DevalueOptions.Default"/> when <see langword="null"/>.</param>
    /// <returns>The value.</returns>
    /// <exception cref="DevalueException">The text is not devalue, does not fit <paramref name="type"/>, or exceeds a limit.</exception>
    public static object? Deserialize(string text, Type type, DevalueOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(type);
        return DevalueReader.ReadAs(text, type, options ?? DevalueOptions.Default);
    }
}
