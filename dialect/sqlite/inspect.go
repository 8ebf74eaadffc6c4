package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/schema"
)

// Inspect reads the schema of the main database and returns it in canonical
// order.
//
// Columns, indexes and foreign keys come from the table-valued pragma
// functions, joined with sqlite_master so that each kind of object is one
// query for the whole database. What the pragmas do not tell (check
// constraints, generation expressions, index expressions and predicates,
// view queries) is read from the CREATE statements SQLite stores.
//
// A column declared INTEGER PRIMARY KEY is the table's rowid: it is
// described as NOT NULL and as an identity "by default", which is how it
// behaves.
//
// SQLite's internal tables (sqlite_…), schemagate's own (schemagate_…),
// virtual tables (whose columns depend on a module being loaded) and their
// shadow tables are left out. For an in-memory database, q must be the connection that holds it.
func Inspect(ctx context.Context, q dialect.Querier) (*schema.Schema, error) {
	in := inspector{q: q, schema: &schema.Schema{Dialect: "sqlite"}, tables: map[string]*inspectTable{}}
	for _, step := range []struct {
		what string
		run  func(context.Context) error
	}{
		{"columns", in.columns},
		{"indexes", in.indexes},
		{"foreign keys", in.foreignKeys},
		{"views", in.views},
	} {
		if err := step.run(ctx); err != nil {
			return nil, fmt.Errorf("inspect schema: %s: %w", step.what, err)
		}
	}
	return in.schema.Canonical(), nil
}

type inspector struct {
	q      dialect.Querier
	schema *schema.Schema
	tables map[string]*inspectTable
}

// inspectTable is a table being read, with what was parsed from its CREATE
// TABLE statement.
type inspectTable struct {
	table *schema.Table
	// parsed is what its CREATE TABLE statement tells beyond the pragmas.
	parsed inspectCreateTable
}

// inspectUserTables restricts sqlite_master rows (aliased m) to the user's
// tables. pragma_table_list tells ordinary tables from virtual tables and
// the shadow tables that implement them (an FTS5 index's docs_data, …).
const inspectUserTables = `m.type = 'table'
  AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
  AND m.name NOT LIKE 'schemagate\_%' ESCAPE '\'
  AND m.name IN (SELECT tl.name FROM pragma_table_list AS tl WHERE tl.schema = 'main' AND tl.type = 'table')`

const inspectColumnsQuery = `
SELECT m.name, m.sql, c.name, c.type, c."notnull", c.dflt_value, c.pk, c.hidden
FROM sqlite_master AS m JOIN pragma_table_xinfo(m.name) AS c
WHERE ` + inspectUserTables + `
ORDER BY m.name, c.cid`

// pragma_table_xinfo.hidden values.
const (
	inspectHiddenVirtualTable     = 1
	inspectHiddenGeneratedVirtual = 2
	inspectHiddenGeneratedStored  = 3
)

