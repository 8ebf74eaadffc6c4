package mysql

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

// inspectCorpus holds pairs of NAME.sql (a schema) and NAME.golden.json (its
// snapshot as Inspect reads it on the test server).
const inspectCorpus = "testdata"

var update = flag.Bool("update", false, "rewrite golden files")

// inspectTestDB returns a fresh database holding the statements of sqlText,
// and its name.
func inspectTestDB(t testing.TB, sqlText string) (*sql.DB, string) {
	t.Helper()
	dbURL := testdb.MySQL(t)
	db, err := testdb.OpenMySQL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if sqlText != "" {
		if _, err := db.Exec(sqlText); err != nil {
			t.Fatalf("create schema: %v", err)
		}
	}
	name := dbURL[strings.LastIndex(dbURL, "/")+1:]
	return db, name
}

func inspectOrFail(t testing.TB, q *sql.DB, database string) *schema.Schema {
	t.Helper()
	s, err := Inspect(context.Background(), q, database)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	return s
}

func TestInspectGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(inspectCorpus, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in %s: %v", inspectCorpus, err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".sql")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			db, dbName := inspectTestDB(t, string(src))
			live := inspectOrFail(t, db, dbName)
			got := schema.EncodeSnapshot(live)
			golden := filepath.Join(inspectCorpus, name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("snapshot of %s differs from %s (run with -update to accept):\n%s", file, golden, got)
			}
			snap, err := schema.DecodeSnapshot(want)
			if err != nil {
				t.Fatalf("DecodeSnapshot(golden): %v", err)
			}
			if d := schema.Diff(snap.Schema, live); len(d) != 0 {
				t.Errorf("Diff(golden, live) = %v, want none", d)
			}
			if strings.Contains(string(got), dbName) {
				t.Errorf("the snapshot names the database %s; it must not depend on it", dbName)
			}
		})
	}
}

// TestInspectSameDefinitionReadsTheSame creates one schema two ways that
// MySQL cannot tell apart afterwards, or whose generated names depend on
// the order of creation: the two snapshots must be equal.
func TestInspectSameDefinitionReadsTheSame(t *testing.T) {
	a := `
CREATE TABLE parent (id int(11) NOT NULL PRIMARY KEY, code varchar(10) NOT NULL, UNIQUE KEY parent_code (code));
CREATE TABLE child (
  id int NOT NULL PRIMARY KEY,
  parent_id int,
  qty int,
  CHECK (qty > 0),
  CHECK (qty < 1000),
  FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE
);
CREATE INDEX child_parent ON child (parent_id);`
	b := `
CREATE TABLE parent (code varchar(10) NOT NULL, id int NOT NULL);
ALTER TABLE parent ADD PRIMARY KEY (id);
CREATE UNIQUE INDEX parent_code ON parent (code);
CREATE TABLE child (id int NOT NULL, parent_id int, qty int, PRIMARY KEY (id));
CREATE INDEX child_parent ON child (parent_id);
ALTER TABLE child ADD CHECK (qty < 1000);
ALTER TABLE child ADD CHECK (qty > 0);
ALTER TABLE child ADD FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE;`
	dbA, nameA := inspectTestDB(t, a)
	dbB, nameB := inspectTestDB(t, b)
	sa, sb := inspectOrFail(t, dbA, nameA), inspectOrFail(t, dbB, nameB)
	if d := schema.Diff(sa, sb); len(d) != 0 {
		t.Errorf("one definition read two ways: %v", d)
	}
	if sa.Fingerprint() != sb.Fingerprint() {
		t.Errorf("fingerprints differ:\n%s\n%s", schema.EncodeSnapshot(sa), schema.EncodeSnapshot(sb))
	}
}

