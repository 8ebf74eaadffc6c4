package mysql

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/schemagate/schemagate/internal/snaptest"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

// inspectCorpus holds pairs of NAME.sql (a schema) and NAME.golden.json (its
// snapshot as Inspect reads it on the test server).
const inspectCorpus = "testdata"

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
	snaptest.Golden(t, inspectCorpus, func(t *testing.T, sqlText string) *schema.Schema {
		db, dbName := inspectTestDB(t, sqlText)
		live := inspectOrFail(t, db, dbName)
		if strings.Contains(string(schema.EncodeSnapshot(live)), dbName) {
			t.Errorf("the snapshot names the database %s; it must not depend on it", dbName)
		}
		return live
	})
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

// TestInspectForeignKeysFromDictionary checks that the foreign keys read
// from InnoDB's dictionary are exactly those information_schema reports:
// names InnoDB encodes, generated and named constraints, composite keys,
// every action, references to another database and to a missing table, a
// renamed column. Names that are not plain ASCII fall back to
// information_schema.
func TestInspectForeignKeysFromDictionary(t *testing.T) {
	ctx := context.Background()
	db, name := inspectTestDB(t, "CREATE TABLE mine (id int PRIMARY KEY)")
	encoded, nonASCII := name+"-x$1", name+"_u" // the latter has a table chÀld
	for _, n := range []string{encoded, nonASCII} {
		if _, err := db.Exec("CREATE DATABASE `" + n + "`"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Exec("DROP DATABASE IF EXISTS `" + n + "`") })
	}
	schemaSQL := func(database, child string) string {
		return "USE `" + database + "`;" + `
SET foreign_key_checks = 0;
CREATE TABLE ` + "`pa-r`" + ` (id int PRIMARY KEY, ` + "`Cö l`" + ` int UNIQUE, a int, b int, UNIQUE KEY ab (a, b));
CREATE TABLE ` + "`" + child + "`" + ` (
  id int, pid int, c int, a int, b int, d int,
  CONSTRAINT ` + "`fk/one`" + ` FOREIGN KEY (pid) REFERENCES ` + "`pa-r`" + ` (id) ON UPDATE CASCADE ON DELETE SET NULL,
  FOREIGN KEY (c) REFERENCES ` + "`pa-r`" + ` (` + "`Cö l`" + `) ON DELETE NO ACTION,
  CONSTRAINT composite FOREIGN KEY (b, a) REFERENCES ` + "`pa-r`" + ` (a, b) ON DELETE RESTRICT ON UPDATE SET NULL,
  FOREIGN KEY (id) REFERENCES ` + "`" + name + "`" + `.mine (id) ON DELETE CASCADE ON UPDATE NO ACTION,
  FOREIGN KEY (d) REFERENCES missing (id)
);
ALTER TABLE ` + "`" + child + "`" + ` RENAME COLUMN pid TO parent_id;
CREATE TABLE plain (id int PRIMARY KEY, self int, FOREIGN KEY (self) REFERENCES plain (id));
SET foreign_key_checks = 1;`
	}
	if _, err := db.Exec(schemaSQL(encoded, "ch$ild") + schemaSQL(nonASCII, "chÀld")); err != nil {
		t.Fatal(err)
	}
	describe := func(fks []tableForeignKey) string {
		var lines []string
		for _, f := range fks {
			lines = append(lines, fmt.Sprintf("%s %+v", f.table, *f.fk))
		}
		slices.Sort(lines)
		return strings.Join(lines, "\n")
	}
	for _, tc := range []struct {
		database       string
		fromDictionary bool
		fks            int
	}{
		{encoded, true, 6},
		{nonASCII, false, 6},
		{name, true, 0},
	} {
		in := &inspector{q: db, database: tc.database}
		if err := in.serverVersion(ctx); err != nil {
			t.Fatal(err)
		}
		if !in.mariadb {
			t.Skip("InnoDB's dictionary views are MariaDB's")
		}
		want, err := in.informationSchemaForeignKeys(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) != tc.fks {
			t.Errorf("%s: information_schema lists %d foreign keys, want %d:\n%s", tc.database, len(want), tc.fks, describe(want))
		}
		got, err := in.innodbForeignKeys(ctx)
		switch {
		case tc.fromDictionary && err != nil:
			t.Errorf("%s: innodbForeignKeys: %v", tc.database, err)
		case !tc.fromDictionary && !errors.Is(err, errNotInDictionary):
			t.Errorf("%s: innodbForeignKeys: err = %v, want errNotInDictionary", tc.database, err)
		case tc.fromDictionary && describe(got) != describe(want):
			t.Errorf("%s: from InnoDB's dictionary:\n%s\nfrom information_schema:\n%s", tc.database, describe(got), describe(want))
		}
		if err := in.readForeignKeys(ctx); err != nil {
			t.Fatal(err)
		}
		if describe(in.foreignKeys) != describe(want) {
			t.Errorf("%s: readForeignKeys:\n%s\nwant:\n%s", tc.database, describe(in.foreignKeys), describe(want))
		}
	}
}

