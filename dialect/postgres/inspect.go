package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/schema"
)

// Inspect reads the schema named schemaName ("" means "public") from the
// database and returns it in canonical order. A schema that does not exist
// yields an empty schema: to the caller it is a schema that lacks every
// object. schemagate's own tables (schemagate_…) and what they own, and
// objects that belong to an extension, are left out. It needs PostgreSQL
// 12 or later.
//
// It reads the whole namespace with one query per kind of object (columns,
// constraints, indexes, views, enum types, sequences), never one per
// table, so its cost grows with the rows the catalogs return, not with
// round trips.
//
// Names print the same whatever the session's search path: the queries run
// with the search path set to the inspected schema alone (set_config with
// is_local), so its objects are never qualified and other schemas' always
// are. When q can begin transactions (*sql.DB, *sql.Conn), the queries run
// in a read-only repeatable-read transaction of their own, which also
// gives them one state of the catalog. Otherwise (a *sql.Tx) they run in
// the caller's transaction and the search path is restored afterwards.
func Inspect(ctx context.Context, q dialect.Querier, schemaName string) (*schema.Schema, error) {
	if schemaName == "" {
		schemaName = "public"
	}
	if b, ok := q.(inspectBeginner); ok {
		tx, err := b.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return nil, fmt.Errorf("inspect schema %s: begin: %w", schemaName, err)
		}
		defer func() { _ = tx.Rollback() }() // read-only: nothing to commit
		s, _, err := inspectWithSearchPath(ctx, tx, schemaName)
		return s, err
	}
	s, restore, err := inspectWithSearchPath(ctx, q, schemaName)
	if restore != "" {
		if _, rerr := q.ExecContext(ctx, `SELECT pg_catalog.set_config('search_path', $1, true)`, restore); rerr != nil && err == nil {
			err = fmt.Errorf("inspect schema %s: restore search_path: %w", schemaName, rerr)
		}
	}
	if err != nil {
		return nil, err
	}
	return s, nil
}

type inspectBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// inspectWithSearchPath sets the transaction's search path to the schema,
// reads it, and returns the search path that was in force before.
func inspectWithSearchPath(ctx context.Context, q dialect.Querier, schemaName string) (*schema.Schema, string, error) {
	var (
		previous string
		nsOID    sql.NullInt64
		version  int
	)
	err := q.QueryRowContext(ctx, `
SELECT pg_catalog.current_setting('search_path'),
       pg_catalog.set_config('search_path', pg_catalog.quote_ident($1::text), true) IS NOT NULL,
       (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = $1::text),
       pg_catalog.current_setting('server_version_num')::int`,
		schemaName).Scan(&previous, new(bool), &nsOID, &version)
	if err != nil {
		return nil, "", fmt.Errorf("inspect schema %s: %w", schemaName, err)
	}
	s := &schema.Schema{Dialect: "postgres", Name: schemaName}
	if !nsOID.Valid {
		return s, previous, nil
	}
	in := inspector{q: q, ns: nsOID.Int64, serverVersion: version, schema: s,
		relations: map[int64]*inspectRelation{}, constraintIndexes: map[int64]bool{}, strings: map[string]string{}}
	for _, step := range []struct {
		what string
		run  func(context.Context) error
	}{
		{"columns", in.columns},
		{"constraints", in.constraints}, // before indexes: it tells which indexes back constraints
		{"indexes", in.indexes},
		{"views", in.views},
		{"enum types", in.enums},
		{"sequences", in.sequences},
	} {
		if err := step.run(ctx); err != nil {
			return nil, previous, fmt.Errorf("inspect schema %s: %s: %w", schemaName, step.what, err)
		}
	}
	return s.Canonical(), previous, nil
}

// inspector holds the state of one inspection.
type inspector struct {
	q  dialect.Querier
	ns int64 // the namespace's oid
	// serverVersion is server_version_num (150004 for 15.4).
	serverVersion int
	schema        *schema.Schema
	// relations are the tables read, by pg_class oid. Objects of relations
	// not in it (schemagate's own tables, extension members) are skipped.
	relations map[int64]*inspectRelation
	// constraintIndexes maps the oid of an index that implements a
	// primary key or unique constraint to that constraint, so the index
	// is not listed a second time.
	constraintIndexes map[int64]bool
	// strings interns the values that repeat across thousands of rows
	// (type names, defaults), so each is held once.
	strings map[string]string
}

