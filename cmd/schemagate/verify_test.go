package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func twoMigrations() map[string]string {
	return map[string]string{
		"0001_create_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n",
		"0002_add_name.up.sql":     "ALTER TABLE users ADD COLUMN name TEXT;\n",
	}
}

func TestVerifyExitCodes(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()

			t.Run("up to date passes", func(t *testing.T) {
				url, dir := eng.url(t), project(t, twoMigrations())
				expectCode(t, sg(t, dir, "apply", "--url", url), 0)
				r := sg(t, dir, "verify", "--url", url)
				expectCode(t, r, 0)
				expectContains(t, r.stdout, "OK:", "2 of 2 migrations applied")
			})

			t.Run("pending migrations exit 3 naming each", func(t *testing.T) {
				url, dir := eng.url(t), project(t, twoMigrations())
				expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
				r := sg(t, dir, "verify", "--url", url)
				expectCode(t, r, 3)
				expectContains(t, r.stderr, "behind", "0002_add_name.up.sql", "schemagate apply")

				r = sg(t, dir, "verify", "--url", url, "-o", "json")
				expectCode(t, r, 3)
				var doc errorDocument
				if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
					t.Fatalf("verify -o json printed no JSON: %v\n%s", err, r)
				}
				if doc.Reason != "pending_migrations" || doc.ExitCode != 3 || doc.Status != "behind" || !strings.Contains(doc.Message, "0002_add_name") {
					t.Errorf("unexpected JSON verdict: %+v", doc)
				}
			})

			t.Run("edited applied migration exits 4", func(t *testing.T) {
				url, dir := eng.url(t), project(t, twoMigrations())
				expectCode(t, sg(t, dir, "apply", "--url", url), 0)
				writeMigrations(t, dir, map[string]string{"0001_create_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n"})
				expectCode(t, sg(t, dir, "hash"), 0)
				r := sg(t, dir, "verify", "--url", url)
				expectCode(t, r, 4)
				expectContains(t, r.stderr, "edited after they ran", "0001_create_users.up.sql")
				r = sg(t, dir, "apply", "--url", url)
				expectCode(t, r, 4)
			})

			t.Run("out-of-date sum file exits 4 naming the file", func(t *testing.T) {
				url, dir := eng.url(t), project(t, twoMigrations())
				writeMigrations(t, dir, map[string]string{"0002_add_name.up.sql": "ALTER TABLE users ADD COLUMN nick TEXT;\n"})
				for _, cmd := range []string{"verify", "apply", "status"} {
					r := sg(t, dir, cmd, "--url", url)
					expectCode(t, r, 4)
					expectContains(t, r.stderr, "0002_add_name.up.sql: content changed", "schemagate hash")
				}
			})

			t.Run("migration left in progress exits 4, status still works", func(t *testing.T) {
				url := eng.url(t)
				dir := project(t, map[string]string{
					"0001_create_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
					"0002_broken.up.sql":       "-- schemagate:no-transaction\nCREATE TABLE a (id INTEGER);\nSELECT * FROM no_such_table;\n",
				})
				r := sg(t, dir, "apply", "--url", url)
				expectCode(t, r, 1)
				expectContains(t, r.stderr, "statement 2", "0002_broken.up.sql line 3", "1 earlier statement of this file had finished", "schemagate repair")

				r = sg(t, dir, "verify", "--url", url)
				expectCode(t, r, 4)
				expectContains(t, r.stderr, "0002_broken was left in progress", "1 of 2 statements", "schemagate repair")
				r = sg(t, dir, "apply", "--url", url)
				expectCode(t, r, 4)
				expectContains(t, r.stderr, "left in progress")
				r = sg(t, dir, "status", "--url", url)
				expectCode(t, r, 0)
				expectContains(t, r.stdout, "IN PROGRESS (1/2 statements)")
			})

			t.Run("versions unknown to the directory: compatible passes, exact exits 4", func(t *testing.T) {
				url := eng.url(t)
				newer := project(t, twoMigrations())
				expectCode(t, sg(t, newer, "apply", "--url", url), 0)
				older := project(t, map[string]string{"0001_create_users.up.sql": twoMigrations()["0001_create_users.up.sql"]})
				expectCode(t, sg(t, older, "verify", "--url", url), 0)
				r := sg(t, older, "verify", "--url", url, "--mode", "exact")
				expectCode(t, r, 4)
				expectContains(t, r.stderr, "does not know", "0002_add_name")
			})

			t.Run("wait runs out with exit 5", func(t *testing.T) {
				url, dir := eng.url(t), project(t, twoMigrations())
				expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
				r := sg(t, dir, "verify", "--url", url, "--wait", "1500ms")
				expectCode(t, r, 5)
				expectContains(t, r.stderr, "gave up after waiting 1.5s", "0002_add_name.up.sql")
			})

			t.Run("wait passes once the migration lands", func(t *testing.T) {
				url, dir := eng.url(t), project(t, twoMigrations())
				expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
				cmd := exec.Command(binary, "verify", "--url", url, "--wait", "60s")
				cmd.Dir = dir
				var out strings.Builder
				cmd.Stdout = &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(700 * time.Millisecond)
				expectCode(t, sg(t, dir, "apply", "--url", url), 0)
				landed := time.Now()
				if err := cmd.Wait(); err != nil {
					t.Fatalf("verify --wait: %v\n%s", err, out.String())
				}
				// PostgreSQL wakes the waiter by NOTIFY; others poll each second.
				if waited := time.Since(landed); waited > 3*time.Second {
					t.Errorf("verify noticed the apply %s after it finished", waited)
				}
				expectContains(t, out.String(), "OK:")
			})
		})
	}
}

