package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/schemagate/schemagate/internal/testdb"
	_ "modernc.org/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

// binary is the schemagate command built once for the tests that run it as
// a separate process (concurrency, kill -9, exit codes).
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "schemagate-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "schemagate")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build schemagate:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// sg runs the schemagate binary in dir with args.
func sg(t *testing.T, dir string, args ...string) result {
	t.Helper()
	return sgEnv(t, dir, nil, args...)
}

func sgEnv(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DATABASE_URL=")
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run schemagate %v: %v", args, err)
	}
	return result{stdout.String(), stderr.String(), code}
}

// project creates a project directory with migrations/ holding files
// (name -> content) and a fresh schemagate.sum.
func project(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeMigrations(t, dir, files)
	if r := sg(t, dir, "hash"); r.code != 0 {
		t.Fatalf("hash: %s", r)
	}
	return dir
}

func writeMigrations(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	mdir := filepath.Join(dir, "migrations")
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(mdir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func expectCode(t *testing.T, r result, want int) {
	t.Helper()
	if r.code != want {
		t.Fatalf("want exit %d, got %s", want, r)
	}
}

func expectContains(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("output lacks %q:\n%s", w, text)
		}
	}
}

// openURL opens a database/sql handle on a URL of any engine the tests use.
func openURL(t *testing.T, rawURL string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	switch {
	case strings.HasPrefix(rawURL, "mysql://"), strings.HasPrefix(rawURL, "mariadb://"):
		db, err = testdb.OpenMySQL(rawURL)
	case strings.HasPrefix(rawURL, "sqlite://"):
		db, err = sql.Open("sqlite", "file:"+strings.TrimPrefix(rawURL, "sqlite://")+"?_pragma=busy_timeout(10000)")
	default:
		db, err = sql.Open("pgx", rawURL)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func queryInt(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the output (run with -update to accept):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

var (
	timestampRE = regexp.MustCompile(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)`)
	appliedByRE = regexp.MustCompile(`"applied_by": "[^"]*"|\S+@\S+  `)
	durationRE  = regexp.MustCompile(`"execution_ms": \d+|<1ms|\b\d+(\.\d+)?m?s\b`)
)

// normalize replaces what changes from run to run with placeholders.
func normalize(s, dir string) string {
	s = strings.ReplaceAll(s, dir, "<dir>")
	s = timestampRE.ReplaceAllString(s, "<time>")
	s = appliedByRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, `"applied_by"`) {
			return `"applied_by": "<who>"`
		}
		return "<who>" + strings.Repeat(" ", 2)
	})
	return durationRE.ReplaceAllStringFunc(s, func(m string) string {
		if strings.HasPrefix(m, `"execution_ms"`) {
			return `"execution_ms": <ms>`
		}
		return "<dur>"
	})
}
