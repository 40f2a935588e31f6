using System.Text.RegularExpressions;

namespace Tote.Sql;

/// <summary>
/// Table and schema names from options. They cannot be statement parameters, so they are checked
/// at startup against a plain identifier form and then always written double-quoted: a name can
/// never change what a statement does (SQL injection through configuration).
/// </summary>
internal static partial class SqlIdentifier
{
    /// <summary>PostgreSQL truncates longer names; SQLite has no limit, but one rule serves both.</summary>
    public const int MaxLength = 63;

    /// <summary>Whether <paramref name="name"/> is a letter or underscore followed by letters, digits and underscores, at most 63 long.</summary>
    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Plain().IsMatch(name);

    /// <summary>Adds the error for an invalid <paramref name="name"/> set under <paramref name="option"/>.</summary>
    public static void Check(List<string> errors, string option, string? name)
    {
        if (!IsValid(name))
        {
            errors.Add($"{option} '{name}' is not a usable table or schema name: use 1 to {MaxLength} ASCII letters, digits and underscores, not starting with a digit.");
        }
    }

    /// <summary>What the per-user index table's name adds to the sessions table's name.</summary>
    public const string UserTableSuffix = "_users";

    /// <summary>What the name of the index on the per-user table's <c>user_id</c> adds to the sessions table's name.</summary>
    public const string UserIndexSuffix = "_users_user_id";

    /// <summary>The longest sessions table name whose derived names (<see cref="UserTableSuffix"/>, <see cref="UserIndexSuffix"/>) still fit.</summary>
    public static int MaxTableNameLength => MaxLength - UserIndexSuffix.Length;

    /// <summary>
    /// Adds the error for an invalid sessions table name set under <paramref name="option"/>: one
    /// that is not a plain identifier, or too long to name the per-user index table and its index after.
    /// </summary>
    public static void CheckTable(List<string> errors, string option, string? name)
    {
        if (!IsValid(name))
        {
            Check(errors, option, name);
            return;
        }

        if (name!.Length > MaxTableNameLength)
        {
            errors.Add($"{option} '{name}' is too long ({name.Length} characters): the driver names the per-user index table '{name}{UserTableSuffix}' and its index '{name}{UserIndexSuffix}' after it, and names are at most {MaxLength} characters, so use at most {MaxTableNameLength}.");
        }
    }

    /// <summary>The name double-quoted, as it appears in statements.</summary>
    public static string Quote(string name) => "\"" + name + "\"";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex Plain();
}
