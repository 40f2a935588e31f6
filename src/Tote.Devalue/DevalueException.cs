namespace Tote.Devalue;

/// <summary>
/// Thrown for every input the devalue codec rejects: text that is not devalue, values that
/// cannot be serialized, and input that exceeds the limits in <see cref="DevalueOptions"/>.
/// </summary>
/// <remarks>
/// Where devalue 5.9.4 itself reports an error, <see cref="Reason"/> holds devalue's exact
/// message (for example <c>Invalid input</c> or <c>Cannot stringify a function</c>), so code
/// that handles errors from both runtimes can compare them.
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

        // "Cannot stringify a function (the value at .a.b). Advice."
        InValue,

        // "Cannot read a string as Int32. Path: .a.b"
        Suffix,
    }

    /// <summary>
    /// The short reason, without location or advice: devalue's own message where devalue
    /// reports the same error (for example <c>Cannot stringify a function</c>).
    /// </summary>
    public string Reason { get; }

    /// <summary>
    /// Where in the value being serialized or bound the problem is, written the way devalue
    /// writes it (<c>.user.name</c>, <c>[3]</c>, <c>.get("key")</c>; empty for the root);
    /// <see langword="null"/> when the error is not tied to a place in a value.
    /// </summary>
    public string? Path => _style == LocationStyle.None ? _fixedPath : _path ??= FormatPath();

    /// <inheritdoc />
    public override string Message => _style switch
    {
        LocationStyle.InValue => $"{Reason} ({(Path!.Length == 0 ? "the value" : "the value at " + Path)}).{(base.Message.Length == 0 ? string.Empty : " " + base.Message)}",
        LocationStyle.Suffix when Path!.Length > 0 => $"{base.Message} Path: {Path}",
        _ => base.Message,
    };

    /// <summary>An error about the value being written, located by the path the exception unwinds through.</summary>
    internal static DevalueException InValue(string reason, string? advice) => new(reason, advice ?? string.Empty, LocationStyle.InValue, null);

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

    private string FormatPath()
    {
        if (_unwound is null)
        {
            return string.Empty;
        }

        // Steps are recorded innermost first, as the exception unwinds.
        var steps = _unwound.ToArray();
        Array.Reverse(steps);
        return PathSegment.Format(steps);
    }
}
