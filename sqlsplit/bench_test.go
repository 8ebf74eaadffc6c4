package sqlsplit

import (
	"fmt"
	"strings"
	"testing"
)

// benchInput returns a migration-like file of n statements in dialect d:
// DDL, data with strings and comments, and routine bodies.
func benchInput(d Dialect, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "-- table %d\nCREATE TABLE t%d (\n  id bigint NOT NULL PRIMARY KEY,\n  name varchar(200) NOT NULL DEFAULT '',\n  created_at timestamp NOT NULL /* set by the app */\n);\n", i, i)
		case 1:
			fmt.Fprintf(&b, "INSERT INTO t%d (id, name) VALUES (1, 'it''s; fine'), (2, \"x\"), (3, 'a -- b'), (4, '/* c */');\n", i-1)
		case 2:
			fmt.Fprintf(&b, "CREATE INDEX t%d_name ON t%d (name); ALTER TABLE t%d ADD COLUMN note text;\n", i, i-2, i-2)
		case 3:
			switch d {
			case Postgres:
				fmt.Fprintf(&b, "CREATE FUNCTION f%d() RETURNS trigger LANGUAGE plpgsql AS $body$\nBEGIN\n  NEW.name := lower(NEW.name); -- keep; it\n  RETURN NEW;\nEND;\n$body$;\n", i)
			case SQLite:
				fmt.Fprintf(&b, "CREATE TRIGGER g%d AFTER INSERT ON t%d BEGIN\n  UPDATE t%d SET name = CASE WHEN new.name = '' THEN 'x' ELSE new.name END WHERE id = new.id;\nEND;\n", i, i-3, i-3)
			case MySQL:
				fmt.Fprintf(&b, "DELIMITER $$\nCREATE PROCEDURE p%d() BEGIN\n  UPDATE t%d SET name = 'it\\'s' WHERE id = 1; # fix\nEND$$\nDELIMITER ;\n", i, i-3)
			}
		case 4:
			fmt.Fprintf(&b, "/* update */ UPDATE t%d SET name = concat(name, ';') WHERE id IN (SELECT id FROM t%d WHERE name LIKE '%%a%%');\n", i-4, i-4)
		}
	}
	return b.String()
}

func BenchmarkSplit(b *testing.B) {
	for _, d := range []Dialect{Postgres, SQLite, MySQL} {
		src := benchInput(d, 10000)
		sts, err := Split(d, src)
		if err != nil {
			b.Fatal(err)
		}
		// Case 2 holds two statements.
		if want := 10000 + 10000/5; len(sts) != want {
			b.Fatalf("%v: %d statements, want %d", d, len(sts), want)
		}
		b.Run(d.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Split(d, src); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
