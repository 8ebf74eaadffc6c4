package main

import (
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/schemagate/schemagate/internal/testdb"
)

// engine is a database engine the runner tests run against.
type engine struct {
	name string
	url  func(t *testing.T) string
}

var engines = []engine{
	{"postgres", func(t *testing.T) string { return testdb.Postgres(t) }},
	{"sqlite", func(t *testing.T) string { return testdb.SQLite(t) }},
	{"mysql", func(t *testing.T) string { return testdb.MySQL(t) }},
}

// insertMigrations returns n migrations that are NOT idempotent: the first
// creates a table, every other one inserts a row into it, so a migration
// applied twice leaves a duplicate row behind.
func insertMigrations(n int) map[string]string {
	files := map[string]string{"0001_create_events.up.sql": "CREATE TABLE events (n INTEGER NOT NULL);\n"}
	for v := 2; v <= n; v++ {
		files[fmt.Sprintf("%04d_insert_%d.up.sql", v, v)] = fmt.Sprintf("INSERT INTO events (n) VALUES (%d);\n", v)
	}
	return files
}

func TestConcurrentApplyAppliesEachMigrationExactlyOnce(t *testing.T) {
	const processes, migrations = 20, 30
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			url := eng.url(t)
			dir := project(t, insertMigrations(migrations))

			var wg sync.WaitGroup
			results := make([]result, processes)
			start := make(chan struct{})
			for i := range processes {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					results[i] = sg(t, dir, "apply", "--url", url)
				}()
			}
			close(start)
			wg.Wait()

			appliers := 0
			for i, r := range results {
				if r.code != 0 {
					t.Errorf("process %d: %s", i, r)
				}
				if strings.Contains(r.stdout, "migrations applied") {
					appliers++
				}
			}
			db := openURL(t, url)
			if got := queryInt(t, db, "SELECT count(*) FROM events"); got != migrations-1 {
				t.Errorf("events has %d rows, want %d: some insert ran more or less than once", got, migrations-1)
			}
			if got := queryInt(t, db, "SELECT count(DISTINCT n) FROM events"); got != migrations-1 {
				t.Errorf("events has %d distinct rows, want %d", got, migrations-1)
			}
			if got := queryInt(t, db, "SELECT count(*) FROM schemagate_migrations WHERE state = 'applied'"); got != migrations {
				t.Errorf("history has %d applied rows, want %d", got, migrations)
			}
			if appliers < 1 {
				t.Errorf("no process reported applying migrations")
			}
			if r := sg(t, dir, "verify", "--url", url); r.code != 0 {
				t.Errorf("verify after the concurrent apply: %s", r)
			}
		})
	}
}

func TestKilledApplyLeavesNoTraceAndReleasesTheLock(t *testing.T) {
	cases := []struct {
		engine
		long string // a migration that runs for seconds
		// running reports whether the long statement is under way.
		running func(t *testing.T, url string) bool
		// locked reports whether the migration lock is still held.
		locked func(t *testing.T, url string) bool
	}{
		{
			engine: engines[0],
			long:   "CREATE TABLE k (id integer);\nSELECT pg_sleep(4);\n",
			running: func(t *testing.T, url string) bool {
				return queryInt(t, openURL(t, url), `SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active' AND datname = current_database()`) > 0
			},
			locked: func(t *testing.T, url string) bool {
				return queryInt(t, openURL(t, url), `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`) > 0
			},
		},
		{
			engine: engines[1],
			long: "CREATE TABLE k (id INTEGER);\n" +
				"INSERT INTO k WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000) SELECT x FROM c;\n",
			running: func(t *testing.T, url string) bool {
				var n int
				// The lock row is committed before the migration starts.
				err := openURL(t, url).QueryRow(`SELECT count(*) FROM schemagate_lock`).Scan(&n)
				return err == nil && n > 0
			},
			// The lock row of a dead process is taken over by the next
			// runner; the rerun below proves it.
			locked: func(t *testing.T, url string) bool { return false },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := tc.url(t)
			dir := project(t, map[string]string{
				"0001_first.up.sql": "CREATE TABLE first (id INTEGER);\n",
				"0002_long.up.sql":  tc.long,
			})
			cmd := exec.Command(binary, "apply", "--url", url)
			cmd.Dir = dir
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for !tc.running(t, url) {
				if time.Now().After(deadline) {
					cmd.Process.Kill()
					t.Fatal("the long migration never started")
				}
				time.Sleep(20 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond)
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			cmd.Wait()

			deadline = time.Now().Add(10 * time.Second)
			for tc.locked(t, url) {
				if time.Now().After(deadline) {
					t.Fatal("the migration lock is still held 10 s after the runner was killed")
				}
				time.Sleep(50 * time.Millisecond)
			}
			db := openURL(t, url)
			if n := queryInt(t, db, "SELECT count(*) FROM schemagate_migrations"); n != 1 {
				t.Errorf("history has %d rows after the kill, want 1 (only 0001)", n)
			}
			var exists bool
			if tc.name == "postgres" {
				exists = queryInt(t, db, "SELECT count(*) FROM pg_tables WHERE tablename = 'k'") > 0
			} else {
				exists = queryInt(t, db, "SELECT count(*) FROM sqlite_master WHERE name = 'k'") > 0
			}
			if exists {
				t.Error("table k exists: the killed migration left a trace")
			}
			r := sg(t, dir, "apply", "--url", url, "--lock-timeout", "30s")
			expectCode(t, r, 0)
			expectContains(t, r.stdout, "0002_long")
			expectCode(t, sg(t, dir, "verify", "--url", url), 0)
		})
	}
}
