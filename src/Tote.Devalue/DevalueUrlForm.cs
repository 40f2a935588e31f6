namespace Tote.Devalue;

/// <summary>How <see cref="Uri"/> values are written. Both forms are always read.</summary>
public enum DevalueUrlForm
{
    /// <summary>
    /// <c>["URL",index]</c>, the href as a separate (shareable) string entry: what Astro's
    /// sessions write with their URL reducer. The default.
    /// </summary>
    Astro = 0,

    /// <summary><c>["URL","href"]</c>, the href inline: devalue's own built-in form.</summary>
    Devalue = 1,
}
