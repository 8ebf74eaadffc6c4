package sqlite_test

import (
	"context"
	"database/sql"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/dialect/sqlite"
	"github.com/schemagate/schemagate/internal/snaptest"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

// The golden corpus lives with the schema package it describes.
const inspectCorpus = "../../schema/testdata/sqlite"

// inspectTestDB returns a new database file holding the statements of
// sqlText.
func inspectTestDB(t *testing.T, sqlText string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", strings.TrimPrefix(testdb.SQLite(t), "sqlite://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if sqlText != "" {
		if _, err := db.ExecContext(context.Background(), sqlText); err != nil {
			t.Fatalf("create schema: %v", err)
		}
	}
	return db
}

func inspect(t *testing.T, q dialect.Querier) *schema.Schema {
	t.Helper()
	s, err := sqlite.Inspect(context.Background(), q)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return s
}

func TestInspectGolden(t *testing.T) {
	snaptest.Golden(t, inspectCorpus, func(t *testing.T, sqlText string) *schema.Schema {
		return inspect(t, inspectTestDB(t, sqlText))
	})
}

// inspectOrderShop is one schema as pieces that can be created in any
// order: table bodies (column and constraint definitions), then indexes
// and views. SQLite resolves foreign keys when they are used, so tables
// may refer to tables created after them.
var inspectOrderShop = struct {
	tables map[string][]string
	after  []string
}{
	tables: map[string][]string{
		"customers": {
			`id INTEGER PRIMARY KEY`,
			`email TEXT NOT NULL COLLATE NOCASE`,
			`name TEXT`,
			`created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP`,
			`UNIQUE (email)`,
			`CHECK (email <> '')`,
			`CONSTRAINT customers_name_length CHECK (length(name) < 200)`,
		},
		"products": {
			`id INTEGER PRIMARY KEY`,
			`sku TEXT NOT NULL UNIQUE`,
			`title TEXT NOT NULL`,
			`price DECIMAL(10,2) NOT NULL CHECK (price >= 0)`,
			`title_lower TEXT AS (lower(title)) STORED`,
		},
		"orders": {
			`id INTEGER PRIMARY KEY`,
			`customer_id INTEGER REFERENCES customers (id) ON DELETE SET NULL`,
			`status TEXT NOT NULL DEFAULT 'pending'`,
			`placed_at TEXT NOT NULL`,
			`UNIQUE (customer_id, placed_at)`,
			`UNIQUE (status, id)`,
		},
		"order_lines": {
			`order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE CASCADE`,
			`line_no INTEGER NOT NULL`,
			`product_id INTEGER NOT NULL REFERENCES products`,
			`quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0)`,
			`PRIMARY KEY (order_id, line_no)`,
		},
	},
	after: []string{
		`CREATE UNIQUE INDEX customers_email_lower_idx ON customers (lower(email))`,
		`CREATE INDEX orders_open_idx ON orders (placed_at DESC) WHERE status <> 'shipped'`,
		`CREATE INDEX products_title_idx ON products (title COLLATE NOCASE)`,
		`CREATE VIEW open_orders AS SELECT id, customer_id FROM orders WHERE status <> 'shipped'`,
	},
}

func inspectOrderScript(r *rand.Rand) string {
	var b strings.Builder
	names := slices.Sorted(maps.Keys(inspectOrderShop.tables))
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for _, name := range names {
		defs := slices.Clone(inspectOrderShop.tables[name])
		// Column definitions must precede table constraints in SQLite:
		// shuffle each group on its own.
		split := slices.IndexFunc(defs, func(d string) bool {
			return strings.HasPrefix(d, "UNIQUE") || strings.HasPrefix(d, "CHECK") ||
				strings.HasPrefix(d, "CONSTRAINT") || strings.HasPrefix(d, "PRIMARY")
		})
		if split < 0 {
			split = len(defs)
		}
		cols, cons := defs[:split], defs[split:]
		r.Shuffle(len(cols), func(i, j int) { cols[i], cols[j] = cols[j], cols[i] })
		r.Shuffle(len(cons), func(i, j int) { cons[i], cons[j] = cons[j], cons[i] })
		b.WriteString("CREATE TABLE " + name + " (\n  " + strings.Join(defs, ",\n  ") + "\n);\n")
	}
	after := slices.Clone(inspectOrderShop.after)
	r.Shuffle(len(after), func(i, j int) { after[i], after[j] = after[j], after[i] })
	for _, s := range after {
		b.WriteString(s + ";\n")
	}
	return b.String()
}

