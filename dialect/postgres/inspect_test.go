package postgres_test

import (
	"bytes"
	"context"
	"database/sql"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/dialect/postgres"
	"github.com/schemagate/schemagate/internal/snaptest"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

// The golden corpus lives with the schema package it describes.
const inspectCorpus = "../../schema/testdata/postgres"

// inspectTestDB returns a fresh database holding the statements of sqlText.
func inspectTestDB(t *testing.T, sqlText string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", testdb.Postgres(t))
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
	s, err := postgres.Inspect(context.Background(), q, "public")
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

// inspectOrderSpec describes one schema as pieces that can be created in
// any order: tables as lists of column and constraint definitions, then
// statements that only need the tables.
type inspectOrderSpec struct {
	types  []string            // CREATE TYPE / CREATE SEQUENCE, independent of each other
	tables map[string][]string // table name → column and constraint definitions
	after  []string            // indexes, foreign keys, views
}

var inspectOrderShop = inspectOrderSpec{
	types: []string{
		`CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped')`,
		`CREATE TYPE currency AS ENUM ('EUR', 'USD')`,
		`CREATE SEQUENCE invoice_seq START 1000`,
	},
	tables: map[string][]string{
		"customers": {
			`id serial PRIMARY KEY`,
			`email varchar(320) NOT NULL`,
			`name text`,
			`created_at timestamptz NOT NULL DEFAULT now()`,
			`CONSTRAINT customers_email_key UNIQUE (email)`,
			`CONSTRAINT customers_email_check CHECK (email <> '')`,
		},
		"products": {
			`id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY`,
			`title text NOT NULL`,
			`price numeric(10,2) NOT NULL CHECK (price >= 0)`,
			`currency currency NOT NULL DEFAULT 'EUR'`,
			`tags text[]`,
			`title_lower text GENERATED ALWAYS AS (lower(title)) STORED`,
		},
		"orders": {
			`id bigserial PRIMARY KEY`,
			`customer_id integer`,
			`status order_status NOT NULL DEFAULT 'pending'`,
			`invoice integer DEFAULT nextval('invoice_seq')`,
			`placed_at timestamptz NOT NULL DEFAULT now()`,
			`shipped_at timestamptz`,
			`CONSTRAINT orders_shipped_check CHECK (shipped_at IS NULL OR shipped_at >= placed_at)`,
		},
		"order_lines": {
			`order_id bigint NOT NULL`,
			`line_no smallint NOT NULL`,
			`product_id integer NOT NULL`,
			`quantity integer NOT NULL DEFAULT 1`,
			`PRIMARY KEY (order_id, line_no)`,
		},
	},
	after: []string{
		`CREATE UNIQUE INDEX customers_email_lower_idx ON customers (lower(email))`,
		`CREATE INDEX products_tags_idx ON products USING gin (tags)`,
		`CREATE INDEX orders_open_idx ON orders (placed_at DESC) WHERE status <> 'shipped'`,
		`CREATE INDEX orders_customer_idx ON orders (customer_id) INCLUDE (status)`,
		`ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE SET NULL`,
		`ALTER TABLE order_lines ADD CONSTRAINT order_lines_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE`,
		`ALTER TABLE order_lines ADD CONSTRAINT order_lines_product_fk FOREIGN KEY (product_id) REFERENCES products (id)`,
		`CREATE VIEW open_orders AS SELECT id, customer_id FROM orders WHERE status <> 'shipped'`,
		`CREATE MATERIALIZED VIEW product_count AS SELECT count(*) AS n FROM products`,
	},
}

// script returns the spec as one script, with every independent list in
// an order drawn from r.
func (spec inspectOrderSpec) script(r *rand.Rand) string {
	var b strings.Builder
	types := slices.Clone(spec.types)
	r.Shuffle(len(types), func(i, j int) { types[i], types[j] = types[j], types[i] })
	for _, s := range types {
		b.WriteString(s + ";\n")
	}
	names := slices.Sorted(maps.Keys(spec.tables))
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for _, name := range names {
		defs := slices.Clone(spec.tables[name])
		r.Shuffle(len(defs), func(i, j int) { defs[i], defs[j] = defs[j], defs[i] })
		b.WriteString("CREATE TABLE " + name + " (\n  " + strings.Join(defs, ",\n  ") + "\n);\n")
	}
	after := slices.Clone(spec.after)
	r.Shuffle(len(after), func(i, j int) { after[i], after[j] = after[j], after[i] })
	for _, s := range after {
		b.WriteString(s + ";\n")
	}
	return b.String()
}

// TestInspectIgnoresCreationOrder creates one schema three times, with
// tables, columns, constraints, types, indexes, foreign keys and views in
// different orders: the snapshots are identical bytes.
func TestInspectIgnoresCreationOrder(t *testing.T) {
	snaptest.SameForEveryOrder(t, 3,
		func(seed uint64) string { return inspectOrderShop.script(rand.New(rand.NewPCG(seed, 42))) },
		func(t *testing.T, sqlText string) *schema.Schema { return inspect(t, inspectTestDB(t, sqlText)) })
}

// TestInspectCatchesEachChange applies one DDL change at a time, inside a
// transaction that is rolled back, and inspects through that transaction.
func TestInspectCatchesEachChange(t *testing.T) {
	ctx := context.Background()
	db := inspectTestDB(t, inspectOrderShop.script(rand.New(rand.NewPCG(0, 0))))
	base := inspect(t, db)
	for _, tc := range []struct {
		ddl  string
		kind string
	}{
		{`CREATE TABLE audit (id int)`, schema.TableExtra},
		{`DROP TABLE order_lines`, schema.TableMissing},
		{`ALTER TABLE orders ADD COLUMN note text`, schema.ColumnExtra},
		{`ALTER TABLE orders DROP COLUMN shipped_at CASCADE`, schema.ColumnMissing},
		{`ALTER TABLE orders RENAME COLUMN placed_at TO created_at`, schema.ColumnMissing},
		{`ALTER TABLE products ALTER COLUMN price TYPE numeric(14,2)`, schema.ColumnTypeChanged},
		{`ALTER TABLE customers ALTER COLUMN name TYPE text COLLATE "C"`, schema.ColumnCollationChanged},
		{`ALTER TABLE customers ALTER COLUMN name SET NOT NULL`, schema.ColumnNullabilityChanged},
		{`ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'paid'`, schema.ColumnDefaultChanged},
		{`ALTER TABLE customers ALTER COLUMN created_at DROP DEFAULT`, schema.ColumnDefaultChanged},
		{`ALTER TABLE products ALTER COLUMN id SET GENERATED BY DEFAULT`, schema.ColumnIdentityChanged},
		{`ALTER TABLE products ALTER COLUMN title_lower DROP EXPRESSION`, schema.ColumnGeneratedChanged},
		{`ALTER TABLE order_lines DROP CONSTRAINT order_lines_pkey`, schema.PrimaryKeyMissing},
		{`CREATE INDEX orders_status_idx ON orders (status)`, schema.IndexExtra},
		{`DROP INDEX orders_open_idx`, schema.IndexMissing},
		{`DROP INDEX orders_customer_idx; CREATE INDEX orders_customer_idx ON orders (customer_id)`, schema.IndexChanged},
		{`DROP INDEX orders_open_idx; CREATE INDEX orders_open_idx ON orders (placed_at DESC) WHERE status <> 'paid'`, schema.IndexChanged},
		{`DROP INDEX products_tags_idx; CREATE INDEX products_tags_idx ON products USING gin (tags array_ops)`, ""},
		{`ALTER TABLE customers DROP CONSTRAINT customers_email_key`, schema.UniqueMissing},
		{`ALTER TABLE orders ADD CONSTRAINT orders_invoice_key UNIQUE (invoice)`, schema.UniqueExtra},
		{`ALTER TABLE orders ADD CONSTRAINT orders_invoice_check CHECK (invoice > 0)`, schema.CheckExtra},
		{`ALTER TABLE customers DROP CONSTRAINT customers_email_check`, schema.CheckMissing},
		{`ALTER TABLE orders DROP CONSTRAINT orders_customer_fk;
		  ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE`, schema.ForeignKeyChanged},
		{`ALTER TABLE order_lines DROP CONSTRAINT order_lines_product_fk`, schema.ForeignKeyMissing},
		{`CREATE OR REPLACE VIEW open_orders AS SELECT id, customer_id FROM orders WHERE status = 'pending'`, schema.ViewChanged},
		{`DROP MATERIALIZED VIEW product_count`, schema.ViewMissing},
		{`ALTER TYPE order_status ADD VALUE 'refunded'`, schema.EnumValuesChanged},
		{`CREATE TYPE mood AS ENUM ('ok')`, schema.EnumExtra},
		{`ALTER SEQUENCE invoice_seq INCREMENT 5`, schema.SequenceChanged},
		{`CREATE SEQUENCE other_seq`, schema.SequenceExtra},
	} {
		t.Run(tc.ddl, func(t *testing.T) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var pathBefore, pathAfter string
			if err := tx.QueryRowContext(ctx, `SHOW search_path`).Scan(&pathBefore); err != nil {
				t.Fatal(err)
			}
			if _, err := tx.ExecContext(ctx, tc.ddl); err != nil {
				t.Fatalf("%s: %v", tc.ddl, err)
			}
			changed := inspect(t, tx)
			if err := tx.QueryRowContext(ctx, `SHOW search_path`).Scan(&pathAfter); err != nil {
				t.Fatal(err)
			}
			if pathAfter != pathBefore {
				t.Errorf("Inspect left search_path %q, was %q", pathAfter, pathBefore)
			}
			diffs := schema.Diff(base, changed)
			if tc.kind == "" { // a change the model ignores (the default operator class)
				if len(diffs) != 0 || changed.Fingerprint() != base.Fingerprint() {
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

// The session's search path does not change what Inspect reports.
func TestInspectIgnoresSearchPath(t *testing.T) {
	ctx := context.Background()
	src, err := os.ReadFile(filepath.Join(inspectCorpus, "shop.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db := inspectTestDB(t, string(src))
	want := schema.EncodeSnapshot(inspect(t, db))
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET search_path = billing, pg_catalog`); err != nil {
		t.Fatal(err)
	}
	if got := schema.EncodeSnapshot(inspect(t, conn)); !bytes.Equal(got, want) {
		t.Errorf("with another search_path:\n%s\nwant\n%s", got, want)
	}
	var path string
	if err := conn.QueryRowContext(ctx, `SHOW search_path`).Scan(&path); err != nil || path != "billing, pg_catalog" {
		t.Errorf("search_path after Inspect = %q, %v", path, err)
	}
}

func TestInspectOtherSchema(t *testing.T) {
	ctx := context.Background()
	src, err := os.ReadFile(filepath.Join(inspectCorpus, "shop.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db := inspectTestDB(t, string(src))
	s, err := postgres.Inspect(ctx, db, "billing")
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "billing" || len(s.Tables) != 1 || s.Tables[0].Name != "accounts" || len(s.Tables[0].Columns) != 2 {
		t.Errorf("billing schema = %+v", s)
	}
	missing, err := postgres.Inspect(ctx, db, "no_such_schema")
	if err != nil {
		t.Fatal(err)
	}
	if len(missing.Tables) != 0 || missing.Dialect != "postgres" {
		t.Errorf("missing schema = %+v, want an empty one", missing)
	}
	def, err := postgres.Inspect(ctx, db, "")
	if err != nil || def.Name != "public" || len(def.Tables) == 0 {
		t.Errorf("default schema = %v, %v", def, err)
	}
}

// TestCompatibleAgainstPostgres checks compatibility end to end: a release
// built for the auth corpus against live schemas that a later release
// expanded, that are behind, and that contradict it.
func TestCompatibleAgainstPostgres(t *testing.T) {
	ctx := context.Background()
	src, err := os.ReadFile(filepath.Join(inspectCorpus, "auth.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db := inspectTestDB(t, string(src))
	snap, err := schema.DecodeSnapshot(schema.EncodeSnapshot(inspect(t, db)))
	if err != nil {
		t.Fatal(err)
	}
	required := snap.Schema
	for _, tc := range []struct {
		name, ddl string
		exit      int // 0 compatible, 3 behind, 4 contradiction
	}{
		{"expanded by the next release", `
			ALTER TABLE users ADD COLUMN display_name text;
			ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT 'en';
			CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL DEFAULT now());
			ALTER TABLE tenants ALTER COLUMN slug TYPE varchar(100);
			ALTER TYPE user_status ADD VALUE 'locked';
			CREATE INDEX users_created_at_idx ON users (created_at);`, 0},
		{"migration not applied", `DROP TABLE sessions`, 3},
		{"enum value missing", `ALTER TYPE user_status RENAME VALUE 'deleted' TO 'removed'`, 3},
		{"new NOT NULL column without default", `ALTER TABLE users ADD COLUMN locale text NOT NULL`, 4},
		{"column narrowed", `ALTER TABLE tenants ALTER COLUMN slug TYPE varchar(10)`, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := db.BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			if _, err := tx.ExecContext(ctx, tc.ddl); err != nil {
				t.Fatal(err)
			}
			r := schema.Compatible(required, inspect(t, tx))
			if got := schemagate.ExitCode(r.Err()); got != tc.exit {
				t.Errorf("exit %d (%v), want %d\nproblems: %v\nwarnings: %v", got, r.Err(), tc.exit, r.Problems, r.Warnings)
			}
		})
	}
}