// inspectRelation is a table being read, with its column names by attnum,
// which the constraint and index queries return as numbers.
type inspectRelation struct {
	table    *schema.Table
	attnames []string
}

func (r *inspectRelation) attname(attnum int64) string {
	if attnum > 0 && attnum < int64(len(r.attnames)) {
		return r.attnames[attnum]
	}
	return ""
}

func (in *inspector) intern(s string) string {
	if v, ok := in.strings[s]; ok {
		return v
	}
	in.strings[s] = s
	return s
}

// The queries below avoid per-row lookups where the planner, with the stale
// catalog statistics typical right after a migration, would otherwise
// probe an index once per column or key: column names are resolved in Go
// from the columns query, and rarely needed values (defaults, collations,
// expression text) are computed under a CASE so they cost nothing where
// absent.

// inspectNotOwned filters relations: schemagate's own and extension
// members are not the user's schema.
const inspectNotOwned = `
  AND c.relname NOT LIKE 'schemagate\_%'
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend e
                  WHERE e.classid = 'pg_catalog.pg_class'::regclass AND e.objid = c.oid AND e.deptype = 'e')`

// inspectColumnsQuery returns one row per column of every table; a table
// without columns comes back as one row with attnum 0.
const inspectColumnsQuery = `
SELECT c.oid, c.relname,
       COALESCE(a.attnum, 0),
       COALESCE(a.attname, ''),
       COALESCE(pg_catalog.format_type(a.atttypid, a.atttypmod), ''),
       CASE WHEN a.attcollation NOT IN (0, 100) THEN
         COALESCE((SELECT coll.collname FROM pg_catalog.pg_collation coll, pg_catalog.pg_type ty
                   WHERE coll.oid = a.attcollation AND ty.oid = a.atttypid AND ty.typcollation <> a.attcollation), '')
       ELSE '' END,
       COALESCE(a.attnotnull, false),
       COALESCE(pg_catalog.pg_get_expr(d.adbin, d.adrelid, true), ''),
       COALESCE(a.attidentity::text, ''),
       COALESCE(a.attgenerated::text, '')
FROM pg_catalog.pg_class c
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
-- A join, not a subquery per column: with thousands of columns the
-- correlated lookups cost more than the rest of the query.
LEFT JOIN pg_catalog.pg_attrdef d ON a.atthasdef AND d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = $1 AND c.relkind IN ('r', 'p')` + inspectNotOwned

func (in *inspector) columns(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, inspectColumnsQuery, in.ns)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		oid, attnum                                           int64
		table, name, typ, collation, def, identity, generated string
		notNull                                               bool
		rel                                                   *inspectRelation
	)
	for rows.Next() {
		if err := rows.Scan(&oid, &table, &attnum, &name, &typ, &collation, &notNull, &def, &identity, &generated); err != nil {
			return err
		}
		if rel == nil || rel != in.relations[oid] {
			rel = in.relations[oid]
			if rel == nil {
				rel = &inspectRelation{table: &schema.Table{Name: table}}
				in.relations[oid] = rel
				in.schema.Tables = append(in.schema.Tables, rel.table)
			}
		}
		if attnum == 0 {
			continue
		}
		for int64(len(rel.attnames)) <= attnum {
			rel.attnames = append(rel.attnames, "")
		}
		rel.attnames[attnum] = name
		col := &schema.Column{Name: name, Type: in.intern(typ), Collation: collation, Nullable: !notNull}
		switch identity {
		case "a":
			col.Identity = schema.IdentityAlways
		case "d":
			col.Identity = schema.IdentityByDefault
		}
		switch generated {
		case "s":
			col.Generated = def
		case "v":
			col.Generated, col.Virtual = def, true
		default:
			col.Default = in.intern(def)
		}
		rel.table.Columns = append(rel.table.Columns, col)
	}
	return rows.Err()
}