func (in *inspector) columns(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, inspectColumnsQuery)
	if err != nil {
		return err
	}
	defer rows.Close()
	type pkColumn struct {
		name string
		pos  int64
	}
	var (
		tableName, createSQL, name, typ string
		def                             sql.NullString
		notNull, pk, hidden             int64
		t                               *inspectTable
		pkColumns                       []pkColumn
	)
	finishPrimaryKey := func() {
		if t == nil || len(pkColumns) == 0 {
			return
		}
		slices.SortFunc(pkColumns, func(a, b pkColumn) int { return cmp.Compare(a.pos, b.pos) })
		pkey := &schema.PrimaryKey{}
		for _, c := range pkColumns {
			pkey.Columns = append(pkey.Columns, c.name)
		}
		t.table.PrimaryKey = pkey
		pkColumns = pkColumns[:0]
		if len(pkey.Columns) == 1 && !t.parsed.withoutRowid {
			if c := t.table.Column(pkey.Columns[0]); c != nil && c.Type == "integer" {
				// An INTEGER PRIMARY KEY is the rowid: never NULL, and
				// filled in by SQLite when an INSERT leaves it out.
				c.Nullable, c.Identity = false, schema.IdentityByDefault
			}
		}
	}
	for rows.Next() {
		if err := rows.Scan(&tableName, &createSQL, &name, &typ, &notNull, &def, &pk, &hidden); err != nil {
			return err
		}
		if t == nil || t.table.Name != tableName {
			finishPrimaryKey()
			parsed := inspectParseCreateTable(createSQL)
			t = &inspectTable{table: &schema.Table{Name: tableName, Checks: parsed.checks}, parsed: parsed}
			in.tables[strings.ToLower(tableName)] = t
			in.schema.Tables = append(in.schema.Tables, t.table)
		}
		if hidden == inspectHiddenVirtualTable {
			continue
		}
		key := strings.ToLower(name)
		col := &schema.Column{Name: name, Type: inspectNormalizeType(typ), Nullable: notNull == 0}
		if coll := t.parsed.collations[key]; coll != "BINARY" {
			col.Collation = coll
		}
		switch hidden {
		case inspectHiddenGeneratedStored:
			col.Generated = t.parsed.generated[key]
		case inspectHiddenGeneratedVirtual:
			col.Generated, col.Virtual = t.parsed.generated[key], true
		default:
			if def.Valid {
				col.Default = schema.NormalizeSpace(def.String)
			}
		}
		if pk > 0 {
			pkColumns = append(pkColumns, pkColumn{name: name, pos: pk})
		}
		t.table.Columns = append(t.table.Columns, col)
	}
	finishPrimaryKey()
	return rows.Err()
}

// inspectNormalizeType lower-cases a declared type and removes blanks
// around parentheses and commas: "VARCHAR (255)" → "varchar(255)".
func inspectNormalizeType(declared string) string {
	t := strings.ToLower(schema.NormalizeSpace(declared))
	for _, p := range []string{"(", ")", ","} {
		t = strings.ReplaceAll(t, " "+p, p)
		t = strings.ReplaceAll(t, p+" ", p)
	}
	return t
}

// inspectIndexesQuery returns one row per key column of every index
// (pragma_index_xinfo rows with key = 0 are the rowid or the primary key
// columns SQLite appends, not keys), with the index's CREATE INDEX
// statement when there is one.
const inspectIndexesQuery = `
SELECT m.name, il.name, il."unique", il.origin, ii.seqno, ii.cid, COALESCE(ii.name, ''), ii."desc",
       COALESCE(ii.coll, ''), COALESCE(im.sql, '')
FROM sqlite_master AS m
JOIN pragma_index_list(m.name) AS il
JOIN pragma_index_xinfo(il.name) AS ii
LEFT JOIN sqlite_master AS im ON im.type = 'index' AND im.name = il.name
WHERE ` + inspectUserTables + ` AND ii.key = 1
ORDER BY m.name, il.name, ii.seqno`

// pragma_index_xinfo.cid for a key that is an expression.
const inspectExpressionKey = -2

func (in *inspector) indexes(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, inspectIndexesQuery)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		tableName, indexName, origin, column, coll, createSQL string
		unique, seqno, cid, desc                              int64
		ix                                                    *schema.Index
		unq                                                   *schema.Unique
		parsed                                                inspectCreateIndex
	)
	for rows.Next() {
		if err := rows.Scan(&tableName, &indexName, &unique, &origin, &seqno, &cid, &column, &desc, &coll, &createSQL); err != nil {
			return err
		}
		t := in.tables[strings.ToLower(tableName)]
		if t == nil {
			continue
		}
		switch origin {
		case "pk":
			continue // the primary key, read from the columns
		case "u":
			// A UNIQUE constraint: its automatic index's name
			// (sqlite_autoindex_t_N) depends on declaration order and
			// is not part of the model.
			if seqno == 0 {
				unq = &schema.Unique{}
				t.table.Uniques = append(t.table.Uniques, unq)
			}
			unq.Columns = append(unq.Columns, column)
			continue
		}
		if seqno == 0 {
			parsed = inspectParseCreateIndex(createSQL)
			ix = &schema.Index{Name: indexName, Unique: unique == 1, Predicate: parsed.predicate}
			t.table.Indexes = append(t.table.Indexes, ix)
		}
		key := schema.IndexKey{Column: column, Descending: desc == 1}
		if cid == inspectExpressionKey {
			key.Column = ""
			if int(seqno) < len(parsed.keys) {
				key.Expression = parsed.keys[seqno]
			}
		}
		// The collation is reported when it is not the column's own (or,
		// for an expression, not the default).
		own := "BINARY"
		if c := t.parsed.collations[strings.ToLower(column)]; key.Column != "" && c != "" {
			own = c
		}
		if coll = strings.ToUpper(coll); coll != own {
			key.Collation = coll
		}
		ix.Keys = append(ix.Keys, key)
	}
	return rows.Err()
}

