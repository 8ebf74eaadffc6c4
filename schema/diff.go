package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Difference kinds. They are a stable contract: scripts read them from
// `--output json`. A kind ending in "_missing" means the object is in the
// wanted schema and absent from the other; "_extra" the reverse; "_changed"
// that it exists in both with another shape.
const (
	DialectChanged = "dialect_changed"

	TableMissing = "table_missing"
	TableExtra   = "table_extra"

	ColumnMissing            = "column_missing"
	ColumnExtra              = "column_extra"
	ColumnTypeChanged        = "column_type_changed"
	ColumnCollationChanged   = "column_collation_changed"
	ColumnNullabilityChanged = "column_nullability_changed"
	ColumnDefaultChanged     = "column_default_changed"
	ColumnIdentityChanged    = "column_identity_changed"
	ColumnGeneratedChanged   = "column_generated_changed"
	PrimaryKeyMissing        = "primary_key_missing"
	PrimaryKeyExtra          = "primary_key_extra"
	PrimaryKeyChanged        = "primary_key_changed"
	IndexMissing             = "index_missing"
	IndexExtra               = "index_extra"
	IndexChanged             = "index_changed"
	UniqueMissing            = "unique_missing"
	UniqueExtra              = "unique_extra"
	UniqueChanged            = "unique_changed"
	CheckMissing             = "check_missing"
	CheckExtra               = "check_extra"
	CheckChanged             = "check_changed"
	ForeignKeyMissing        = "foreign_key_missing"
	ForeignKeyExtra          = "foreign_key_extra"
	ForeignKeyChanged        = "foreign_key_changed"
	ViewMissing              = "view_missing"
	ViewExtra                = "view_extra"
	ViewChanged              = "view_changed"
	EnumMissing              = "enum_missing"
	EnumExtra                = "enum_extra"
	EnumValuesChanged        = "enum_values_changed"
	SequenceMissing          = "sequence_missing"
	SequenceExtra            = "sequence_extra"
	SequenceChanged          = "sequence_changed"
	// EnumValueMissing is reported by Compatible only: one label the
	// release needs is absent from an enum that exists.
	EnumValueMissing = "enum_value_missing"
)

// Difference is one way in which a schema differs from the one wanted.
type Difference struct {
	// Kind is one of the constants above.
	Kind string `json:"kind"`
	// Table is the table the difference is in, "" for objects outside
	// tables (views, enums, sequences).
	Table string `json:"table,omitempty"`
	// Column is the column, for column differences.
	Column string `json:"column,omitempty"`
	// Object names the index, constraint, view, enum or sequence.
	Object string `json:"object,omitempty"`
	// Want is the wanted shape, Got the one found, in SQL-like words; ""
	// for an absent side.
	Want string `json:"want,omitempty"`
	Got  string `json:"got,omitempty"`
	// Message says it in plain words.
	Message string `json:"message"`
}

// Missing reports whether the difference is about something the wanted
// schema has and the other lacks, as opposed to something that exists with
// another shape or is extra. A database missing objects is behind (a
// migration that creates them may still come); one with objects of another
// shape contradicts the release.
func (d Difference) Missing() bool { return strings.HasSuffix(d.Kind, "_missing") }

func (d Difference) String() string { return d.Message }

// Diff returns the differences between from, the schema wanted, and to, the
// schema that exists: "missing" means in from and not in to. Objects are
// matched by name; unique, check and foreign-key constraints that have no
// name (SQLite) are matched by their definition.
//
// The order is deterministic: enums, sequences, tables (by name; within a
// table columns, primary key, indexes, uniques, checks, foreign keys), then
// views. Diff(a, b) is empty exactly when a and b have the same fingerprint.
// A nil schema is an empty one.
func Diff(from, to *Schema) []Difference {
	from, to = from.Canonical(), to.Canonical()
	var d differ
	if from.Dialect != to.Dialect {
		d.add(Difference{Kind: DialectChanged, Want: from.Dialect, Got: to.Dialect,
			Message: fmt.Sprintf("the schema is a %s schema, want %s", to.Dialect, from.Dialect)})
	}
	matchByKey(from.Enums, to.Enums, func(e *Enum) string { return e.Name }, d.enum)
	matchByKey(from.Sequences, to.Sequences, func(q *Sequence) string { return q.Name }, d.sequence)
	matchByKey(from.Tables, to.Tables, func(t *Table) string { return t.Name }, d.table)
	matchByKey(from.Views, to.Views, func(v *View) string { return v.Name }, d.view)
	return d.out
}

