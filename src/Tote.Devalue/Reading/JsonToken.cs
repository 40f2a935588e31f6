namespace Tote.Devalue;

internal enum JsonTokenKind : byte
{
    None = 0,
    Array,
    Object,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>One JSON value in the token table: where its text is and, for containers, where its subtree ends.</summary>
internal struct JsonToken
{
    public JsonTokenKind Kind;
    public bool HasEscapes;

    /// <summary>For numbers: whether the text is a plain integer of at most nine digits, held in <see cref="Integer"/>.</summary>
    public bool IsSmallInteger;
    public int Integer;

    /// <summary>For strings and numbers: where the text starts (strings: at the opening quote); unset for containers.</summary>
    public int Start;

    /// <summary>For strings and numbers: the length of the text, quotes included; unset for containers.</summary>
    public int Length;

    /// <summary>For containers: the number of elements (arrays) or properties (objects).</summary>
    public int Count;

    /// <summary>The index of the first token after this value and everything inside it.</summary>
    public int Next;
}
