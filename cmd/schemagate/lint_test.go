package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gatedProject is a SQLite project that opted into the gate: a lint section
// in schemagate.yaml and an allowed_signers file with one key.
func gatedProject(t *testing.T) (dir, key string) {
	t.Helper()
	dir = project(t, map[string]string{
		"0001_users.up.sql":         "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, nickname TEXT);\n",
		"0002_drop_nickname.up.sql": "ALTER TABLE users DROP COLUMN nickname;\n",
	})
	key = filepath.Join(t.TempDir(), "id_ed25519")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "dba@example.com", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "allowed_signers"), []byte("dba@example.com namespaces=\"schemagate\" "+string(pub)), 0o644)
	os.WriteFile(filepath.Join(dir, "schemagate.yaml"), []byte("lint:\n  fail_level: error\n  allowed_signers: allowed_signers\n"), 0o644)
	return dir, key
}

func TestLintGateAndApprovals(t *testing.T) {
	dir, key := gatedProject(t)
	url := "sqlite://" + filepath.Join(dir, "app.db")

	r := sg(t, dir, "lint", "--dialect", "sqlite", "--latest", "1")
	expectCode(t, r, 6)
	expectContains(t, r.stdout, "0002_drop_nickname.up.sql:1:1", "[drop-column]", "safe alternative")
	expectContains(t, r.stderr, "approval of 0002_drop_nickname.up.sql")

	// apply enforces the same gate, and changes nothing when it refuses.
	r = sg(t, dir, "apply", "--url", url)
	expectCode(t, r, 6)
	expectContains(t, r.stderr, "drop-column")
	if _, err := os.Stat(filepath.Join(dir, "app.db")); err == nil {
		if n := queryInt(t, openURL(t, url), "SELECT count(*) FROM sqlite_master WHERE name = 'schemagate_migrations'"); n != 0 {
			if m := queryInt(t, openURL(t, url), "SELECT count(*) FROM schemagate_migrations"); m != 0 {
				t.Errorf("a refused apply recorded %d migrations", m)
			}
		}
	}

	r = sg(t, dir, "approve", "2", "--key", key)
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "0002_drop_nickname.up.sql.approval")
	r = sg(t, dir, "lint", "--dialect", "sqlite", "--latest", "1", "-o", "json")
	expectCode(t, r, 0)
	if !json.Valid([]byte(r.stdout)) || !strings.Contains(r.stdout, `"approved": true`) {
		t.Errorf("lint JSON after approval:\n%s", r.stdout)
	}
	expectCode(t, sg(t, dir, "apply", "--url", url), 0)

	// Editing the approved file invalidates the approval.
	writeMigrations(t, dir, map[string]string{"0002_drop_nickname.up.sql": "ALTER TABLE users DROP COLUMN email;\n"})
	expectCode(t, sg(t, dir, "hash"), 0)
	r = sg(t, dir, "lint", "--dialect", "sqlite", "--latest", "1")
	expectCode(t, r, 6)
	expectContains(t, r.stderr, "0002_drop_nickname.up.sql")
}

func TestLintIgnoreDirectiveShowsTheReason(t *testing.T) {
	dir := project(t, map[string]string{
		"0001_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, nickname TEXT);\n",
		"0002_drop.up.sql":  "-- schemagate:ignore drop-column nobody has written nicknames since 2024\nALTER TABLE users DROP COLUMN nickname;\n",
	})
	r := sg(t, dir, "lint", "--dialect", "sqlite", "--latest", "1")
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "nobody has written nicknames since 2024")
}

func TestLintSinceGitRef(t *testing.T) {
	dir := project(t, map[string]string{"0001_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, nickname TEXT);\n"})
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "first")
	writeMigrations(t, dir, map[string]string{"0002_drop.up.sql": "ALTER TABLE users DROP COLUMN nickname;\n"})
	expectCode(t, sg(t, dir, "hash"), 0)
	r := sg(t, dir, "lint", "--dialect", "sqlite", "--since", "HEAD", "--format", "github")
	expectCode(t, r, 6)
	expectContains(t, r.stdout, "::error file=migrations/0002_drop.up.sql,line=1")
	if strings.Contains(r.stdout, "0001_users") {
		t.Errorf("lint --since HEAD linted an unchanged migration:\n%s", r.stdout)
	}
	r = sg(t, dir, "lint", "--dialect", "sqlite", "--since", "no-such-ref")
	expectCode(t, r, 2)
}

func TestLintSchemaRulesAgainstThePreviousRelease(t *testing.T) {
	dir := project(t, map[string]string{"0001_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY, nickname TEXT);\n"})
	prev := filepath.Join(t.TempDir(), "release1.json")
	expectCode(t, sg(t, dir, "snapshot", "--out", prev), 0)
	writeMigrations(t, dir, map[string]string{"0002_rename.up.sql": "ALTER TABLE users RENAME COLUMN nickname TO display_name;\n"})
	expectCode(t, sg(t, dir, "hash"), 0)
	r := sg(t, dir, "lint", "--dialect", "sqlite", "--latest", "1", "--previous", prev)
	expectCode(t, r, 6)
	expectContains(t, r.stdout, "breaks-release", "users.nickname")
}