// inspectForeignKeysQuery lists foreign keys; "to" is NULL when the
// reference names no columns and so means the parent's primary key.
const inspectForeignKeysQuery = `
SELECT m.name, fk.id, fk."table", fk."from", fk."to", fk.on_delete, fk.on_update
FROM sqlite_master AS m JOIN pragma_foreign_key_list(m.name) AS fk
WHERE ` + inspectUserTables + `
ORDER BY m.name, fk.id, fk.seq`

func (in *inspector) foreignKeys(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, inspectForeignKeysQuery)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		tableName, refTable, from, onDelete, onUpdate string
		to                                            sql.NullString
		id, lastID                                    int64
		lastTable                                     string
		fk                                            *schema.ForeignKey
		implicit                                      []*schema.ForeignKey
	)
	for rows.Next() {
		if err := rows.Scan(&tableName, &id, &refTable, &from, &to, &onDelete, &onUpdate); err != nil {
			return err
		}
		t := in.tables[strings.ToLower(tableName)]
		if t == nil {
			continue
		}
		if fk == nil || tableName != lastTable || id != lastID {
			lastTable, lastID = tableName, id
			fk = &schema.ForeignKey{RefTable: refTable, OnDelete: strings.ToUpper(onDelete), OnUpdate: strings.ToUpper(onUpdate)}
			t.table.ForeignKeys = append(t.table.ForeignKeys, fk)
			if !to.Valid {
				implicit = append(implicit, fk)
			}
		}
		fk.Columns = append(fk.Columns, from)
		if to.Valid {
			fk.RefColumns = append(fk.RefColumns, to.String)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// A reference without columns means the parent's primary key: name
	// the columns, so that both spellings describe the same key.
	for _, fk := range implicit {
		if parent := in.tables[strings.ToLower(fk.RefTable)]; parent != nil && parent.table.PrimaryKey != nil {
			fk.RefColumns = append([]string(nil), parent.table.PrimaryKey.Columns...)
		}
	}
	// A reference is spelled as written, and SQLite names are
	// case-insensitive: use the parent's own spelling where it exists.
	for _, t := range in.tables {
		for _, fk := range t.table.ForeignKeys {
			parent := in.tables[strings.ToLower(fk.RefTable)]
			if parent == nil {
				continue
			}
			fk.RefTable = parent.table.Name
			for i, c := range fk.RefColumns {
				if col := inspectColumnFold(parent.table, c); col != nil {
					fk.RefColumns[i] = col.Name
				}
			}
		}
	}
	return nil
}

// inspectColumnFold finds a column by name, ignoring case as SQLite does.
func inspectColumnFold(t *schema.Table, name string) *schema.Column {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}

const inspectViewsQuery = `
SELECT m.name, m.sql FROM sqlite_master AS m
WHERE m.type = 'view' AND m.name NOT LIKE 'schemagate\_%' ESCAPE '\'`

func (in *inspector) views(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, inspectViewsQuery)
	if err != nil {
		return err
	}
	defer rows.Close()
	var name, createSQL string
	for rows.Next() {
		if err := rows.Scan(&name, &createSQL); err != nil {
			return err
		}
		in.schema.Views = append(in.schema.Views, &schema.View{Name: name, Definition: inspectViewQuery(createSQL)})
	}
	return rows.Err()
}
