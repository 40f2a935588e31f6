namespace Tote.Sql;

/// <summary>Which database a <see cref="SqlStatements"/> is written for, where the two differ.</summary>
internal enum SqlDialect
{
    /// <summary>SQLite 3.35 and later.</summary>
    Sqlite,

    /// <summary>PostgreSQL 9.5 and later.</summary>
    PostgreSql,
}