func TestStatusGolden(t *testing.T) {
	dir := project(t, map[string]string{
		"0001_create_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n",
		"0002_add_name.up.sql":     "ALTER TABLE users ADD COLUMN name TEXT;\n",
		"0003_add_index.up.sql":    "CREATE INDEX users_email ON users (email);\n",
	})
	url := "sqlite://" + filepath.Join(dir, "app.db")
	expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "2"), 0)
	// A newer release applied version 4, which this directory lacks (and
	// which has no version 3, so its apply is in order).
	only4 := project(t, map[string]string{
		"0001_create_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n",
		"0002_add_name.up.sql":     "ALTER TABLE users ADD COLUMN name TEXT;\n",
		"0004_add_phone.up.sql":    "ALTER TABLE users ADD COLUMN phone TEXT;\n",
	})
	expectCode(t, sg(t, only4, "apply", "--url", url), 0)

	text := sg(t, dir, "status", "--url", url)
	expectCode(t, text, 0)
	golden(t, "status.txt.golden", normalize(text.stdout, dir))

	js := sg(t, dir, "status", "--url", url, "-o", "json")
	expectCode(t, js, 0)
	if !json.Valid([]byte(js.stdout)) {
		t.Fatalf("status -o json is not JSON:\n%s", js.stdout)
	}
	golden(t, "status.json.golden", normalize(js.stdout, dir))
}

func TestBadMigrationDirectories(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"duplicate version", map[string]string{"0001_a.up.sql": "SELECT 1;", "01_b.up.sql": "SELECT 2;"},
			[]string{"duplicate version 1", "0001_a.up.sql", "01_b.up.sql"}},
		{"malformed name", map[string]string{"create_users.sql": "SELECT 1;"},
			[]string{"create_users.sql: file name does not follow", "0001_create_users.up.sql"}},
		{"empty migration", map[string]string{"0001_a.up.sql": "-- nothing yet\n"},
			[]string{"0001_a.up.sql: the file holds no SQL statement"}},
		{"down without up", map[string]string{"0001_a.up.sql": "SELECT 1;", "0002_b.down.sql": "SELECT 1;"},
			[]string{"0002_b.down.sql: down file without an up file"}},
		{"unknown directive", map[string]string{"0001_a.up.sql": "-- schemagate:no-transactions\nSELECT 1;"},
			[]string{"unknown directive schemagate:no-transactions", "known: no-transaction"}},
		{"version zero", map[string]string{"0000_a.up.sql": "SELECT 1;"},
			[]string{"must be a positive integer"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeMigrations(t, dir, tc.files)
			for _, cmd := range [][]string{{"hash"}, {"apply", "--url", "sqlite://" + filepath.Join(dir, "x.db")}} {
				r := sg(t, dir, cmd...)
				expectCode(t, r, 2)
				expectContains(t, r.stderr, tc.want...)
			}
			if _, err := os.Stat(filepath.Join(dir, "x.db")); err == nil {
				t.Error("apply created the database although the directory is invalid")
			}
		})
	}
}
