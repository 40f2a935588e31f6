namespace Tote.Devalue;

/// <summary>
/// A JavaScript object without a prototype (<c>Object.create(null)</c>), written by devalue as
/// <c>["null",…]</c>. Behaves like the ordered dictionary used for plain objects; the separate
/// type only makes it write back in the same form.
/// </summary>
public sealed class DevalueNullPrototypeObject : OrderedDictionary<string, object?>
{
    /// <summary>Creates an empty object.</summary>
    public DevalueNullPrototypeObject()
        : base(StringComparer.Ordinal)
    {
    }
}