type differ struct{ out []Difference }

func (d *differ) add(diff Difference) { d.out = append(d.out, diff) }

// matchByKey walks two lists sorted by key and calls visit with each pair
// of elements of equal key, nil on the side that lacks one. Elements of
// equal key within one list (identical unnamed constraints) pair up in
// order.
func matchByKey[T any](want, got []*T, key func(*T) string, visit func(want, got *T)) {
	i, j := 0, 0
	for i < len(want) || j < len(got) {
		switch {
		case j == len(got):
			visit(want[i], nil)
			i++
		case i == len(want):
			visit(nil, got[j])
			j++
		default:
			switch c := strings.Compare(key(want[i]), key(got[j])); {
			case c < 0:
				visit(want[i], nil)
				i++
			case c > 0:
				visit(nil, got[j])
				j++
			default:
				visit(want[i], got[j])
				i++
				j++
			}
		}
	}
}

func (d *differ) enum(want, got *Enum) {
	switch {
	case got == nil:
		d.add(Difference{Kind: EnumMissing, Object: want.Name, Want: describeEnum(want),
			Message: fmt.Sprintf("enum type %s is missing", want.Name)})
	case want == nil:
		d.add(Difference{Kind: EnumExtra, Object: got.Name, Got: describeEnum(got),
			Message: fmt.Sprintf("enum type %s is not in the wanted schema", got.Name)})
	case !slices.Equal(want.Values, got.Values):
		d.add(Difference{Kind: EnumValuesChanged, Object: want.Name, Want: describeEnum(want), Got: describeEnum(got),
			Message: fmt.Sprintf("enum type %s has values %s, want %s", want.Name, describeEnum(got), describeEnum(want))})
	}
}

func (d *differ) sequence(want, got *Sequence) {
	switch {
	case got == nil:
		d.add(Difference{Kind: SequenceMissing, Object: want.Name, Want: describeSequence(want),
			Message: fmt.Sprintf("sequence %s is missing", want.Name)})
	case want == nil:
		d.add(Difference{Kind: SequenceExtra, Object: got.Name, Got: describeSequence(got),
			Message: fmt.Sprintf("sequence %s is not in the wanted schema", got.Name)})
	case *want != *got:
		w, g := describeSequence(want), describeSequence(got)
		d.add(Difference{Kind: SequenceChanged, Object: want.Name, Want: w, Got: g,
			Message: fmt.Sprintf("sequence %s is %s, want %s", want.Name, g, w)})
	}
}

func (d *differ) view(want, got *View) {
	switch {
	case got == nil:
		d.add(Difference{Kind: ViewMissing, Object: want.Name, Want: want.Definition,
			Message: fmt.Sprintf("%s %s is missing", viewNoun(want), want.Name)})
	case want == nil:
		d.add(Difference{Kind: ViewExtra, Object: got.Name, Got: got.Definition,
			Message: fmt.Sprintf("%s %s is not in the wanted schema", viewNoun(got), got.Name)})
	case want.Materialized != got.Materialized:
		d.add(Difference{Kind: ViewChanged, Object: want.Name, Want: viewNoun(want), Got: viewNoun(got),
			Message: fmt.Sprintf("%s is a %s, want a %s", want.Name, viewNoun(got), viewNoun(want))})
	case want.Definition != got.Definition:
		d.add(Difference{Kind: ViewChanged, Object: want.Name, Want: want.Definition, Got: got.Definition,
			Message: fmt.Sprintf("%s %s has another definition", viewNoun(want), want.Name)})
	}
}

