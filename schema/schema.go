package schema

// Schema is one namespace of a database: a PostgreSQL schema, a MySQL
// database, the main database of a SQLite file. It holds only the user's
// objects; schemagate's own tables (named "schemagate_…") are never part of it.
//
// The order of the slices carries no meaning. Canonical returns the form in
// which they are sorted, which is the form that is encoded and fingerprinted.
type Schema struct {
	// Dialect is the engine the schema was read from: "postgres", "sqlite"
	// or "mysql". Types and expressions are spelled the way that engine
	// prints them, so schemas of two dialects never compare equal.
	Dialect string `json:"dialect"`
	// Name is the namespace the schema was read from ("public", "" for
	// SQLite). It is not part of the canonical form: the same objects in
	// two namespaces have one fingerprint, so a snapshot built in a scratch
	// database's "public" matches a production schema named otherwise.
	Name      string      `json:"-"`
	Tables    []*Table    `json:"tables,omitempty"`
	Views     []*View     `json:"views,omitempty"`
	Enums     []*Enum     `json:"enums,omitempty"`
	Sequences []*Sequence `json:"sequences,omitempty"`
}

// Table is a base table (PostgreSQL partitioned tables and partitions
// included).
type Table struct {
	Name       string      `json:"name"`
	Columns    []*Column   `json:"columns,omitempty"`
	PrimaryKey *PrimaryKey `json:"primary_key,omitempty"`
	// Indexes are the indexes created on their own. The index that backs a
	// primary key or a unique constraint is described by that constraint
	// and is not listed here.
	Indexes     []*Index      `json:"indexes,omitempty"`
	Uniques     []*Unique     `json:"uniques,omitempty"`
	Checks      []*Check      `json:"checks,omitempty"`
	ForeignKeys []*ForeignKey `json:"foreign_keys,omitempty"`
}

// Column is a table column.
type Column struct {
	Name string `json:"name"`
	// Type is the normalised type name: for PostgreSQL as format_type
	// prints it ("integer", "character varying(255)", "numeric(10,2)",
	// "timestamp with time zone", "text[]", an enum's name); for SQLite the
	// declared type in lower case with blanks removed around parentheses
	// and commas ("varchar(255)", "decimal(10,2)"), or "" when none was
	// declared.
	Type string `json:"type"`
	// Collation is set when it is not the type's default collation
	// (PostgreSQL) or BINARY (SQLite).
	Collation string `json:"collation,omitempty"`
	Nullable  bool   `json:"nullable"`
	// Default is the default expression as the engine prints it
	// ("now()", "'active'::text", "nextval('orders_id_seq'::regclass)"),
	// "" for none.
	Default string `json:"default,omitempty"`
	// Identity is "always" or "by default" for an identity column, "".
	Identity string `json:"identity,omitempty"`
	// Generated is the expression of a generated column, "" for an
	// ordinary column. Virtual is true when the value is computed on read
	// rather than stored.
	Generated string `json:"generated,omitempty"`
	Virtual   bool   `json:"virtual,omitempty"`
}

// FillsItself reports whether the database supplies the column's value when
// an INSERT leaves it out: it has a default, is an identity or is generated.
func (c *Column) FillsItself() bool {
	return c.Default != "" || c.Identity != "" || c.Generated != ""
}

// RejectsWrites reports whether the database refuses a value an INSERT
// gives for the column: a generated column or an identity GENERATED ALWAYS.
func (c *Column) RejectsWrites() bool {
	return c.Generated != "" || c.Identity == IdentityAlways
}

// Identity kinds.
const (
	IdentityAlways    = "always"
	IdentityByDefault = "by default"
)

// PrimaryKey is a table's primary key; Columns are in key order.
type PrimaryKey struct {
	// Name is the constraint name; "" where the engine has none to show
	// (SQLite).
	Name    string   `json:"name,omitempty"`
	Columns []string `json:"columns,omitempty"`
}

// Index is an index created with CREATE INDEX.
type Index struct {
	Name   string `json:"name"`
	Unique bool   `json:"unique,omitempty"`
	// NullsNotDistinct is true for a unique index that treats NULLs as
	// equal (PostgreSQL 15 NULLS NOT DISTINCT).
	NullsNotDistinct bool `json:"nulls_not_distinct,omitempty"`
	// Method is the access method ("btree", "gin", "gist", "hash", …);
	// "" where the engine has only one (SQLite).
	Method string `json:"method,omitempty"`
	// Keys are the key columns or expressions, in key order.
	Keys []IndexKey `json:"keys,omitempty"`
	// Include are non-key columns stored in the index (INCLUDE).
	Include []string `json:"include,omitempty"`
	// Predicate is the WHERE clause of a partial index, "" for none.
	Predicate string `json:"predicate,omitempty"`
}