// TestInspectIgnoresCreationOrder creates one schema several times with
// tables, columns, constraints, indexes and views in different orders
// (which also changes SQLite's automatic index names): the snapshots are
// identical bytes.
func TestInspectIgnoresCreationOrder(t *testing.T) {
	snaptest.SameForEveryOrder(t, 5,
		func(seed uint64) string { return inspectOrderScript(rand.New(rand.NewPCG(seed, 42))) },
		func(t *testing.T, sqlText string) *schema.Schema { return inspect(t, inspectTestDB(t, sqlText)) })
}

// TestInspectCatchesEachChange applies one change at a time inside a
// transaction that is rolled back.
func TestInspectCatchesEachChange(t *testing.T) {
	ctx := context.Background()
	db := inspectTestDB(t, inspectOrderScript(rand.New(rand.NewPCG(0, 0))))
	db.SetMaxOpenConns(1)
	base := inspect(t, db)
	rebuildProducts := func(defs ...string) string {
		return `DROP TABLE products; CREATE TABLE products (` + strings.Join(defs, ", ") + `)`
	}
	products := inspectOrderShop.tables["products"]
	replace := func(old, new string) []string {
		out := slices.Clone(products)
		out[slices.Index(out, old)] = new
		return out
	}
	for _, tc := range []struct {
		ddl  string
		kind string
	}{
		{`CREATE TABLE audit (id INTEGER)`, schema.TableExtra},
		{`DROP TABLE order_lines`, schema.TableMissing},
		{`ALTER TABLE orders ADD COLUMN note TEXT`, schema.ColumnExtra},
		{`ALTER TABLE customers DROP COLUMN created_at`, schema.ColumnMissing},
		{`ALTER TABLE orders RENAME COLUMN placed_at TO created_at`, schema.ColumnMissing},
		{rebuildProducts(replace(`price DECIMAL(10,2) NOT NULL CHECK (price >= 0)`, `price REAL NOT NULL CHECK (price >= 0)`)...), schema.ColumnTypeChanged},
		{rebuildProducts(replace(`title TEXT NOT NULL`, `title TEXT`)...), schema.ColumnNullabilityChanged},
		{rebuildProducts(replace(`title TEXT NOT NULL`, `title TEXT NOT NULL COLLATE NOCASE`)...), schema.ColumnCollationChanged},
		{rebuildProducts(replace(`title TEXT NOT NULL`, `title TEXT NOT NULL DEFAULT ''`)...), schema.ColumnDefaultChanged},
		{rebuildProducts(replace(`id INTEGER PRIMARY KEY`, `id INT PRIMARY KEY`)...), schema.ColumnIdentityChanged},
		{rebuildProducts(replace(`title_lower TEXT AS (lower(title)) STORED`, `title_lower TEXT AS (upper(title)) STORED`)...), schema.ColumnGeneratedChanged},
		{rebuildProducts(replace(`title_lower TEXT AS (lower(title)) STORED`, `title_lower TEXT AS (lower(title)) VIRTUAL`)...), schema.ColumnGeneratedChanged},
		{rebuildProducts(replace(`id INTEGER PRIMARY KEY`, `id INTEGER`)...), schema.PrimaryKeyMissing},
		{rebuildProducts(replace(`sku TEXT NOT NULL UNIQUE`, `sku TEXT NOT NULL`)...), schema.UniqueMissing},
		{rebuildProducts(replace(`price DECIMAL(10,2) NOT NULL CHECK (price >= 0)`, `price DECIMAL(10,2) NOT NULL CHECK (price > 0)`)...), schema.CheckMissing},
		{`CREATE INDEX orders_status_idx ON orders (status)`, schema.IndexExtra},
		{`DROP INDEX orders_open_idx`, schema.IndexMissing},
		{`DROP INDEX orders_open_idx; CREATE INDEX orders_open_idx ON orders (placed_at DESC) WHERE status <> 'paid'`, schema.IndexChanged},
		{`DROP INDEX orders_open_idx; CREATE INDEX orders_open_idx ON orders (placed_at ASC) WHERE status <> 'shipped'`, schema.IndexChanged},
		{`DROP INDEX products_title_idx; CREATE INDEX products_title_idx ON products (title)`, schema.IndexChanged},
		{`DROP INDEX customers_email_lower_idx; CREATE UNIQUE INDEX customers_email_lower_idx ON customers (upper(email))`, schema.IndexChanged},
		{`DROP TABLE order_lines; CREATE TABLE order_lines (order_id INTEGER NOT NULL REFERENCES orders (id) ON DELETE RESTRICT,
			line_no INTEGER NOT NULL, product_id INTEGER NOT NULL REFERENCES products,
			quantity INTEGER NOT NULL DEFAULT 1 CHECK (quantity > 0), PRIMARY KEY (order_id, line_no))`, schema.ForeignKeyChanged},
		{`DROP VIEW open_orders; CREATE VIEW open_orders AS SELECT id FROM orders`, schema.ViewChanged},
		{`DROP VIEW open_orders`, schema.ViewMissing},
		// A comment or line breaks in a view are not a change.
		{"DROP VIEW open_orders; CREATE VIEW open_orders AS\n  SELECT id, customer_id -- open\n  FROM orders WHERE status <> 'shipped'", ""},
	} {
		t.Run(tc.ddl, func(t *testing.T) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, tc.ddl); err != nil {
				t.Fatalf("%s: %v", tc.ddl, err)
			}
			changed := inspect(t, tx)
			diffs := schema.Diff(base, changed)
			if tc.kind == "" {
				if len(diffs) != 0 {
					t.Errorf("Diff = %v, want none", diffs)
				}
				return
			}
			if changed.Fingerprint() == base.Fingerprint() {
				t.Error("fingerprint did not change")
			}
			if !slices.ContainsFunc(diffs, func(d schema.Difference) bool { return d.Kind == tc.kind }) {
				t.Errorf("Diff = %v, want a %s", diffs, tc.kind)
			}
		})
	}
}