// inspectConstraintsQuery returns every primary key, unique, check and
// foreign-key constraint of the namespace, key columns as attnum arrays.
// Foreign keys cloned onto partitions (conparentid <> 0) are left out:
// they are implied by the partitioned table's own.
const inspectConstraintsQuery = `
SELECT con.conrelid, con.conname, con.contype::text, con.conindid,
       CASE WHEN con.contype = 'c' THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid, true) ELSE '' END,
       COALESCE(con.conkey::text, ''),
       con.confrelid, COALESCE(con.confkey::text, ''),
       con.confdeltype::text, con.confupdtype::text, %s
FROM pg_catalog.pg_constraint con
WHERE con.connamespace = $1 AND con.conrelid <> 0
  AND (con.contype IN ('p', 'u', 'c') OR (con.contype = 'f' AND con.conparentid = 0))`

var inspectActions = map[string]string{
	"a": schema.ActionNoAction,
	"r": schema.ActionRestrict,
	"c": schema.ActionCascade,
	"n": schema.ActionSetNull,
	"d": schema.ActionSetDefault,
}

// inspectForeignKey is a foreign key whose referenced table is not among
// the tables read (another schema, or a table that is not the user's), so
// its name and columns are looked up afterwards.
type inspectForeignKey struct {
	fk     *schema.ForeignKey
	refOID int64
	refKey []int64
}