// TestInspectWithoutProcessPrivilege: InnoDB's dictionary views need the
// PROCESS privilege; without it the foreign keys come from
// information_schema, and the snapshot is the same.
func TestInspectWithoutProcessPrivilege(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(inspectCorpus, "shop.sql"))
	if err != nil {
		t.Fatal(err)
	}
	dbURL := testdb.MySQL(t)
	root, err := testdb.OpenMySQL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { root.Close() })
	if _, err := root.Exec(string(src)); err != nil {
		t.Fatal(err)
	}
	name := dbURL[strings.LastIndex(dbURL, "/")+1:]
	user := newUser(t, dbURL, "pw", "GRANT SELECT, SHOW VIEW ON `"+name+"`.* TO '%s'@'%%'")
	limited, err := testdb.OpenMySQL(withUser(dbURL, user, "pw"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { limited.Close() })

	ctx := context.Background()
	in := &inspector{q: limited, database: name}
	if err := in.serverVersion(ctx); err != nil {
		t.Fatal(err)
	}
	var me *mysql.MySQLError
	if _, err := in.innodbForeignKeys(ctx); in.mariadb && !errors.As(err, &me) {
		t.Fatalf("innodbForeignKeys without PROCESS: err = %v, want the server's refusal", err)
	}
	want := schema.EncodeSnapshot(inspectOrFail(t, root, name))
	if got := schema.EncodeSnapshot(inspectOrFail(t, limited, name)); !bytes.Equal(got, want) {
		t.Errorf("without PROCESS:\n%s\nwith:\n%s", got, want)
	}
}

// TestInspectOnOneConnection: on a *sql.Conn or in a transaction the reads
// run one after the other, and through a pool of one connection they take
// turns; the snapshot is the one the pool reads.
func TestInspectOnOneConnection(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(inspectCorpus, "shop.sql"))
	if err != nil {
		t.Fatal(err)
	}
	db, name := inspectTestDB(t, string(src))
	ctx := context.Background()
	want := schema.EncodeSnapshot(inspectOrFail(t, db, name))
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := Inspect(ctx, c, name)
	if err != nil {
		t.Fatal(err)
	}
	if got := schema.EncodeSnapshot(s); !bytes.Equal(got, want) {
		t.Errorf("on one connection:\n%s\nthrough the pool:\n%s", got, want)
	}
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if s, err = Inspect(ctx, tx, name); err != nil {
		t.Fatal(err)
	}
	if got := schema.EncodeSnapshot(s); !bytes.Equal(got, want) {
		t.Errorf("in a transaction:\n%s\nthrough the pool:\n%s", got, want)
	}
	tx.Rollback()
	c.Close()

	db.SetMaxOpenConns(1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if s, err = Inspect(ctx, db, name); err != nil {
			t.Error(err)
		} else if got := schema.EncodeSnapshot(s); !bytes.Equal(got, want) {
			t.Errorf("through a pool of one connection:\n%s\nthrough the pool:\n%s", got, want)
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Inspect through a pool of one connection hangs")
	}
}

func TestInnoDBNames(t *testing.T) {
	for name, want := range map[string]string{
		"big_0001": "big_0001",
		"pa-r":     "pa@002dr",
		"a$b c":    "a@0024b@0020c",
		"t#1":      "t@00231",
	} {
		got, ok := innodbName(name)
		if !ok || got != want {
			t.Errorf("innodbName(%q) = %q, %t; want %q", name, got, ok, want)
		}
		if back, ok := tableFromInnoDBName(got); !ok || back != name {
			t.Errorf("tableFromInnoDBName(%q) = %q, %t; want %q", got, back, ok, name)
		}
	}
	if _, ok := innodbName("chÀld"); ok {
		t.Error("innodbName encodes a non-ASCII name")
	}
	for _, encoded := range []string{"ch@0Gld", "#sql-1_2", "t#P#p0", "a@002", "a@00zz", "a@002D", "a@0041", ""} {
		if name, ok := tableFromInnoDBName(encoded); ok {
			t.Errorf("tableFromInnoDBName(%q) = %q, want failure", encoded, name)
		}
	}
}