func TestInspectEmptyDatabase(t *testing.T) {
	s := inspect(t, inspectTestDB(t, ""))
	if s.Dialect != "sqlite" || len(s.Tables)+len(s.Views) != 0 {
		t.Errorf("empty database = %+v", s)
	}
}

// SQLite names are case-insensitive and a reference is stored as written:
// the model uses the referenced table's and columns' own spelling.
func TestInspectReferenceSpelling(t *testing.T) {
	s := inspect(t, inspectTestDB(t, `
		CREATE TABLE customers (id INTEGER PRIMARY KEY);
		CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES Customers (ID));`))
	fk := s.Table("orders").ForeignKeys
	if len(fk) != 1 || fk[0].RefTable != "customers" || !slices.Equal(fk[0].RefColumns, []string{"id"}) {
		t.Errorf("foreign keys = %+v", fk)
	}
}

func TestInspectLeavesOutVirtualTables(t *testing.T) {
	s := inspect(t, inspectTestDB(t, `
		CREATE VIRTUAL TABLE docs USING fts5(title, body);
		CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);`))
	if len(s.Tables) != 1 || s.Tables[0].Name != "notes" {
		var names []string
		for _, tb := range s.Tables {
			names = append(names, tb.Name)
		}
		t.Errorf("tables = %v, want [notes]", names)
	}
}