func viewNoun(v *View) string {
	if v.Materialized {
		return "materialized view"
	}
	return "view"
}

func (d *differ) table(want, got *Table) {
	switch {
	case got == nil:
		d.add(Difference{Kind: TableMissing, Table: want.Name,
			Message: fmt.Sprintf("table %s is missing", want.Name)})
		return
	case want == nil:
		d.add(Difference{Kind: TableExtra, Table: got.Name,
			Message: fmt.Sprintf("table %s is not in the wanted schema", got.Name)})
		return
	}
	table := want.Name
	matchByKey(want.Columns, got.Columns, func(c *Column) string { return c.Name }, func(w, g *Column) {
		d.column(table, w, g)
	})
	d.primaryKey(table, want.PrimaryKey, got.PrimaryKey)
	matchByKey(want.Indexes, got.Indexes, func(ix *Index) string { return ix.Name }, func(w, g *Index) {
		d.index(table, w, g)
	})
	matchByKey(want.Uniques, got.Uniques, uniqueIdentity, func(w, g *Unique) {
		diffConstraint(d, table, "unique constraint", [3]string{UniqueMissing, UniqueExtra, UniqueChanged},
			uniqueIdentity, describeUnique, w, g)
	})
	matchByKey(want.Checks, got.Checks, checkIdentity, func(w, g *Check) {
		diffConstraint(d, table, "check constraint", [3]string{CheckMissing, CheckExtra, CheckChanged},
			checkIdentity, describeCheck, w, g)
	})
	matchByKey(want.ForeignKeys, got.ForeignKeys, foreignKeyIdentity, func(w, g *ForeignKey) {
		diffConstraint(d, table, "foreign key", [3]string{ForeignKeyMissing, ForeignKeyExtra, ForeignKeyChanged},
			foreignKeyIdentity, describeForeignKey, w, g)
	})
}

func (d *differ) column(table string, want, got *Column) {
	switch {
	case got == nil:
		d.add(Difference{Kind: ColumnMissing, Table: table, Column: want.Name, Want: describeColumn(want),
			Message: fmt.Sprintf("column %s.%s is missing", table, want.Name)})
		return
	case want == nil:
		d.add(Difference{Kind: ColumnExtra, Table: table, Column: got.Name, Got: describeColumn(got),
			Message: fmt.Sprintf("column %s.%s (%s) is not in the wanted schema", table, got.Name, describeColumn(got))})
		return
	}
	name := table + "." + want.Name
	if want.Type != got.Type {
		d.add(Difference{Kind: ColumnTypeChanged, Table: table, Column: want.Name, Want: want.Type, Got: got.Type,
			Message: fmt.Sprintf("column %s has type %s, want %s", name, got.Type, want.Type)})
	}
	if want.Collation != got.Collation {
		d.add(Difference{Kind: ColumnCollationChanged, Table: table, Column: want.Name,
			Want: describeCollation(want.Collation), Got: describeCollation(got.Collation),
			Message: fmt.Sprintf("column %s has %s, want %s", name, describeCollation(got.Collation), describeCollation(want.Collation))})
	}
	if want.Nullable != got.Nullable {
		d.add(Difference{Kind: ColumnNullabilityChanged, Table: table, Column: want.Name,
			Want: nullability(want), Got: nullability(got),
			Message: fmt.Sprintf("column %s is %s, want %s", name, nullability(got), nullability(want))})
	}
	if want.Default != got.Default {
		d.add(Difference{Kind: ColumnDefaultChanged, Table: table, Column: want.Name, Want: want.Default, Got: got.Default,
			Message: fmt.Sprintf("column %s has %s, want %s", name, describeDefault(got.Default), describeDefault(want.Default))})
	}
	if want.Identity != got.Identity {
		d.add(Difference{Kind: ColumnIdentityChanged, Table: table, Column: want.Name,
			Want: describeIdentity(want.Identity), Got: describeIdentity(got.Identity),
			Message: fmt.Sprintf("column %s is %s, want %s", name, describeIdentity(got.Identity), describeIdentity(want.Identity))})
	}
	if want.Generated != got.Generated || want.Virtual != got.Virtual {
		d.add(Difference{Kind: ColumnGeneratedChanged, Table: table, Column: want.Name,
			Want: describeGenerated(want), Got: describeGenerated(got),
			Message: fmt.Sprintf("column %s is %s, want %s", name, describeGenerated(got), describeGenerated(want))})
	}
}

