package mysql

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/schemagate/schemagate/internal/testdb"
)

// tokenBase is the schema every token case starts from: a parent and a
// child table with every kind of object Inspect reads, and a view.
const tokenBase = `
CREATE TABLE parent (id INT PRIMARY KEY, code VARCHAR(20) NOT NULL);
CREATE TABLE child (
  id INT PRIMARY KEY,
  parent_id INT,
  name VARCHAR(50) NOT NULL DEFAULT 'x',
  note VARCHAR(100),
  amount DECIMAL(10,2),
  KEY child_name (name),
  CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id),
  CONSTRAINT child_amount CHECK (amount >= 0)
);
CREATE TABLE plain (id INT PRIMARY KEY, v VARCHAR(10) DEFAULT 'a') ENGINE=MyISAM;
CREATE VIEW child_names AS SELECT id, name FROM child;
INSERT INTO parent VALUES (1, 'p');
INSERT INTO child VALUES (1, 1, 'a', NULL, 1.50);
`

// tokenDDL lists one statement per kind of schema change, each of which
// must change the token.
var tokenDDL = []struct{ name, ddl string }{
	{"create table", "CREATE TABLE extra (id INT PRIMARY KEY)"},
	{"drop table", "DROP TABLE plain"},
	{"rename table", "RENAME TABLE plain TO plain2"},
	{"add column", "ALTER TABLE child ADD COLUMN added INT"},
	{"drop column", "ALTER TABLE child DROP COLUMN note"},
	{"rename column", "ALTER TABLE child RENAME COLUMN note TO remark"},
	{"change type", "ALTER TABLE child MODIFY note VARCHAR(200)"},
	{"set not null", "ALTER TABLE child MODIFY amount DECIMAL(10,2) NOT NULL"},
	{"set default", "ALTER TABLE child ALTER COLUMN name SET DEFAULT 'y'"},
	{"drop default", "ALTER TABLE child ALTER COLUMN name DROP DEFAULT"},
	{"column collation", "ALTER TABLE child MODIFY note VARCHAR(100) COLLATE utf8mb4_bin"},
	{"table collation", "ALTER TABLE parent DEFAULT COLLATE utf8mb4_bin"},
	{"add index", "CREATE INDEX child_note ON child (note)"},
	{"drop index", "DROP INDEX child_name ON child"},
	{"rename index", "ALTER TABLE child RENAME INDEX child_name TO child_by_name"},
	{"add unique", "ALTER TABLE parent ADD CONSTRAINT parent_code UNIQUE (code)"},
	{"add foreign key", "ALTER TABLE child ADD CONSTRAINT child_parent2 FOREIGN KEY (id) REFERENCES parent (id)"},
	{"drop foreign key", "ALTER TABLE child DROP FOREIGN KEY child_parent"},
	{"add check", "ALTER TABLE child ADD CONSTRAINT child_name_nonempty CHECK (name <> '')"},
	{"drop check", "ALTER TABLE child DROP CONSTRAINT child_amount"},
	{"rename referenced column", "ALTER TABLE parent RENAME COLUMN id TO pid"},
	{"create view", "CREATE VIEW parent_codes AS SELECT code FROM parent"},
	{"replace view", "CREATE OR REPLACE VIEW child_names AS SELECT id, name, note FROM child"},
	{"drop view", "DROP VIEW child_names"},
	{"myisam rename column", "ALTER TABLE plain RENAME COLUMN v TO w"},
	{"myisam set default", "ALTER TABLE plain ALTER COLUMN v SET DEFAULT 'b'"},
	{"myisam add index", "ALTER TABLE plain ADD INDEX plain_v (v)"},
}

// tokenDB is a fresh database holding tokenBase, opened through the
// dialect and through a plain handle.
func tokenDB(t *testing.T) (*Database, *sql.DB) {
	t.Helper()
	dbURL := testdb.MySQL(t)
	raw, err := testdb.OpenMySQL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if _, err := raw.Exec(tokenBase); err != nil {
		t.Fatal(err)
	}
	return open(t, dbURL), raw
}

