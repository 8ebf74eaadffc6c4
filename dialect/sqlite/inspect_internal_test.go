package sqlite

import (
	"slices"
	"testing"
)

// TestInspectParseCreateIndex covers the parts of CREATE INDEX that the
// pragmas do not report.
func TestInspectParseCreateIndex(t *testing.T) {
	idx := inspectParseCreateIndex(`CREATE UNIQUE INDEX IF NOT EXISTS main.i ON "t" (lower(a) COLLATE NOCASE DESC, b, (a || ',' || b) ASC) WHERE a IS NOT NULL -- partial`)
	wantKeys := []string{"lower(a)", "b", "(a || ',' || b)"}
	if len(idx.keys) != len(wantKeys) {
		t.Fatalf("keys = %q, want %q", idx.keys, wantKeys)
	}
	for i := range wantKeys {
		if idx.keys[i] != wantKeys[i] {
			t.Errorf("key %d = %q, want %q", i, idx.keys[i], wantKeys[i])
		}
	}
	if idx.predicate != "a IS NOT NULL" {
		t.Errorf("predicate = %q", idx.predicate)
	}
	if q := inspectViewQuery("CREATE VIEW v (a, b) AS\n SELECT 1 AS a, 2 AS b; "); q != "SELECT 1 AS a, 2 AS b" {
		t.Errorf("view query = %q", q)
	}
	if got := inspectNormalizeType(" VARCHAR ( 255 ) "); got != "varchar(255)" {
		t.Errorf("type = %q", got)
	}
	if got := inspectNormalizeType("Decimal(10, 2)"); got != "decimal(10,2)" {
		t.Errorf("type = %q", got)
	}
}

func TestInspectParseCreateTable(t *testing.T) {
	table := inspectParseCreateTable(`CREATE TABLE "odd ""name""" (
		[my col] TEXT CONSTRAINT c1 CHECK ([my col] <> 'a,b)') COLLATE nocase,
		n INT CONSTRAINT nn NOT NULL CHECK (n > 0),
		g INT GENERATED ALWAYS AS (n * 2) VIRTUAL,
		d TEXT DEFAULT (CAST(1 AS TEXT)), -- a comment, with a comma
		CONSTRAINT pair CHECK (n < 10 AND g < 20),
		CHECK (length(d) > 0)
	) WITHOUT ROWID, STRICT`)
	var checks []string
	for _, c := range table.checks {
		checks = append(checks, c.Name+": "+c.Expression)
	}
	want := []string{"c1: [my col] <> 'a,b)'", ": n > 0", "pair: n < 10 AND g < 20", ": length(d) > 0"}
	if !slices.Equal(checks, want) {
		t.Errorf("checks = %q, want %q", checks, want)
	}
	if table.generated["g"] != "n * 2" || len(table.generated) != 1 {
		t.Errorf("generated = %v", table.generated)
	}
	if table.collations["my col"] != "NOCASE" || !table.withoutRowid {
		t.Errorf("collations = %v, without rowid = %v", table.collations, table.withoutRowid)
	}
	if as := inspectParseCreateTable(`CREATE TABLE copy AS SELECT 1 AS x`); len(as.checks) != 0 || as.generated != nil {
		t.Errorf("CREATE TABLE AS = %+v", as)
	}
}
