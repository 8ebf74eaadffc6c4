package mysql

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/schemagate/schemagate/dialect"
)

// SchemaToken implements dialect.ChangeTokener. The token must change
// whenever anything Inspect reads changes; it may change when nothing did,
// which costs the guard one full read. The two servers keep their
// definitions differently, so each gets the cheapest signal it has.
//
// MariaDB keeps each table's definition in its .frm file and writes a new
// one for every DDL statement that touches the table, instant ones
// included (RENAME COLUMN, SET DEFAULT, ADD COLUMN, index and foreign-key
// changes). For InnoDB tables information_schema.TABLES.CREATE_TIME is that
// file's change time, so the token digests every table's name, type, engine
// and CREATE_TIME: a DDL statement changes the time of the table it names,
// and CREATE, DROP and RENAME change the set of names. Statistics (ANALYZE)
// and data changes (DML) leave the file alone. Two gaps are closed:
//
//   - The time counts whole seconds, so a change in the same second as the
//     one before it would keep the time. While any table changed in the
//     last two seconds the token is unsettled: it carries a random part and
//     never matches, so the next check reads the schema in full.
//   - Other engines (MyISAM, Aria, …) report the time the table's data file
//     was created, which an ALTER that only rewrites the .frm keeps. Tables
//     that are not InnoDB, or report no CREATE_TIME, are covered by a
//     digest of their definitions instead (see below), read for those
//     tables only (a filter on table names keeps MariaDB from opening
//     the others).
//
// A view's definition does not reach TABLES, so the token also digests
// information_schema.VIEWS, for the views TABLES listed (reading VIEWS for
// a whole database opens every table's .frm to find the views, which would
// cost as much again).
//
// MySQL 8 keeps definitions in its transactional data dictionary, and its
// information_schema tables are views of indexed dictionary tables, so
// digesting the definitions themselves is cheap there: the token is a
// digest of exactly the columns of TABLES, COLUMNS, STATISTICS,
// constraints, checks and VIEWS that Inspect reads. (CREATE_TIME would not
// do: an instant ALTER keeps it.)
//
// A digest is the row count and the sum of a 60-bit hash of each row, so
// the order rows come in does not matter and any single change moves it.
func (d *Database) SchemaToken(ctx context.Context, q dialect.Querier) (string, error) {
	name, err := d.database(ctx, q)
	if err != nil {
		return "", err
	}
	info, err := d.serverInfo(ctx, q)
	if err != nil {
		return "", err
	}
	if !info.mariadb {
		return definitionsToken(ctx, q, info, name, nil)
	}
	return mariadbToken(ctx, q, info, name)
}

// recentDDL is how long after a table changed the MariaDB token stays
// unsettled: the one-second resolution of CREATE_TIME, plus a second for
// a file system whose clock ticks coarser than the server's.
const recentDDL = "2 SECOND"

func mariadbToken(ctx context.Context, q dialect.Querier, info serverInfo, database string) (string, error) {
	var (
		tables, views, others int
		digest                string
		recent                bool
		names                 []byte
		maxLen                int
	)
	// One pass over TABLES, which opens every table to read CREATE_TIME:
	// it also lists the views and the tables the digest must cover, so
	// that reading their definitions touches only them. The list is
	// NUL-separated (no identifier contains NUL), views first.
	other := "(ENGINE IS NULL OR ENGINE <> 'InnoDB' OR CREATE_TIME IS NULL)"
	err := q.QueryRowContext(ctx, `
SELECT COUNT(*),
       COALESCE(SUM(`+rowHash("TABLE_NAME", "TABLE_TYPE", "ENGINE", "CREATE_TIME")+`), 0),
       COALESCE(SUM(TABLE_TYPE = 'VIEW'), 0),
       COALESCE(SUM(TABLE_TYPE <> 'VIEW' AND `+other+`), 0),
       COALESCE(MAX(CREATE_TIME) >= NOW() - INTERVAL `+recentDDL+`, 0),
       COALESCE(GROUP_CONCAT(IF(TABLE_TYPE = 'VIEW' OR `+other+`, TABLE_NAME, NULL)
                ORDER BY TABLE_TYPE <> 'VIEW', TABLE_NAME SEPARATOR 0x00), ''),
       @@group_concat_max_len
FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`, database).
		Scan(&tables, &digest, &views, &others, &recent, &names, &maxLen)
	if err != nil {
		return "", fmt.Errorf("read the schema version: %w", err)
	}
	token := fmt.Sprintf("mariadb/%d:%s", tables, digest)
	if views+others > 0 {
		list := strings.Split(string(names), "\x00")
		if len(names) >= maxLen || len(list) != views+others {
			// The list was cut short: digest every table instead.
			defs, err := definitionsToken(ctx, q, info, database, nil)
			if err != nil {
				return "", err
			}
			token += "/" + defs
		} else {
			var parts []digestPart
			var only [][]string
			if views > 0 {
				parts, only = append(parts, viewsPart), append(only, list[:views])
			}
			if others > 0 {
				for _, p := range definitionParts(info) {
					if p.table != viewsPart.table {
						parts, only = append(parts, p), append(only, list[views:])
					}
				}
			}
			defs, err := digestToken(ctx, q, database, parts, only)
			if err != nil {
				return "", err
			}
			token += "/" + defs
		}
	}
	if recent {
		var nonce [8]byte
		_, _ = rand.Read(nonce[:])
		token += "/unsettled:" + hex.EncodeToString(nonce[:])
	}
	return token, nil
}