func (in *inspector) constraints(ctx context.Context) error {
	nullsNotDistinct := "false" // the option exists from PostgreSQL 15 on
	if in.serverVersion >= 150000 {
		nullsNotDistinct = `COALESCE((SELECT i.indnullsnotdistinct FROM pg_catalog.pg_index i
		                             WHERE con.contype = 'u' AND i.indexrelid = con.conindid), false)`
	}
	rows, err := in.q.QueryContext(ctx, fmt.Sprintf(inspectConstraintsQuery, nullsNotDistinct), in.ns)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		relOID, indexOID, refOID                int64
		name, kind, expr, key, refKey, del, upd string
		nnd                                     bool
		unresolved                              []inspectForeignKey
	)
	for rows.Next() {
		if err := rows.Scan(&relOID, &name, &kind, &indexOID, &expr, &key, &refOID, &refKey, &del, &upd, &nnd); err != nil {
			return err
		}
		rel := in.relations[relOID]
		if rel == nil {
			continue
		}
		t := rel.table
		switch kind {
		case "p":
			in.constraintIndexes[indexOID] = true
			t.PrimaryKey = &schema.PrimaryKey{Name: name, Columns: inspectNames(rel, key)}
		case "u":
			in.constraintIndexes[indexOID] = true
			t.Uniques = append(t.Uniques, &schema.Unique{Name: name, Columns: inspectNames(rel, key), NullsNotDistinct: nnd})
		case "c":
			t.Checks = append(t.Checks, &schema.Check{Name: name, Expression: expr})
		case "f":
			fk := &schema.ForeignKey{Name: name, Columns: inspectNames(rel, key),
				OnDelete: inspectActions[del], OnUpdate: inspectActions[upd]}
			if ref := in.relations[refOID]; ref != nil {
				fk.RefTable, fk.RefColumns = ref.table.Name, inspectNames(ref, refKey)
			} else {
				unresolved = append(unresolved, inspectForeignKey{fk: fk, refOID: refOID, refKey: inspectInts(refKey)})
			}
			t.ForeignKeys = append(t.ForeignKeys, fk)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	return in.resolveReferences(ctx, unresolved)
}

// resolveReferences names the tables and columns that foreign keys refer
// to outside the tables read, qualifying a table with its schema when that
// is not the inspected one.
func (in *inspector) resolveReferences(ctx context.Context, fks []inspectForeignKey) error {
	if len(fks) == 0 {
		return nil
	}
	oids := make([]string, len(fks))
	for i, f := range fks {
		oids[i] = strconv.FormatInt(f.refOID, 10)
	}
	rows, err := in.q.QueryContext(ctx, `
SELECT c.oid, c.relname, CASE WHEN c.relnamespace = $2 THEN '' ELSE n.nspname END, a.attnum, a.attname
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
WHERE c.oid = ANY ($1::text::oid[])`, "{"+strings.Join(oids, ",")+"}", in.ns)
	if err != nil {
		return err
	}
	defer rows.Close()
	refs := map[int64]*inspectRelation{}
	var (
		oid, attnum           int64
		table, nspname, field string
	)
	for rows.Next() {
		if err := rows.Scan(&oid, &table, &nspname, &attnum, &field); err != nil {
			return err
		}
		ref := refs[oid]
		if ref == nil {
			if nspname != "" {
				table = nspname + "." + table
			}
			ref = &inspectRelation{table: &schema.Table{Name: table}}
			refs[oid] = ref
		}
		for int64(len(ref.attnames)) <= attnum {
			ref.attnames = append(ref.attnames, "")
		}
		ref.attnames[attnum] = field
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range fks {
		if ref := refs[f.refOID]; ref != nil {
			f.fk.RefTable = ref.table.Name
			for _, n := range f.refKey {
				f.fk.RefColumns = append(f.fk.RefColumns, ref.attname(n))
			}
		}
	}
	return nil
}

// inspectInts parses an int2[] ("{1,2}") or int2vector ("1 2") in text form.
func inspectInts(s string) []int64 {
	s = strings.Trim(s, "{}")
	if s == "" {
		return nil
	}
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
	out := make([]int64, 0, len(fields))
	for _, f := range fields {
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil
		}
		out = append(out, n)
	}
	return out
}

func inspectNames(rel *inspectRelation, attnums string) []string {
	nums := inspectInts(attnums)
	names := make([]string, len(nums))
	for i, n := range nums {
		names[i] = rel.attname(n)
	}
	return names
}

// inspectIndexesQuery returns one row per key (and INCLUDE column) of every
// index. Expression text is fetched only for expression keys; the operator
// class only when it is not the type's default; the collation only when it
// is neither the database default nor the column's own.
const inspectIndexesQuery = `
SELECT i.indrelid, i.indexrelid, ic.relname, i.indisunique, %s, am.amname, i.indnkeyatts,
       CASE WHEN i.indpred IS NULL THEN '' ELSE pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) END,
       k.n, k.attnum,
       CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, true) ELSE '' END,
       COALESCE(i.indoption[(k.n - 1)::int], 0),
       COALESCE(CASE WHEN NOT opc.opcdefault THEN opc.opcname END, ''),
       CASE WHEN i.indcollation[(k.n - 1)::int] NOT IN (0, 100) THEN
         COALESCE((SELECT coll.collname FROM pg_catalog.pg_collation coll
                   WHERE coll.oid = i.indcollation[(k.n - 1)::int]
                     AND coll.oid IS DISTINCT FROM (SELECT a.attcollation FROM pg_catalog.pg_attribute a
                                                    WHERE a.attrelid = i.indrelid AND a.attnum = k.attnum)), '')
       ELSE '' END
FROM pg_catalog.pg_class ic
JOIN pg_catalog.pg_index i ON i.indexrelid = ic.oid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[(k.n - 1)::int]
WHERE ic.relnamespace = $1 AND ic.relkind IN ('i', 'I')
ORDER BY i.indrelid, ic.relname, k.n`

// pg_index.indoption bits.
const (
	inspectIndOptionDesc       = 1
	inspectIndOptionNullsFirst = 2
)

func (in *inspector) indexes(ctx context.Context) error {
	nullsNotDistinct := "false" // the option exists from PostgreSQL 15 on
	if in.serverVersion >= 150000 {
		nullsNotDistinct = "i.indnullsnotdistinct"
	}
	rows, err := in.q.QueryContext(ctx, fmt.Sprintf(inspectIndexesQuery, nullsNotDistinct), in.ns)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		relOID, indexOID, keyCount, n, attnum, option int64
		name, method, predicate, expr, opClass, coll  string
		unique, nnd                                   bool
		ix                                            *schema.Index
	)
	for rows.Next() {
		if err := rows.Scan(&relOID, &indexOID, &name, &unique, &nnd, &method, &keyCount, &predicate,
			&n, &attnum, &expr, &option, &opClass, &coll); err != nil {
			return err
		}
		rel := in.relations[relOID]
		if rel == nil || in.constraintIndexes[indexOID] {
			continue // not a table of ours, or described by its constraint
		}
		if n == 1 {
			ix = &schema.Index{Name: name, Unique: unique, NullsNotDistinct: nnd,
				Method: in.intern(method), Predicate: predicate}
			rel.table.Indexes = append(rel.table.Indexes, ix)
		}
		if n > keyCount {
			ix.Include = append(ix.Include, rel.attname(attnum))
			continue
		}
		key := schema.IndexKey{Column: rel.attname(attnum), Expression: expr, OpClass: opClass, Collation: coll}
		key.Descending = option&inspectIndOptionDesc != 0
		nullsFirst := option&inspectIndOptionNullsFirst != 0
		switch {
		case key.Descending && !nullsFirst:
			key.Nulls = "last"
		case !key.Descending && nullsFirst:
			key.Nulls = "first"
		}
		ix.Keys = append(ix.Keys, key)
	}
	return rows.Err()
}