func (d *differ) primaryKey(table string, want, got *PrimaryKey) {
	switch {
	case want == nil && got == nil:
	case got == nil:
		d.add(Difference{Kind: PrimaryKeyMissing, Table: table, Object: want.Name, Want: describePrimaryKey(want),
			Message: fmt.Sprintf("table %s has no primary key, want %s", table, describePrimaryKey(want))})
	case want == nil:
		d.add(Difference{Kind: PrimaryKeyExtra, Table: table, Object: got.Name, Got: describePrimaryKey(got),
			Message: fmt.Sprintf("table %s has %s, want none", table, describePrimaryKey(got))})
	case want.Name != got.Name || !slices.Equal(want.Columns, got.Columns):
		w, g := describePrimaryKey(want), describePrimaryKey(got)
		d.add(Difference{Kind: PrimaryKeyChanged, Table: table, Object: want.Name, Want: w, Got: g,
			Message: fmt.Sprintf("table %s has %s, want %s", table, g, w)})
	}
}

func (d *differ) index(table string, want, got *Index) {
	switch {
	case got == nil:
		d.add(Difference{Kind: IndexMissing, Table: table, Object: want.Name, Want: describeIndex(want),
			Message: fmt.Sprintf("index %s on %s is missing", want.Name, table)})
	case want == nil:
		d.add(Difference{Kind: IndexExtra, Table: table, Object: got.Name, Got: describeIndex(got),
			Message: fmt.Sprintf("index %s on %s is not in the wanted schema", got.Name, table)})
	default:
		if w, g := describeIndex(want), describeIndex(got); w != g {
			d.add(Difference{Kind: IndexChanged, Table: table, Object: want.Name, Want: w, Got: g,
				Message: fmt.Sprintf("index %s on %s is %s, want %s", want.Name, table, g, w)})
		}
	}
}

// diffConstraint compares two constraints of one kind matched by identity.
// A constraint's description covers every field, so equal descriptions mean
// equal constraints.
func diffConstraint[T any](d *differ, table, noun string, kinds [3]string,
	identity func(*T) string, describe func(*T) string, want, got *T) {
	missing, extra, changed := kinds[0], kinds[1], kinds[2]
	switch {
	case got == nil:
		d.add(Difference{Kind: missing, Table: table, Object: identity(want), Want: describe(want),
			Message: fmt.Sprintf("%s %s on %s is missing", noun, identity(want), table)})
	case want == nil:
		d.add(Difference{Kind: extra, Table: table, Object: identity(got), Got: describe(got),
			Message: fmt.Sprintf("%s %s on %s is not in the wanted schema", noun, identity(got), table)})
	default:
		if w, g := describe(want), describe(got); w != g {
			d.add(Difference{Kind: changed, Table: table, Object: identity(want), Want: w, Got: g,
				Message: fmt.Sprintf("%s %s on %s is %s, want %s", noun, identity(want), table, g, w)})
		}
	}
}

func describeCollation(collation string) string {
	if collation == "" {
		return "the default collation"
	}
	return "collation " + collation
}

func nullability(c *Column) string {
	if c.Nullable {
		return "NULL"
	}
	return "NOT NULL"
}

func describeDefault(def string) string {
	if def == "" {
		return "no default"
	}
	return "default " + def
}

func describeIdentity(identity string) string {
	if identity == "" {
		return "not an identity"
	}
	return "GENERATED " + strings.ToUpper(identity) + " AS IDENTITY"
}