// settledToken waits until no table changed in the last seconds and
// returns the token then.
func settledToken(t *testing.T, d *Database) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		tok, err := d.SchemaToken(context.Background(), d.DB())
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(tok, "unsettled") {
			return tok
		}
		if time.Now().After(deadline) {
			t.Fatalf("the token never settled: %s", tok)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func digest(t *testing.T, d *Database) string {
	t.Helper()
	ctx := context.Background()
	info, err := d.serverInfo(ctx, d.DB())
	if err != nil {
		t.Fatal(err)
	}
	tok, err := definitionsToken(ctx, d.DB(), info, d.Name(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestSchemaTokenFollowsEveryKindOfDDL runs each kind of DDL on a database
// of its own and checks that the settled token moved, and that so did the
// digest of definitions (the token of MySQL 8, which this server can only
// exercise with its own information_schema columns). The databases are
// prepared together, so that the settling waits overlap.
func TestSchemaTokenFollowsEveryKindOfDDL(t *testing.T) {
	t.Parallel()
	type state struct {
		d             *Database
		raw           *sql.DB
		token, digest string
	}
	cases := make([]state, len(tokenDDL))
	for i := range tokenDDL {
		cases[i].d, cases[i].raw = tokenDB(t)
	}
	for i := range cases {
		cases[i].token, cases[i].digest = settledToken(t, cases[i].d), digest(t, cases[i].d)
	}
	for i, c := range tokenDDL {
		if _, err := cases[i].raw.Exec(c.ddl); err != nil {
			t.Fatalf("%s: %v", c.ddl, err)
		}
		if digest(t, cases[i].d) == cases[i].digest {
			t.Errorf("%s: %s did not change the digest of definitions", c.name, c.ddl)
		}
	}
	for i, c := range tokenDDL {
		if after := settledToken(t, cases[i].d); after == cases[i].token {
			t.Errorf("%s: %s did not change the token %s", c.name, c.ddl, after)
		}
	}
}

// TestSchemaTokenIgnoresDataAndStatistics: DML and ANALYZE change no
// definition, so the token stays, and the guard keeps its verdict after
// one small query.
func TestSchemaTokenIgnoresDataAndStatistics(t *testing.T) {
	t.Parallel()
	d, raw := tokenDB(t)
	before, digestBefore := settledToken(t, d), digest(t, d)
	for _, stmt := range []string{
		"INSERT INTO parent VALUES (2, 'q')",
		"UPDATE child SET note = 'n', amount = amount + 1",
		"INSERT INTO plain VALUES (1, 'z')",
		"DELETE FROM parent WHERE id = 2",
		"ANALYZE TABLE parent, child, plain",
		"ANALYZE TABLE child PERSISTENT FOR ALL",
	} {
		if _, err := raw.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	if got := settledToken(t, d); got != before {
		t.Errorf("DML and ANALYZE changed the token:\n before %s\n after  %s", before, got)
	}
	if got := digest(t, d); got != digestBefore {
		t.Errorf("DML and ANALYZE changed the digest of definitions:\n before %s\n after  %s", digestBefore, got)
	}
}

// TestSchemaTokenUnsettledRightAfterDDL: CREATE_TIME counts seconds, so a
// second change within the same second would keep it; right after a
// change the token must therefore never match, not even itself.
func TestSchemaTokenUnsettledRightAfterDDL(t *testing.T) {
	t.Parallel()
	d, raw := tokenDB(t)
	settledToken(t, d)
	if _, err := raw.Exec("ALTER TABLE child ADD COLUMN a1 INT"); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t1, err := d.SchemaToken(ctx, d.DB())
	if err != nil {
		t.Fatal(err)
	}
	// The second change lands in the same second as the first, or the
	// next: either way the two tokens must differ.
	if _, err := raw.Exec("ALTER TABLE child RENAME COLUMN a1 TO a2"); err != nil {
		t.Fatal(err)
	}
	t2, err := d.SchemaToken(ctx, d.DB())
	if err != nil {
		t.Fatal(err)
	}
	if t1 == t2 || !strings.Contains(t1, "unsettled") {
		t.Errorf("tokens right after DDL: %s, %s", t1, t2)
	}
}

// BenchmarkSchemaToken1000 measures the token on the 1,000-table schema of
// BenchmarkInspect1000 (all InnoDB, no view): the query the guard runs at
// every interval while the schema stays the same. The second case is the
// digest of every definition, MySQL 8's token, on this server.
//
//	go test -run '^$' -bench SchemaToken -benchtime 200x ./dialect/mysql/
func BenchmarkSchemaToken1000(b *testing.B) {
	db, name := inspectTestDB(b, "")
	if err := createBigSchema(db, 1000); err != nil {
		b.Fatal(err)
	}
	d := newDatabase(db, nil, "bench")
	ctx := context.Background()
	info, err := d.serverInfo(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	// Let the tables settle, so the measured token is the stable one.
	time.Sleep(3 * time.Second)
	for _, c := range []struct {
		name  string
		token func() (string, error)
	}{
		{"token", func() (string, error) { return d.SchemaToken(ctx, db) }},
		{"definitions-digest", func() (string, error) { return definitionsToken(ctx, db, info, name, nil) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				tok, err := c.token()
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
				if strings.Contains(tok, "unsettled") {
					b.Fatalf("token %s", tok)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(times[len(times)*9/10].Microseconds())/1000, "p90-ms")
		})
	}
}