const inspectViewsQuery = `
SELECT c.relname, c.relkind = 'm', pg_catalog.pg_get_viewdef(c.oid, true)
FROM pg_catalog.pg_class c
WHERE c.relnamespace = $1 AND c.relkind IN ('v', 'm')` + inspectNotOwned

func (in *inspector) views(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, inspectViewsQuery, in.ns)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		v := &schema.View{}
		if err := rows.Scan(&v.Name, &v.Materialized, &v.Definition); err != nil {
			return err
		}
		v.Definition = schema.NormalizeSpace(v.Definition)
		in.schema.Views = append(in.schema.Views, v)
	}
	return rows.Err()
}

const inspectEnumsQuery = `
SELECT t.typname, e.enumlabel IS NOT NULL, COALESCE(e.enumlabel, '')
FROM pg_catalog.pg_type t
LEFT JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
WHERE t.typnamespace = $1 AND t.typtype = 'e'
  AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend x
                  WHERE x.classid = 'pg_catalog.pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
ORDER BY t.typname, e.enumsortorder`

func (in *inspector) enums(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, inspectEnumsQuery, in.ns)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		name, label string
		hasLabel    bool
		e           *schema.Enum
	)
	for rows.Next() {
		if err := rows.Scan(&name, &hasLabel, &label); err != nil {
			return err
		}
		if e == nil || e.Name != name {
			e = &schema.Enum{Name: name}
			in.schema.Enums = append(in.schema.Enums, e)
		}
		if hasLabel {
			e.Values = append(e.Values, label)
		}
	}
	return rows.Err()
}

// inspectSequencesQuery lists sequences with the column that owns them, if
// any. Sequences behind identity columns (dependency type 'i') belong to
// the column's Identity and are left out, as are those owned by
// schemagate's tables.
const inspectSequencesQuery = `
SELECT c.relname, pg_catalog.format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcycle,
       COALESCE(oc.relname, ''), COALESCE(oa.attname, '')
FROM pg_catalog.pg_sequence s
JOIN pg_catalog.pg_class c ON c.oid = s.seqrelid
LEFT JOIN pg_catalog.pg_depend d
       ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid
      AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_class oc ON oc.oid = d.refobjid
LEFT JOIN pg_catalog.pg_attribute oa ON oa.attrelid = d.refobjid AND oa.attnum = d.refobjsubid
WHERE c.relnamespace = $1 AND c.relkind = 'S'
  AND (d.deptype IS NULL OR d.deptype <> 'i')
  AND COALESCE(oc.relname, '') NOT LIKE 'schemagate\_%'` + inspectNotOwned

func (in *inspector) sequences(ctx context.Context) error {
	rows, err := in.q.QueryContext(ctx, inspectSequencesQuery, in.ns)
	if err != nil {
		return err
	}
	defer rows.Close()
	var ownerTable, ownerColumn string
	for rows.Next() {
		q := &schema.Sequence{}
		if err := rows.Scan(&q.Name, &q.Type, &q.Start, &q.Increment, &q.Min, &q.Max, &q.Cycle, &ownerTable, &ownerColumn); err != nil {
			return err
		}
		if ownerTable != "" && ownerColumn != "" {
			q.OwnedBy = ownerTable + "." + ownerColumn
		}
		in.schema.Sequences = append(in.schema.Sequences, q)
	}
	return rows.Err()
}
