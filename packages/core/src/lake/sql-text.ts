/**
 * Quoting for the DuckDB SQL the lake's readers and the medallion build from config names and paths: identifiers in
 * double quotes, literals in single quotes, each with its quote doubled.
 */

/** @example sqlIdent('my "col"') // "\"my \"\"col\"\"\"" */
export const sqlIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** @example sqlLiteral("it's") // "'it''s'" */
export const sqlLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;