// IndexKey is one key of an index: a column or an expression. Options hold
// only what differs from the engine's default, so that an index written with
// and without "ASC" is the same index.
type IndexKey struct {
	Column     string `json:"column,omitempty"`
	Expression string `json:"expression,omitempty"`
	Descending bool   `json:"descending,omitempty"`
	// Nulls is "first" or "last" when NULLs sort against the default for
	// the key's direction (PostgreSQL: last for ascending, first for
	// descending); "" otherwise.
	Nulls string `json:"nulls,omitempty"`
	// Collation is set when it is not the column's (or the default) one.
	Collation string `json:"collation,omitempty"`
	// OpClass is set when it is not the default operator class for the
	// type (e.g. "text_pattern_ops", "jsonb_path_ops").
	OpClass string `json:"opclass,omitempty"`
}

// Unique is a UNIQUE constraint.
type Unique struct {
	// Name is "" where the engine has none to show (SQLite); such a
	// constraint is identified by its columns.
	Name             string   `json:"name,omitempty"`
	Columns          []string `json:"columns,omitempty"`
	NullsNotDistinct bool     `json:"nulls_not_distinct,omitempty"`
}

// Check is a CHECK constraint. Expression is the condition without the
// CHECK keyword and the outer parentheses, as the engine prints it
// (PostgreSQL) or as it was written, blanks collapsed (SQLite).
type Check struct {
	// Name is "" for an unnamed SQLite constraint, which is identified by
	// its expression.
	Name       string `json:"name,omitempty"`
	Expression string `json:"expression"`
}

// ForeignKey is a FOREIGN KEY constraint. Columns and RefColumns pair up in
// order.
type ForeignKey struct {
	// Name is "" for a SQLite constraint, which is identified by its
	// columns and reference.
	Name    string   `json:"name,omitempty"`
	Columns []string `json:"columns,omitempty"`
	// RefTable is the referenced table, qualified as "schema.table" only
	// when it lives in another namespace.
	RefTable   string   `json:"ref_table"`
	RefColumns []string `json:"ref_columns,omitempty"`
	// OnDelete and OnUpdate are one of the Action constants.
	OnDelete string `json:"on_delete"`
	OnUpdate string `json:"on_update"`
}

// Referential actions, spelled as in SQL.
const (
	ActionNoAction   = "NO ACTION"
	ActionRestrict   = "RESTRICT"
	ActionCascade    = "CASCADE"
	ActionSetNull    = "SET NULL"
	ActionSetDefault = "SET DEFAULT"
)

// actsOnRows reports whether a referential action makes the database change
// rows by itself, which an application may rely on (deleting children
// with their parent), as opposed to merely refusing a change.
func actsOnRows(action string) bool {
	return action == ActionCascade || action == ActionSetNull || action == ActionSetDefault
}

// View is a view or a materialized view.
type View struct {
	Name         string `json:"name"`
	Materialized bool   `json:"materialized,omitempty"`
	// Definition is the query, as the engine prints it (PostgreSQL) or as
	// it was written (SQLite), with comments removed and every run of
	// blanks outside literals collapsed to one space (see NormalizeSpace).
	Definition string `json:"definition"`
}

// Enum is an enumerated type; Values are in their sort order, which matters
// to comparisons and ORDER BY.
type Enum struct {
	Name   string   `json:"name"`
	Values []string `json:"values,omitempty"`
}

// Sequence is a sequence that stands on its own or backs a serial column.
// Sequences that implement identity columns are described by the column's
// Identity and are not listed.
type Sequence struct {
	Name      string `json:"name"`
	Type      string `json:"type,omitempty"`
	Start     int64  `json:"start"`
	Increment int64  `json:"increment"`
	Min       int64  `json:"min"`
	Max       int64  `json:"max"`
	Cycle     bool   `json:"cycle,omitempty"`
	// OwnedBy is "table.column" for a sequence owned by a column (serial,
	// OWNED BY), "" otherwise.
	OwnedBy string `json:"owned_by,omitempty"`
}

// Table returns the table with the given name, or nil.
func (s *Schema) Table(name string) *Table {
	for _, t := range s.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// View returns the view with the given name, or nil.
func (s *Schema) View(name string) *View {
	for _, v := range s.Views {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Enum returns the enum type with the given name, or nil.
func (s *Schema) Enum(name string) *Enum {
	for _, e := range s.Enums {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Sequence returns the sequence with the given name, or nil.
func (s *Schema) Sequence(name string) *Sequence {
	for _, q := range s.Sequences {
		if q.Name == name {
			return q
		}
	}
	return nil
}

// Column returns the column with the given name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Index returns the index with the given name, or nil.
func (t *Table) Index(name string) *Index {
	for _, ix := range t.Indexes {
		if ix.Name == name {
			return ix
		}
	}
	return nil
}