func TestInspectMissingDatabaseIsEmpty(t *testing.T) {
	db, _ := inspectTestDB(t, "CREATE TABLE t (id int)")
	s := inspectOrFail(t, db, "sgt_no_such_database")
	if len(s.Tables) != 0 || len(s.Views) != 0 || s.Dialect != "mysql" {
		t.Errorf("a missing database inspected as %+v", s)
	}
}

func TestInspectReadsOnlyItsDatabase(t *testing.T) {
	db, name := inspectTestDB(t, "CREATE TABLE mine (id int PRIMARY KEY)")
	_, other := inspectTestDB(t, "")
	if _, err := db.Exec("CREATE TABLE `" + other + "`.theirs (id int PRIMARY KEY, mine_id int REFERENCES `" + name + "`.mine (id))"); err != nil {
		t.Fatal(err)
	}
	s := inspectOrFail(t, db, name)
	if len(s.Tables) != 1 || s.Tables[0].Name != "mine" {
		t.Errorf("tables of %s: %v", name, tableNames(s))
	}
	s = inspectOrFail(t, db, other)
	if len(s.Tables) != 1 || len(s.Tables[0].ForeignKeys) != 1 || s.Tables[0].ForeignKeys[0].RefTable != name+".mine" {
		t.Errorf("a reference to another database must be qualified: %s", schema.EncodeSnapshot(s))
	}
}

func TestInspectThroughTheDialect(t *testing.T) {
	ctx := context.Background()
	d := open(t, testdb.MySQL(t))
	if _, err := d.DB().Exec("CREATE TABLE t (id int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	if err := d.History().Ensure(ctx, d.DB()); err != nil {
		t.Fatal(err)
	}
	s, err := d.Inspect(ctx, d.DB())
	if err != nil {
		t.Fatal(err)
	}
	if got := tableNames(s); got != "t" {
		t.Errorf("tables: %s (schemagate's own must be left out)", got)
	}
}