// definitionsToken digests the definitions Inspect reads, of the whole
// database, or on MariaDB only of the tables named in only when it is not
// nil (every MariaDB part names the table of each row).
func definitionsToken(ctx context.Context, q dialect.Querier, info serverInfo, database string, only []string) (string, error) {
	parts := definitionParts(info)
	restrict := make([][]string, len(parts))
	if info.mariadb {
		for i := range restrict {
			restrict[i] = only
		}
	}
	return digestToken(ctx, q, database, parts, restrict)
}

// digestToken digests parts, each restricted to the tables only[i] names
// when that is not nil, in one query of one scalar subquery per
// information_schema table: MariaDB cannot join its information_schema
// tables efficiently, and each one filtered on the schema opens only that
// database, and filtered on table names only those tables.
func digestToken(ctx context.Context, q dialect.Querier, database string, parts []digestPart, only [][]string) (string, error) {
	var sb strings.Builder
	var args []any
	sb.WriteString("SELECT CONCAT_WS('/'")
	for i, p := range parts {
		sb.WriteString(",\n  ")
		sb.WriteString(p.subquery(len(only[i])))
		args = append(args, database)
		for _, n := range only[i] {
			args = append(args, n)
		}
	}
	sb.WriteString(")")
	var token string
	if err := q.QueryRowContext(ctx, sb.String(), args...).Scan(&token); err != nil {
		return "", fmt.Errorf("read the schema version: %w", err)
	}
	return "defs/" + token, nil
}

// viewsPart digests view definitions.
var viewsPart = digestPart{"VIEWS", "TABLE_SCHEMA", []string{"TABLE_NAME", "VIEW_DEFINITION"}}

// definitionParts are the information_schema columns Inspect reads, with
// the positions that order them, per server.
func definitionParts(info serverInfo) []digestPart {
	indexCols := []string{"TABLE_NAME", "INDEX_NAME", "SEQ_IN_INDEX", "NON_UNIQUE", "COLUMN_NAME", "SUB_PART", "COLLATION", "INDEX_TYPE"}
	if !info.mariadb && info.version >= 80013 {
		indexCols = append(indexCols, "EXPRESSION")
	}
	parts := []digestPart{
		{"TABLES", "TABLE_SCHEMA", []string{"TABLE_NAME", "TABLE_TYPE", "ENGINE", "TABLE_COLLATION"}},
		{"COLUMNS", "TABLE_SCHEMA", []string{"TABLE_NAME", "COLUMN_NAME", "ORDINAL_POSITION", "COLUMN_TYPE", "DATA_TYPE",
			"IS_NULLABLE", "COLUMN_DEFAULT", "EXTRA", "COLLATION_NAME", "GENERATION_EXPRESSION"}},
		{"STATISTICS", "TABLE_SCHEMA", indexCols},
		{"REFERENTIAL_CONSTRAINTS", "CONSTRAINT_SCHEMA", []string{"TABLE_NAME", "CONSTRAINT_NAME", "UPDATE_RULE", "DELETE_RULE"}},
		{"KEY_COLUMN_USAGE", "TABLE_SCHEMA", []string{"TABLE_NAME", "CONSTRAINT_NAME", "COLUMN_NAME", "ORDINAL_POSITION",
			"REFERENCED_TABLE_SCHEMA", "REFERENCED_TABLE_NAME", "REFERENCED_COLUMN_NAME"}},
		viewsPart,
	}
	switch {
	case info.mariadb:
		parts = append(parts, digestPart{"CHECK_CONSTRAINTS", "CONSTRAINT_SCHEMA", []string{"TABLE_NAME", "CONSTRAINT_NAME", "CHECK_CLAUSE"}})
	case info.version >= 80016:
		// MySQL's CHECK_CONSTRAINTS does not say which table a check is
		// on, and TABLE_CONSTRAINTS says whether it is enforced. Check
		// names are unique in a database, so the two digests together
		// cover each check.
		parts = append(parts,
			digestPart{"CHECK_CONSTRAINTS", "CONSTRAINT_SCHEMA", []string{"CONSTRAINT_NAME", "CHECK_CLAUSE"}},
			digestPart{"TABLE_CONSTRAINTS", "TABLE_SCHEMA", []string{"TABLE_NAME", "CONSTRAINT_NAME", "CONSTRAINT_TYPE", "ENFORCED"}})
	}
	return parts
}

// digestPart is one information_schema table's contribution to a token.
type digestPart struct {
	table     string
	schemaCol string
	cols      []string
}

// subquery is a scalar subquery giving "rows:hashsum" of the part, with one
// placeholder for the database name and, when only > 0, that many for the
// table names to restrict it to.
func (p digestPart) subquery(only int) string {
	where := p.schemaCol + " = ?"
	if only > 0 {
		where += " AND TABLE_NAME IN (?" + strings.Repeat(", ?", only-1) + ")"
	}
	return "(SELECT CONCAT(COUNT(*), ':', COALESCE(SUM(" + rowHash(p.cols...) + "), 0)) FROM information_schema." +
		p.table + " WHERE " + where + ")"
}

// rowHash is an SQL expression hashing the values of cols to an integer of
// 60 bits. NULL is hashed as a NUL byte, so that it differs from every
// value an identifier, type or default can take.
func rowHash(cols ...string) string {
	vals := make([]string, len(cols))
	for i, c := range cols {
		vals[i] = "IFNULL(" + c + ", 0x00)"
	}
	return "CONV(LEFT(MD5(CONCAT_WS('|', " + strings.Join(vals, ", ") + ")), 15), 16, 10)"
}

var _ dialect.ChangeTokener = (*Database)(nil)
