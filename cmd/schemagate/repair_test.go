package main

import (
	"context"
	"testing"
	"time"

	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
)

const (
	repairFirst  = "CREATE TABLE first (id INTEGER PRIMARY KEY);\n"
	repairSecond = "-- schemagate:no-transaction\nCREATE TABLE a (id INTEGER);\nCREATE TABLE b (id INTEGER);\n"
	repairThird  = "-- schemagate:no-transaction\nCREATE TABLE c (id INTEGER);\nINSERT INTO c (id) VALUES (1);\nCREATE TABLE d (id INTEGER);\n"
)

func repairProject(t *testing.T) string {
	return project(t, map[string]string{
		"0001_first.up.sql":  repairFirst,
		"0002_second.up.sql": repairSecond,
		"0003_third.up.sql":  repairThird,
	})
}

// markInProgress writes the history row a run that died part-way through a
// no-transaction migration leaves: in progress, done statements finished.
func markInProgress(t *testing.T, url string, version int64, name, content string, done, total int) {
	t.Helper()
	ctx := context.Background()
	db, err := dialect.Open(ctx, url, dialect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := dialect.Record{Version: version, Name: name, Checksum: migration.FileChecksum([]byte(content)),
		State: dialect.StateInProgress, StartedAt: time.Now(), AppliedBy: "test@host", StatementsDone: done, StatementsTotal: total}
	h := db.History()
	if err := h.Delete(ctx, db.DB(), version); err != nil {
		t.Fatal(err)
	}
	if err := h.Insert(ctx, db.DB(), rec); err != nil {
		t.Fatal(err)
	}
}

func exec1(t *testing.T, url, stmt string) {
	t.Helper()
	if _, err := openURL(t, url).Exec(stmt); err != nil {
		t.Fatal(err)
	}
}

func TestRepair(t *testing.T) {
	for _, eng := range engines {
		if eng.name == "mysql" {
			continue // covered by the MySQL tests, with statement-level progress
		}
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			repair := func(dir, url string, extra ...string) result {
				return sg(t, dir, append(append([]string{"repair", "--url", url}, devURL(t, eng.name)...), extra...)...)
			}

			t.Run("finished", func(t *testing.T) {
				url, dir := eng.url(t), repairProject(t)
				expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "2"), 0)
				// The run died after statement 2 ran, before it was recorded.
				markInProgress(t, url, 2, "second", repairSecond, 1, 2)
				r := repair(dir, url)
				expectCode(t, r, 0)
				expectContains(t, r.stdout, "0002_second", "after all 2 statements", "Decision: finished", "--yes")
				expectCode(t, sg(t, dir, "verify", "--url", url), 4) // nothing recorded yet
				r = repair(dir, url, "--yes")
				expectCode(t, r, 0)
				expectContains(t, r.stdout, "Recorded 0002_second as applied")
				expectCode(t, sg(t, dir, "apply", "--url", url), 0)
				expectCode(t, sg(t, dir, "verify", "--url", url), 0)
			})

			t.Run("not started", func(t *testing.T) {
				url, dir := eng.url(t), repairProject(t)
				expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
				markInProgress(t, url, 2, "second", repairSecond, 0, 2)
				r := repair(dir, url, "--yes")
				expectCode(t, r, 0)
				expectContains(t, r.stdout, "none of its statements took effect", "Cleared 0002_second")
				r = sg(t, dir, "apply", "--url", url)
				expectCode(t, r, 0)
				expectContains(t, r.stdout, "0002_second", "0003_third")
				expectCode(t, sg(t, dir, "verify", "--url", url), 0)
			})

			t.Run("partial", func(t *testing.T) {
				url, dir := eng.url(t), repairProject(t)
				expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
				exec1(t, url, "CREATE TABLE a (id INTEGER)")
				markInProgress(t, url, 2, "second", repairSecond, 1, 2)
				r := repair(dir, url, "--yes")
				expectCode(t, r, 0)
				expectContains(t, r.stdout, "after statement 1 of 2", "Marked 0002_second partial", "statements 2 to 2 only")
				r = sg(t, dir, "status", "--url", url)
				expectContains(t, r.stdout, "PARTIAL (1/2 statements, apply resumes)")
				// Re-running statement 1 would fail: table a exists.
				r = sg(t, dir, "apply", "--url", url)
				expectCode(t, r, 0)
				expectCode(t, sg(t, dir, "verify", "--url", url), 0)
			})

			t.Run("schema matches no state", func(t *testing.T) {
				url, dir := eng.url(t), repairProject(t)
				expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
				exec1(t, url, "CREATE TABLE hotfix (id INTEGER)")
				markInProgress(t, url, 2, "second", repairSecond, 0, 2)
				r := repair(dir, url, "--yes")
				expectCode(t, r, 4)
				expectContains(t, r.stdout, "matches no state", "table_extra", "hotfix")
				expectContains(t, r.stderr, "nothing was recorded", "--statements-done")
				expectCode(t, sg(t, dir, "verify", "--url", url), 4)
			})

			t.Run("statement that changes no schema", func(t *testing.T) {
				url, dir := eng.url(t), repairProject(t)
				expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "2"), 0)
				exec1(t, url, "CREATE TABLE c (id INTEGER)")
				markInProgress(t, url, 3, "third", repairThird, 1, 3)
				r := repair(dir, url, "--yes")
				expectCode(t, r, 4)
				expectContains(t, r.stdout, "statement 2 does not change the schema")
				// The operator checks by hand: the INSERT did not run.
				r = sg(t, dir, "repair", "--url", url, "--statements-done", "1", "--yes")
				expectCode(t, r, 0)
				expectCode(t, sg(t, dir, "apply", "--url", url), 0)
				if n := queryInt(t, openURL(t, url), "SELECT count(*) FROM c"); n != 1 {
					t.Errorf("table c has %d rows, want 1", n)
				}
				expectCode(t, sg(t, dir, "verify", "--url", url), 0)
			})

			t.Run("nothing to repair", func(t *testing.T) {
				url, dir := eng.url(t), repairProject(t)
				expectCode(t, sg(t, dir, "apply", "--url", url), 0)
				r := repair(dir, url)
				expectCode(t, r, 0)
				expectContains(t, r.stdout, "Nothing to repair")
			})
		})
	}
}
