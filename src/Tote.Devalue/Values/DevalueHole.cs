namespace Tote.Devalue;

/// <summary>
/// A missing element of a JavaScript array (<c>[1, , 3]</c>), as read from devalue text.
/// Appears only as an element of a <see cref="List{T}"/>; distinct from
/// <see cref="DevalueUndefined"/> because JavaScript tells the two apart.
/// </summary>
public sealed class DevalueHole
{
    private DevalueHole()
    {
    }

    /// <summary>The only instance.</summary>
    public static DevalueHole Value { get; } = new();

    /// <inheritdoc />
    public override string ToString() => "<hole>";
}
