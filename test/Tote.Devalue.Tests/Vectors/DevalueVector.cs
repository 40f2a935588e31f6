using System.Globalization;
using System.Text.Json;

namespace Tote.Devalue.Tests.Vectors;

/// <summary>One case of <c>Vectors/public.json</c> (the format is described in <c>Vectors/README.md</c>).</summary>
internal sealed record DevalueVector(
    string Name,
    string Kind,
    string Group,
    string Description,
    string? Devalue,
    string? Canonical,
    JsonElement Json,
    string? Error,
    string? ErrorType,
    string? ErrorOrigin,
    string? ErrorPath)
{
    public const string Roundtrip = "roundtrip";
    public const string ParseOnly = "parse-only";
    public const string StringifyError = "stringify-error";
    public const string ParseError = "parse-error";

    public static DevalueVector FromJson(JsonElement element) => new(
        Name: RequiredText(element, "name"),
        Kind: RequiredText(element, "kind"),
        Group: RequiredText(element, "group"),
        Description: RequiredText(element, "description"),
        // Serialized strings with lone surrogates cannot go through GetString(); the file then
        // carries the same text as UTF-16 code units.
        Devalue: OptionalText(element, "devalue", "devalue_utf16"),
        Canonical: OptionalText(element, "canonical", "canonical_utf16"),
        Json: element.GetProperty("json"),
        Error: OptionalText(element, "error"),
        ErrorType: OptionalText(element, "error_type"),
        ErrorOrigin: OptionalText(element, "error_origin"),
        ErrorPath: OptionalText(element, "error_path"));

    /// <summary>
    /// The text of a string property, preferring its UTF-16 twin (<paramref name="utf16Property"/>)
    /// when present: only that one can hold lone surrogates.
    /// </summary>
    public static string? OptionalText(JsonElement element, string property, string? utf16Property = null)
    {
        if (utf16Property is not null
            && element.TryGetProperty(utf16Property, out var utf16)
            && utf16.ValueKind == JsonValueKind.String)
        {
            return FromUtf16Hex(utf16.GetString()!);
        }

        return element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;
    }

    public static string RequiredText(JsonElement element, string property, string? utf16Property = null)
        => OptionalText(element, property, utf16Property)
           ?? throw new InvalidDataException($"Vector property '{property}' is missing or not a string.");

    /// <summary>Decodes UTF-16 code units written as 4 hex digits each (<c>0078d800</c> is <c>"x\ud800"</c>).</summary>
    public static string FromUtf16Hex(string hex)
    {
        if (hex.Length % 4 != 0)
        {
            throw new InvalidDataException($"UTF-16 hex text has a length of {hex.Length}, not a multiple of 4.");
        }

        var chars = new char[hex.Length / 4];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = (char)ushort.Parse(hex.AsSpan(i * 4, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        return new string(chars);
    }

    public override string ToString() => Name;
}
