package schema

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
)

// shopSchema is a small schema with at least one object of every kind and
// every optional property set somewhere, so that a mutation of any
// property has something to act on.
func shopSchema() *Schema {
	return &Schema{
		Dialect: "postgres",
		Name:    "public",
		Tables: []*Table{
			{
				Name: "customers",
				Columns: []*Column{
					{Name: "id", Type: "bigint", Identity: IdentityAlways},
					{Name: "email", Type: "character varying(320)", Collation: "C"},
					{Name: "name", Type: "text", Nullable: true},
					{Name: "created_at", Type: "timestamp with time zone", Default: "now()"},
				},
				PrimaryKey: &PrimaryKey{Name: "customers_pkey", Columns: []string{"id"}},
				Indexes: []*Index{
					{Name: "customers_email_lower_idx", Unique: true, Method: "btree",
						Keys: []IndexKey{{Expression: "lower(email::text)"}}},
					{Name: "customers_created_idx", Method: "btree",
						Keys:    []IndexKey{{Column: "created_at", Descending: true, Nulls: "last"}},
						Include: []string{"name"}, Predicate: "name IS NOT NULL"},
				},
				Uniques: []*Unique{{Name: "customers_email_key", Columns: []string{"email"}}},
				Checks:  []*Check{{Name: "customers_email_check", Expression: "email::text <> ''::text"}},
			},
			{
				Name: "orders",
				Columns: []*Column{
					{Name: "id", Type: "bigint", Default: "nextval('orders_id_seq'::regclass)"},
					{Name: "customer_id", Type: "bigint", Nullable: true},
					{Name: "status", Type: "order_status", Default: "'pending'::order_status"},
					{Name: "total", Type: "numeric(12,2)"},
					{Name: "total_cents", Type: "bigint", Nullable: true, Generated: "(total * 100::numeric)::bigint"},
					{Name: "tags", Type: "text[]", Nullable: true},
				},
				PrimaryKey: &PrimaryKey{Name: "orders_pkey", Columns: []string{"id"}},
				Indexes: []*Index{
					{Name: "orders_tags_idx", Method: "gin", Keys: []IndexKey{{Column: "tags", OpClass: "array_ops"}}},
					{Name: "orders_status_idx", Method: "btree",
						Keys: []IndexKey{{Column: "status", Collation: "POSIX"}, {Column: "customer_id", Nulls: "first"}}},
				},
				Uniques: []*Unique{{Name: "orders_customer_status_key", Columns: []string{"customer_id", "status"}, NullsNotDistinct: true}},
				Checks:  []*Check{{Name: "orders_total_check", Expression: "total >= 0::numeric"}},
				ForeignKeys: []*ForeignKey{{Name: "orders_customer_id_fkey", Columns: []string{"customer_id"},
					RefTable: "customers", RefColumns: []string{"id"}, OnDelete: ActionCascade, OnUpdate: ActionNoAction}},
			},
		},
		Views: []*View{
			{Name: "open_orders", Definition: "SELECT id FROM orders WHERE status = 'pending'::order_status"},
			{Name: "revenue", Materialized: true, Definition: "SELECT sum(total) AS total FROM orders"},
		},
		Enums: []*Enum{
			{Name: "order_status", Values: []string{"pending", "paid", "shipped"}},
			{Name: "currency", Values: []string{"EUR", "USD"}},
		},
		Sequences: []*Sequence{
			{Name: "orders_id_seq", Type: "bigint", Start: 1, Increment: 1, Min: 1, Max: 9223372036854775807, OwnedBy: "orders.id"},
			{Name: "invoice_seq", Type: "integer", Start: 1000, Increment: 1, Min: 1, Max: 2147483647},
		},
	}
}

// clone returns a deep copy of s.
func clone(t testing.TB, s *Schema) *Schema {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var c Schema
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	c.Name = s.Name
	return &c
}

// shuffled returns a deep copy of s with every unordered list shuffled.
func shuffled(t testing.TB, s *Schema, r *rand.Rand) *Schema {
	c := clone(t, s)
	shuffle(r, c.Tables)
	shuffle(r, c.Views)
	shuffle(r, c.Enums)
	shuffle(r, c.Sequences)
	for _, tb := range c.Tables {
		shuffle(r, tb.Columns)
		shuffle(r, tb.Indexes)
		shuffle(r, tb.Uniques)
		shuffle(r, tb.Checks)
		shuffle(r, tb.ForeignKeys)
	}
	return c
}

func shuffle[T any](r *rand.Rand, list []T) {
	r.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
}

func TestCanonicalDoesNotModify(t *testing.T) {
	s := shopSchema()
	before, _ := json.Marshal(s)
	_ = s.Canonical()
	_ = EncodeSnapshot(s)
	after, _ := json.Marshal(s)
	if string(before) != string(after) {
		t.Error("Canonical or EncodeSnapshot modified the schema")
	}
}

func TestNilSchema(t *testing.T) {
	var s *Schema
	if s.Fingerprint() != (&Schema{}).Fingerprint() {
		t.Error("a nil schema's fingerprint is not the empty schema's")
	}
	if data := EncodeSnapshot(s); len(data) == 0 {
		t.Error("no snapshot for a nil schema")
	}
}

func TestLookups(t *testing.T) {
	s := shopSchema()
	if s.Table("orders") == nil || s.Table("nope") != nil {
		t.Error("Table lookup")
	}
	if s.View("revenue") == nil || s.Enum("currency") == nil || s.Sequence("invoice_seq") == nil {
		t.Error("View, Enum or Sequence lookup")
	}
	orders := s.Table("orders")
	if orders.Column("total") == nil || orders.Column("nope") != nil || orders.Index("orders_tags_idx") == nil {
		t.Error("Column or Index lookup")
	}
}

func TestNormalizeSpace(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{" SELECT id,\n    name\n   FROM users;", "SELECT id, name FROM users"},
		{"SELECT 'a  b', \"x  y\" FROM t", "SELECT 'a  b', \"x  y\" FROM t"},
		{"SELECT 'it''s  here'  FROM t", "SELECT 'it''s  here' FROM t"},
		{"SELECT a -- the a\n  FROM t /* block\n comment */ WHERE b", "SELECT a FROM t WHERE b"},
		{"x ; ;", "x"},
		{"", ""},
		{"'unterminated  ", "'unterminated  "},
	} {
		if got := NormalizeSpace(tc.in); got != tc.want {
			t.Errorf("NormalizeSpace(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
