using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Tote.Tests.Shared;

/// <summary>
/// The option reference of docs/getting-started.md, checked against the options classes: one row
/// <c>| `Tote:Section:Name` | default | meaning |</c> per settable option, with the default the
/// code has, written as configuration would (<c>`01:00:00`</c>, <c>`null`</c>, <c>`Lax`</c>).
/// </summary>
internal static partial class OptionsReference
{
    public const string Page = "docs/getting-started.md";

    /// <summary>Fails, listing every mismatch <see cref="Check"/> finds, in full.</summary>
    public static void AssertListed(string section, object defaults)
    {
        var errors = Check(section, defaults);
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
    }

    /// <summary>
    /// Every mismatch between the page and <paramref name="defaults"/>, a fresh options object bound
    /// from <paramref name="section"/>: an option without a row, a row in that section (or a nested
    /// one, such as <c>Tote:Cookie</c>) naming no option, and a default cell without the code's default.
    /// </summary>
    public static IReadOnlyList<string> Check(string section, object defaults)
    {
        var rows = Rows(File.ReadAllText(RepositoryFiles.Find(Page)));
        var errors = new List<string>();
        var sections = new HashSet<string>(StringComparer.Ordinal);
        var options = new Dictionary<string, object?>(StringComparer.Ordinal);
        Collect(section, defaults, sections, options);

        foreach (var (key, value) in options)
        {
            if (!rows.TryGetValue(key, out var cell))
            {
                errors.Add($"{Page} has no row for `{key}`.");
            }
            else if (!cell.Contains('`' + Format(value) + '`', StringComparison.Ordinal))
            {
                errors.Add($"{Page}: the default of `{key}` is `{Format(value)}` in the code, but the row says '{cell.Trim()}'.");
            }
        }

        foreach (var key in rows.Keys.Where(k => sections.Contains(k[..k.LastIndexOf(':')]) && !options.ContainsKey(k)))
        {
            errors.Add($"{Page} lists `{key}`, which is not an option.");
        }

        return errors;
    }

    private static void Collect(string section, object instance, HashSet<string> sections, Dictionary<string, object?> options)
    {
        sections.Add(section);
        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = section + ":" + property.Name;
            if (property.SetMethod is { IsPublic: true })
            {
                options.Add(key, property.GetValue(instance));
            }
            else if (property.GetValue(instance) is { } nested && nested.GetType().Namespace?.StartsWith("Tote", StringComparison.Ordinal) == true)
            {
                // A get-only options object (Tote:Cookie) is bound as a nested section.
                Collect(key, nested, sections, options);
            }
        }
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        "" => "\"\"",
        bool b => b ? "true" : "false",
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString()!,
    };

    private static Dictionary<string, string> Rows(string page)
        => Row().Matches(page).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);

    [GeneratedRegex(@"^\| `(Tote(?::[A-Za-z]+)+)` \|([^|\n]*)\|", RegexOptions.Multiline)]
    private static partial Regex Row();
}
