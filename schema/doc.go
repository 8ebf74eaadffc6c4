// Package schema models a database schema as plain data and answers three
// separate questions about it:
//
//   - what a schema is: Schema and the types it holds, read from a live
//     database by each dialect's Inspect, stored in a snapshot file;
//   - how two schemas differ: Diff, a list of Difference values with stable
//     kinds;
//   - whether a release that needs one schema can run on another:
//     Compatible, which judges the differences by the rules below.
//
// # Normalisation
//
// A schema is described the way the engine itself prints it, so that the
// same object always reads the same on servers of one major version:
//
//   - PostgreSQL types come from format_type ("character varying(255)",
//     "timestamp with time zone", "numeric(10,2)", "text[]"); defaults,
//     check conditions, index expressions and predicates from pg_get_expr
//     and pg_get_indexdef; view queries from pg_get_viewdef. The inspector
//     reads them with the search path set to the inspected schema alone, so
//     objects of that schema are never qualified and objects of other
//     schemas always are, whatever the session's own search path.
//   - SQLite types are the declared types in lower case with blanks around
//     parentheses and commas removed; defaults are as declared; check
//     conditions, generated expressions, index expressions and predicates
//     and view queries are the text as written; collation names are upper
//     case. An INTEGER PRIMARY KEY column, the table's rowid, is NOT NULL
//     and an identity "by default", which is how it behaves. Unnamed
//     constraints stay unnamed: the names SQLite gives their automatic
//     indexes depend on declaration order.
//   - Every view query and every expression taken from SQL text goes
//     through NormalizeSpace: comments removed, blanks outside quotes
//     collapsed.
//   - Options equal to the engine's default are left out (an ascending
//     index key, the default operator class, NULLS LAST on an ascending
//     key, a column's default collation, an index key's collation when it
//     is the column's), so a definition written with or without them is
//     the same.
//   - schemagate's own tables ("schemagate_…") and objects that belong to
//     an extension are not part of the schema.
//
// # Canonical form and fingerprint
//
// Canonical sorts tables, views, enums and sequences by name, columns and
// indexes by name, and unnamed constraints by their definition. Column
// order is deliberately not part of the model: it matters only to
// SELECT * and to INSERT without a column list, which schemagate does not
// try to protect, and keeping it out means that two databases that reached
// the same columns through different histories (a hotfix that added
// columns in another order, a table rebuilt by hand) compare equal. Key
// columns, index keys and enum values keep their order, because there the
// order changes behaviour.
//
// EncodeSnapshot writes the canonical form as indented JSON, each column,
// key list or list of values on one line; the same schema always yields the
// same bytes. The fingerprint is the SHA-256 of
// its compact JSON (see Schema.Fingerprint). The namespace's name is not
// part of either, so a snapshot built in "public" of a scratch database
// matches the same objects in any schema of production.
//
// # Compatibility rules
//
// Compatible(required, live) holds when a release that was built for
// required can run on live. Every difference that Diff(required, live)
// reports is judged by one rule: a problem breaks the release; a warning
// does not, but an operator should know; anything else is fine. A problem
// about something absent is "missing" (the database is behind, exit 3);
// any other problem is a contradiction (exit 4).
//
//  1. Both schemas are of the same dialect; otherwise nothing compares and
//     that is a problem.
//  2. Every required table exists (missing). Extra tables are fine.
//  3. Every required column exists (missing).
//  4. A column keeps its type or widens safely (see WidensSafely): for
//     example varchar(n) to varchar(m ≥ n) or text, integer to bigint,
//     numeric(p,s) to numeric(q ≥ p, s). Any other type is a
//     contradiction. Another collation is a warning: values keep, but
//     ordering and equality change.
//  5. A column the release may store NULL in is not NOT NULL
//     (contradiction). A NOT NULL column that became nullable is a warning:
//     the release may read a NULL it does not expect.
//  6. Every live column the release does not know is nullable, has a
//     default, or is an identity or generated column; otherwise the
//     release's INSERTs, which leave it out, fail (contradiction).
//  7. A column whose value the release leaves to the database (a default,
//     an identity) still gets one from the database; a column the release
//     writes does not refuse writes (GENERATED ALWAYS, generated); a
//     column the release reads as generated is still generated. Breaking
//     any of these is a contradiction. Another default value or generation
//     expression is a warning; a default or identity the release did not
//     have is fine.
//  8. The primary key exists (missing) on the same columns
//     (contradiction); a renamed primary key, or one the release did not
//     have, is a warning.
//  9. Every required unique constraint and unique index exists (missing)
//     with the same definition (contradiction): the release may rely on
//     the uniqueness, for ON CONFLICT or for correctness. Extra ones are
//     warnings: they can reject rows the release writes.
//  10. A missing or changed non-unique index is a warning (slower, not
//     wrong). Extra indexes are fine.
//  11. Check constraints missing, extra or changed are warnings: the
//     release does not depend on a check being there, and cannot tell
//     whether another one rejects its rows.
//  12. A required foreign key whose ON DELETE or ON UPDATE action changes
//     rows (CASCADE, SET NULL, SET DEFAULT) exists with that action: the
//     release relies on the database to delete or update the rows
//     (missing, or contradiction when the action differs). Every other
//     foreign-key difference, and an extra foreign key, is a warning.
//  13. Every required view exists (missing). A changed definition is a
//     warning; extra views are fine.
//  14. Every required enum type exists and has every required value
//     (missing, reported per value as enum_value_missing). New values are
//     fine; required values in another order are a warning.
//  15. Every required sequence exists (missing). A changed sequence is a
//     warning; extra sequences are fine.
//
// A difference of a kind that no rule covers is a problem, so that a new
// kind can never make a schema compatible by omission.
package schema
