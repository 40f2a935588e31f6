namespace Tote.Devalue;

/// <summary>
/// A <see cref="DevalueFragment"/> holds something that copying entry by entry would not write
/// exactly as devalue writes the value; the caller falls back to writing natural values.
/// </summary>
internal sealed class DevalueFragmentNotCopyableException : Exception
{
    public DevalueFragmentNotCopyableException()
        : base("The devalue fragment cannot be copied entry by entry; write its natural value instead.")
    {
    }

    public DevalueFragmentNotCopyableException(string message)
        : base(message)
    {
    }

    public DevalueFragmentNotCopyableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
