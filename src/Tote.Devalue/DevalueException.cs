namespace Tote.Devalue;

/// <summary>
/// Thrown for every input the devalue codec rejects: text that is not devalue, values that
/// cannot be serialized, and input that exceeds the limits in <see cref="DevalueOptions"/>.
/// </summary>
/// <remarks>
/// <see cref="Exception.Message"/> is for people, in .NET terms: it names the C# type and the
/// member path (<c>The value at Lines[2].Attachment (OrderLine.Attachment) is a
/// System.IO.MemoryStream, which is not plain data.</c>). For code, <see cref="Reason"/> holds
/// devalue 5.9.4's exact message where devalue reports the same error (for example
/// <c>Invalid input</c> or <c>Cannot stringify a function</c>) and <see cref="Path"/> the place
/// as devalue writes it, so that errors from both runtimes can be compared.
/// </remarks>
public class DevalueException : Exception
{
    private readonly LocationStyle _style;
    private readonly string? _fixedPath;
    private List<PathSegment>? _unwound;
    private string? _path;

    /// <summary>Creates an exception with a generic message.</summary>
    public DevalueException()
        : this("The devalue codec rejected its input.")
    {
    }

    /// <summary>Creates an exception with the given message.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    public DevalueException(string message)
        : this(message, innerException: null)
    {
    }

    /// <summary>Creates an exception with the given message and cause.</summary>
    /// <param name="message">What was wrong and how to fix it.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public DevalueException(string message, Exception? innerException)
        : this(message, message, path: null, innerException)
    {
    }

    internal DevalueException(string reason, string message, string? path, Exception? innerException = null)
        : this(reason, message, LocationStyle.None, innerException)
    {
        _fixedPath = path;
    }

    private DevalueException(string reason, string message, LocationStyle style, Exception? innerException)
        : base(message, innerException)
    {
        Reason = reason;
        _style = style;
    }

    private enum LocationStyle
    {
        None,

        // "The value at Items[2].Callback (CartItem.Callback) is a delegate (System.Func<int>), which …"
        InValue,

        // "Cannot read a string as int. At Items[2].Quantity (CartItem.Quantity)."
        Suffix,
    }

    /// <summary>
    /// The short reason, without location or advice: devalue's own message where devalue
    /// reports the same error (for example <c>Cannot stringify a function</c>).
    /// </summary>
    public string Reason { get; }

    /// <summary>
    /// Where in the value being serialized or bound the problem is, written the way devalue
    /// writes it, with the names values are stored under (<c>.user.name</c>, <c>[3]</c>,
    /// <c>.get("key")</c>; empty for the root), for comparing with devalue's errors;
    /// <see langword="null"/> when the error is not tied to a place in a value. The message names
    /// the same place in C# terms (<c>User.Name</c>).
    /// </summary>
    public string? Path => _style == LocationStyle.None ? _fixedPath : _path ??= FormatPath();

    /// <inheritdoc />
    public override string Message => _style switch
    {
        LocationStyle.InValue => $"{PathSegment.Subject(Steps())} {base.Message}",
        LocationStyle.Suffix when _unwound is not null => $"{base.Message} At {PathSegment.Place(Steps())}.",
        _ => base.Message,
    };

    /// <summary>
    /// An error about the value being written, located by the path the exception unwinds through:
    /// the message is that place (<c>CartItem.Supplier</c>, <c>The value at [1]</c>) followed by
    /// <paramref name="predicate"/> (<c>is a System.IO.Stream, which is not plain data. …</c>).
    /// </summary>
    internal static DevalueException InValue(string reason, string predicate) => new(reason, predicate, LocationStyle.InValue, null);

    /// <summary>An error about the text being read; the path it unwinds through is appended to the message.</summary>
    internal static DevalueException WithPathSuffix(string reason, string message) => new(reason, message, LocationStyle.Suffix, null);

    /// <summary>
    /// Records one step of the path as the exception unwinds through a container. Used in an
    /// exception filter, it costs nothing unless an error is thrown; it returns false so the
    /// exception keeps unwinding.
    /// </summary>
    internal bool AddPathStep(PathSegment step)
    {
        if (_style != LocationStyle.None)
        {
            (_unwound ??= []).Add(step);
            _path = null;
        }

        return false;
    }

    private string FormatPath() => PathSegment.Format(Steps());

    /// <summary>The steps from the root down.</summary>
    private PathSegment[] Steps()
    {
        if (_unwound is null)
        {
            return [];
        }

        // Steps are recorded innermost first, as the exception unwinds.
        var steps = _unwound.ToArray();
        Array.Reverse(steps);
        return steps;
    }
}
