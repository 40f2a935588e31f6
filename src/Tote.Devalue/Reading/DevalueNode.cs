namespace Tote.Devalue;

/// <summary>What an entry of devalue text holds, as far as a converter needs to know.</summary>
internal enum DevalueNode : byte
{
    Undefined,
    Null,
    Boolean,
    Number,
    String,
    Object,
    Array,
    SparseArray,
    Date,
    Set,
    Map,
    RegExp,
    Boxed,
    BigInt,
    NullPrototypeObject,
    TypedArray,
    ArrayBuffer,
    Url,
    UrlSearchParams,
    Unknown,
}
