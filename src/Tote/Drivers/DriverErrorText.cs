using System.Text;
using System.Text.RegularExpressions;

namespace Tote.Drivers;

/// <summary>
/// A driver's exception as one line for Tote's own messages and logs: the type and message of the
/// exception and its causes (where "Connection refused" usually sits), with anything shaped like a
/// session ID masked and the length bounded.
/// </summary>
/// <remarks>
/// Drivers do not promise to keep session IDs out of their messages: the <c>fs</c> driver's files
/// are named by ID and appear in I/O errors, and StackExchange.Redis names keys unless told not to.
/// Tote's own messages promise never to carry one, so every UUID is masked, not only valid IDs.
/// </remarks>
internal static partial class DriverErrorText
{
    private const int MaxCauses = 3;
    private const int MaxLength = 600;

    public static string Describe(Exception exception)
    {
        var text = new StringBuilder();
        string? previous = null;
        var depth = 0;
        for (var current = exception; current is not null && depth < MaxCauses; current = current.InnerException)
        {
            // Wrappers that only repeat their cause ("One or more errors occurred.") say nothing.
            if (current is AggregateException { InnerExceptions.Count: 1 } || current.Message == previous)
            {
                continue;
            }

            if (depth++ > 0)
            {
                text.Append(" ---> ");
            }

            text.Append(current.GetType().Name).Append(": ").Append(current.Message.ReplaceLineEndings(" ").TrimEnd('.', ' '));
            previous = current.Message;
        }

        var masked = Uuid().Replace(text.ToString(), "[id]");
        return masked.Length <= MaxLength ? masked : string.Concat(masked.AsSpan(0, MaxLength - 1), "…");
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", RegexOptions.CultureInvariant)]
    private static partial Regex Uuid();
}