func describeGenerated(c *Column) string {
	switch {
	case c.Generated == "":
		return "not generated"
	case c.Virtual:
		return "GENERATED ALWAYS AS (" + c.Generated + ") VIRTUAL"
	}
	return "GENERATED ALWAYS AS (" + c.Generated + ") STORED"
}

// describeColumn renders a column the way a column definition reads.
func describeColumn(c *Column) string {
	var b strings.Builder
	b.WriteString(c.Type)
	if c.Collation != "" {
		b.WriteString(" COLLATE " + c.Collation)
	}
	if !c.Nullable {
		b.WriteString(" NOT NULL")
	}
	if c.Default != "" {
		b.WriteString(" DEFAULT " + c.Default)
	}
	if c.Identity != "" {
		b.WriteString(" " + describeIdentity(c.Identity))
	}
	if c.Generated != "" {
		b.WriteString(" " + describeGenerated(c))
	}
	return b.String()
}

func describePrimaryKey(pk *PrimaryKey) string {
	s := "PRIMARY KEY (" + strings.Join(pk.Columns, ", ") + ")"
	if pk.Name != "" {
		s = "CONSTRAINT " + pk.Name + " " + s
	}
	return s
}

// describeIndex renders every field of an index, in CREATE INDEX order.
func describeIndex(ix *Index) string {
	var b strings.Builder
	if ix.Unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX")
	if ix.Method != "" {
		b.WriteString(" USING " + ix.Method)
	}
	b.WriteString(" (")
	for i, k := range ix.Keys {
		if i > 0 {
			b.WriteString(", ")
		}
		if k.Column != "" {
			b.WriteString(k.Column)
		} else {
			b.WriteString("(" + k.Expression + ")")
		}
		if k.Collation != "" {
			b.WriteString(" COLLATE " + k.Collation)
		}
		if k.OpClass != "" {
			b.WriteString(" " + k.OpClass)
		}
		if k.Descending {
			b.WriteString(" DESC")
		}
		if k.Nulls != "" {
			b.WriteString(" NULLS " + strings.ToUpper(k.Nulls))
		}
	}
	b.WriteString(")")
	if len(ix.Include) > 0 {
		b.WriteString(" INCLUDE (" + strings.Join(ix.Include, ", ") + ")")
	}
	if ix.NullsNotDistinct {
		b.WriteString(" NULLS NOT DISTINCT")
	}
	if ix.Predicate != "" {
		b.WriteString(" WHERE " + ix.Predicate)
	}
	return b.String()
}

func describeUnique(u *Unique) string {
	s := "UNIQUE"
	if u.NullsNotDistinct {
		s += " NULLS NOT DISTINCT"
	}
	return s + " (" + strings.Join(u.Columns, ", ") + ")"
}

func describeCheck(c *Check) string { return "CHECK (" + c.Expression + ")" }

func describeForeignKey(fk *ForeignKey) string {
	return "FOREIGN KEY (" + strings.Join(fk.Columns, ", ") + ") REFERENCES " + fk.RefTable +
		" (" + strings.Join(fk.RefColumns, ", ") + ") ON DELETE " + fk.OnDelete + " ON UPDATE " + fk.OnUpdate
}

func describeEnum(e *Enum) string {
	quoted := make([]string, len(e.Values))
	for i, v := range e.Values {
		quoted[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
	}
	return "(" + strings.Join(quoted, ", ") + ")"
}

func describeSequence(q *Sequence) string {
	var b strings.Builder
	if q.Type != "" {
		b.WriteString("AS " + q.Type + " ")
	}
	b.WriteString("START " + strconv.FormatInt(q.Start, 10))
	b.WriteString(" INCREMENT " + strconv.FormatInt(q.Increment, 10))
	b.WriteString(" MINVALUE " + strconv.FormatInt(q.Min, 10))
	b.WriteString(" MAXVALUE " + strconv.FormatInt(q.Max, 10))
	if q.Cycle {
		b.WriteString(" CYCLE")
	}
	if q.OwnedBy != "" {
		b.WriteString(" OWNED BY " + q.OwnedBy)
	}
	return b.String()
}
