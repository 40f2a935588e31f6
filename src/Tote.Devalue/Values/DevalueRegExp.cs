using System.Text.RegularExpressions;

namespace Tote.Devalue;

/// <summary>A JavaScript regular expression: its source text and flags.</summary>
/// <remarks>
/// JavaScript and .NET regular expressions differ in syntax, so the codec keeps the pattern as
/// text. <see cref="ToRegex"/> makes a .NET <see cref="Regex"/> for the common subset.
/// </remarks>
public sealed class DevalueRegExp
{
    // The order in which JavaScript's RegExp.prototype.flags lists the flags.
    private const string FlagOrder = "dgimsuvy";

    /// <summary>Creates a regular expression from its source and flags.</summary>
    /// <param name="source">The pattern, as JavaScript's <c>source</c> gives it.</param>
    /// <param name="flags">Any of <c>d g i m s u v y</c>, each at most once, in any order.</param>
    /// <exception cref="DevalueException">The flags are not valid JavaScript flags.</exception>
    public DevalueRegExp(string source, string flags = "")
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(flags);
        Source = source.Length == 0 ? "(?:)" : source;
        Flags = NormalizeFlags(flags);
    }

    /// <summary>The pattern text.</summary>
    public string Source { get; }

    /// <summary>The flags, in the order JavaScript lists them (<c>dgimsuvy</c>).</summary>
    public string Flags { get; }

    /// <summary>
    /// Makes a .NET <see cref="Regex"/> with <c>i</c>, <c>m</c> and <c>s</c> mapped to their
    /// .NET options. Patterns using JavaScript-only syntax may fail or match differently.
    /// </summary>
    /// <returns>A new <see cref="Regex"/>.</returns>
    public Regex ToRegex()
    {
        var options = RegexOptions.ECMAScript;
        if (Flags.Contains('i', StringComparison.Ordinal))
        {
            options |= RegexOptions.IgnoreCase;
        }

        if (Flags.Contains('m', StringComparison.Ordinal))
        {
            options |= RegexOptions.Multiline;
        }

        if (Flags.Contains('s', StringComparison.Ordinal))
        {
            // RegexOptions.ECMAScript cannot be combined with Singleline.
            options = (options & ~RegexOptions.ECMAScript) | RegexOptions.Singleline;
        }

        return new Regex(Source, options, Regex.InfiniteMatchTimeout);
    }

    /// <inheritdoc />
    public override string ToString() => "/" + Source + "/" + Flags;

    private static string NormalizeFlags(string flags)
    {
        if (flags.Length == 0)
        {
            return flags;
        }

        Span<bool> seen = stackalloc bool[FlagOrder.Length];
        foreach (var flag in flags)
        {
            var position = FlagOrder.IndexOf(flag, StringComparison.Ordinal);
            if (position < 0 || seen[position])
            {
                throw new DevalueException(
                    "Invalid flags supplied to RegExp constructor",
                    $"Invalid regular expression flags '{flags}': use each of d, g, i, m, s, u, v, y at most once.",
                    path: null);
            }

            seen[position] = true;
        }

        Span<char> ordered = stackalloc char[FlagOrder.Length];
        var length = 0;
        for (var i = 0; i < FlagOrder.Length; i++)
        {
            if (seen[i])
            {
                ordered[length++] = FlagOrder[i];
            }
        }

        return new string(ordered[..length]);
    }
}