func TestNormalizeType(t *testing.T) {
	for in, want := range map[string]string{
		"int(11)":                      "int",
		"int":                          "int",
		"bigint(20) unsigned":          "bigint unsigned",
		"tinyint(1)":                   "tinyint(1)",
		"tinyint(1) unsigned":          "tinyint(1) unsigned",
		"tinyint(4)":                   "tinyint",
		"smallint(6)":                  "smallint",
		"mediumint(9)":                 "mediumint",
		"int(8) unsigned zerofill":     "int(8) unsigned zerofill",
		"year(4)":                      "year",
		"varchar(255)":                 "varchar(255)",
		"decimal(10,2)":                "decimal(10,2)",
		"enum('int(11)','b')":          "enum('int(11)','b')",
		"datetime(6)":                  "datetime(6)",
		"DOUBLE":                       "double",
		"integer(11)":                  "integer",
		"bit(1)":                       "bit(1)",
		"set('tinyint(4)','smallint')": "set('tinyint(4)','smallint')",
	} {
		if got := normalizeType(in); got != want {
			t.Errorf("normalizeType(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNormalizeDefault covers both servers' spellings; MySQL 8's are
// exercised here because the test machine runs MariaDB.
func TestNormalizeDefault(t *testing.T) {
	cases := []struct {
		mariadb              bool
		def, dataType, extra string
		want                 string
	}{
		{true, "NULL", "int", "", ""},
		{true, "'NULL'", "varchar", "", "'NULL'"},
		{true, "'it''s'", "varchar", "", "'it''s'"},
		{true, "0.00", "decimal", "", "0.00"},
		{true, "current_timestamp()", "timestamp", "on update current_timestamp()", "CURRENT_TIMESTAMP"},
		{true, "current_timestamp(6)", "datetime", "", "CURRENT_TIMESTAMP(6)"},
		{true, "uuid()", "char", "", "uuid()"},
		{false, "CURRENT_TIMESTAMP", "timestamp", "DEFAULT_GENERATED", "CURRENT_TIMESTAMP"},
		{false, "CURRENT_TIMESTAMP(3)", "datetime", "DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)", "CURRENT_TIMESTAMP(3)"},
		{false, "it's", "varchar", "", "'it''s'"},
		{false, "NULL", "varchar", "", "'NULL'"},
		{false, "0.00", "decimal", "", "0.00"},
		{false, "1", "tinyint", "", "1"},
		{false, "(uuid())", "char", "default_generated", "uuid()"},
		{false, "b'101'", "bit", "", "b'101'"},
	}
	for _, tc := range cases {
		in := &inspector{mariadb: tc.mariadb}
		if got := in.normalizeDefault(tc.def, tc.dataType, strings.ToLower(tc.extra)); got != tc.want {
			t.Errorf("mariadb=%t normalizeDefault(%q, %s, %q) = %q, want %q", tc.mariadb, tc.def, tc.dataType, tc.extra, got, tc.want)
		}
	}
}

func TestStripOuterParensAndQualifiers(t *testing.T) {
	for in, want := range map[string]string{
		"(a > 0)":             "a > 0",
		"((a > 0))":           "a > 0",
		"(a > 0) and (b > 0)": "(a > 0) and (b > 0)",
		"(a = ')')":           "a = ')'",
		"a":                   "a",
	} {
		if got := stripOuterParens(in); got != want {
			t.Errorf("stripOuterParens(%q) = %q, want %q", in, got, want)
		}
	}
	got := removeOutsideQuotes("select `db`.`t`.`a` AS `a` from `db`.`t` where `db`.`t`.`b` = '`db`.x'", "`db`.")
	if want := "select `t`.`a` AS `a` from `t` where `t`.`b` = '`db`.x'"; got != want {
		t.Errorf("removeOutsideQuotes = %q, want %q", got, want)
	}
	if v := parseVersion("10.11.19-MariaDB-0+deb12u1"); v != 101119 {
		t.Errorf("parseVersion = %d", v)
	}
	if v := parseVersion("8.0.36"); v != 80036 {
		t.Errorf("parseVersion = %d", v)
	}
}

// BenchmarkInspect1000 measures a full snapshot (Inspect and
// EncodeSnapshot) of a 1,000-table database shaped like the one the
// PostgreSQL benchmark uses: 10 columns, a primary key, one secondary
// index and one foreign key per table.
func BenchmarkInspect1000(b *testing.B) {
	db, name := inspectTestDB(b, "")
	if err := createBigSchema(db, 1000); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := Inspect(context.Background(), db, name)
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Tables) != 1000 {
			b.Fatalf("inspected %d tables, want 1000", len(s.Tables))
		}
		_ = schema.EncodeSnapshot(s)
	}
}

func createBigSchema(db *sql.DB, tables int) error {
	var sb strings.Builder
	for i := 1; i <= tables; i++ {
		name := testdb.BigSchemaTableName(i)
		parent := testdb.BigSchemaTableName(max(i-1, 1))
		fmt.Fprintf(&sb, `CREATE TABLE %[1]s (
  id bigint PRIMARY KEY,
  parent_id bigint,
  name text NOT NULL,
  email varchar(255),
  status varchar(32) NOT NULL DEFAULT 'active',
  amount decimal(12,2) NOT NULL DEFAULT 0,
  quantity int,
  active boolean NOT NULL DEFAULT true,
  payload json,
  created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY %[1]s_created_at_idx (created_at),
  CONSTRAINT %[1]s_parent_fk FOREIGN KEY (parent_id) REFERENCES %[2]s (id) ON DELETE CASCADE
);
`, name, parent)
		if i%50 == 0 || i == tables {
			if _, err := db.Exec(sb.String()); err != nil {
				return err
			}
			sb.Reset()
		}
	}
	return nil
}

func tableNames(s *schema.Schema) string {
	var names []string
	for _, t := range s.Tables {
		names = append(names, t.Name)
	}
	return strings.Join(names, " ")
}
