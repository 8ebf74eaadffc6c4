package lint

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/schemagate/schemagate/migration"
)

// benchFile returns a migration of n statements cycling through typical
// forms, some clean and some with findings.
func benchFile(d Dialect, n int) string {
	pg := []string{
		"CREATE TABLE t%d (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now())",
		"ALTER TABLE t%d ADD COLUMN email text",
		"CREATE INDEX idx_%d ON users (name)",
		"ALTER TABLE t%d ADD CONSTRAINT fk_%[1]d FOREIGN KEY (id) REFERENCES users (id) NOT VALID",
		"UPDATE t%d SET name = 'x' WHERE id < 100",
		"ALTER TABLE users ALTER COLUMN name%d SET DEFAULT 'a'",
		"INSERT INTO t%d (name) VALUES ('a'), ('b')",
		"ALTER TABLE users ADD COLUMN token%d uuid DEFAULT gen_random_uuid()",
		"ALTER TABLE users ADD COLUMN flag%d boolean NOT NULL DEFAULT FALSE",
		"COMMENT ON TABLE t%d IS 'table'",
	}
	my := []string{
		"CREATE TABLE t%d (id bigint unsigned AUTO_INCREMENT PRIMARY KEY, name varchar(100) NOT NULL, created_at timestamp DEFAULT CURRENT_TIMESTAMP)",
		"ALTER TABLE users ADD COLUMN email%d varchar(255), ALGORITHM=INSTANT",
		"CREATE INDEX idx_%d ON users (name) ALGORITHM=INPLACE LOCK=NONE",
		"ALTER TABLE orders ADD CONSTRAINT fk_%d FOREIGN KEY (user_id) REFERENCES users (id)",
		"UPDATE t%d SET name = 'x' WHERE id < 100",
		"ALTER TABLE users ALTER COLUMN name%d SET DEFAULT 'a'",
		"INSERT INTO t%d (name) VALUES ('a'), ('b')",
		"DROP INDEX idx_old_%d ON users",
		"ALTER TABLE users ADD COLUMN flag%d tinyint NOT NULL DEFAULT 0, ALGORITHM=INPLACE, LOCK=NONE",
		"ALTER TABLE users MODIFY name%d varchar(200) NOT NULL",
	}
	forms := pg
	if d == MySQL {
		forms = my
	}
	var sb strings.Builder
	sb.WriteString("SET lock_timeout = '2s';\n")
	if d == MySQL {
		sb.Reset()
		sb.WriteString("SET SESSION lock_wait_timeout = 5;\n")
	}
	for i := 1; i < n; i++ {
		fmt.Fprintf(&sb, forms[i%len(forms)]+";\n", i)
	}
	return sb.String()
}

func benchmarkLint(b *testing.B, d Dialect) {
	const n = 10000
	src := benchFile(d, n)
	dirs, err := migration.ParseDirectives(src)
	if err != nil {
		b.Fatal(err)
	}
	in := Input{Dialect: d, Migrations: []Migration{{File: "bench.sql", SQL: src, Directives: dirs}}}
	// The first call pays the parser's start-up (the WebAssembly compile
	// for PostgreSQL); a CLI pays it once per process.
	if _, err := Lint(context.Background(), in); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		fs, err := Lint(context.Background(), in)
		if err != nil {
			b.Fatal(err)
		}
		if len(fs) == 0 {
			b.Fatal("no findings")
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "stmts/s")
}

// go test ./lint -run '^$' -bench Lint -benchtime 5x
func BenchmarkLintPostgres(b *testing.B) { benchmarkLint(b, Postgres) }
func BenchmarkLintMySQL(b *testing.B)    { benchmarkLint(b, MySQL) }
func BenchmarkLintSQLite(b *testing.B)   { benchmarkLint(b, SQLite) }

// TestThroughput keeps a floor under PostgreSQL throughput in the ordinary
// test run. The goal is 20,000 statements per second (BenchmarkLintPostgres
// measures it); the test fails only below half of that, so that a CI
// machine busy with other packages does not make it flaky, while a
// regression that halves the speed is still caught.
func TestThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("throughput check skipped in -short mode")
	}
	res := testing.Benchmark(func(b *testing.B) { benchmarkLint(b, Postgres) })
	rate := res.Extra["stmts/s"]
	t.Logf("PostgreSQL: %.0f statements/s", rate)
	if rate < 10000 && !raceEnabled {
		t.Errorf("PostgreSQL lint throughput %.0f statements/s; the goal is 20,000 and the floor 10,000", rate)
	}
}
