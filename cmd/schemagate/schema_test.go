package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemagate/schemagate/internal/testdb"
)

// devURL is the dev database flag for an engine: a server URL without a
// database name for PostgreSQL (schemagate creates and drops a throw-away
// database), nothing for SQLite (it replays in memory).
func devURL(t *testing.T, engine string) []string {
	var server string
	switch engine {
	case "postgres":
		server = testdb.PostgresServerURL(t)
	case "mysql":
		server = testdb.MySQLServerURL(t)
	default:
		return nil
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/"
	return []string{"--dev-url", u.String()}
}

func authMigrations() map[string]string {
	return map[string]string{
		"0001_create_tenants.up.sql": "CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL, domain VARCHAR(255) NOT NULL UNIQUE);\n",
		"0002_create_users.up.sql":   "CREATE TABLE users (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants (id), email VARCHAR(255) NOT NULL);\n",
		"0003_verify_domains.up.sql": "ALTER TABLE tenants ADD COLUMN domain_verified BOOLEAN NOT NULL DEFAULT FALSE;\n",
	}
}

func TestSnapshotAndStructuralVerify(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			url, dir := eng.url(t), project(t, authMigrations())
			r := sg(t, dir, append([]string{"snapshot", "--url", url}, devURL(t, eng.name)...)...)
			expectCode(t, r, 0)
			expectContains(t, r.stdout, "schemagate.snapshot.json: 2 tables")
			expectCode(t, sg(t, dir, append([]string{"snapshot", "--check", "--url", url}, devURL(t, eng.name)...)...), 0)

			// Behind: the missing column is named with the migration that adds it.
			expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "2"), 0)
			r = sg(t, dir, "verify", "--url", url)
			expectCode(t, r, 3)
			expectContains(t, r.stderr, "column tenants.domain_verified is missing: migration 0003_verify_domains has not been applied")

			// Up to date: both checks pass, in both modes.
			expectCode(t, sg(t, dir, "apply", "--url", url), 0)
			r = sg(t, dir, "verify", "--url", url)
			expectCode(t, r, 0)
			expectContains(t, r.stdout, "has everything")
			expectCode(t, sg(t, dir, "verify", "--url", url, "--mode", "exact"), 0)

			// A column the release does not know, nullable: compatible, not exact.
			db := openURL(t, url)
			if _, err := db.Exec("ALTER TABLE users ADD COLUMN nickname TEXT"); err != nil {
				t.Fatal(err)
			}
			expectCode(t, sg(t, dir, "verify", "--url", url), 0)
			r = sg(t, dir, "verify", "--url", url, "--mode", "exact")
			expectCode(t, r, 4)
			expectContains(t, r.stderr, "users.nickname")

			// Status reports the drift with the differences from the snapshot.
			r = sg(t, dir, "status", "--url", url)
			expectCode(t, r, 0)
			expectContains(t, r.stdout, "DRIFT", "since 0003_verify_domains", "column_extra", "users.nickname")
		})
	}
}

func TestVerifySnapshotContradictionExits4(t *testing.T) {
	url, dir := testdb.Postgres(t), project(t, authMigrations())
	expectCode(t, sg(t, dir, append([]string{"snapshot", "--url", url}, devURL(t, "postgres")...)...), 0)
	expectCode(t, sg(t, dir, "apply", "--url", url), 0)
	if _, err := openURL(t, url).Exec("ALTER TABLE users ALTER COLUMN email TYPE varchar(20)"); err != nil {
		t.Fatal(err)
	}
	r := sg(t, dir, "verify", "--url", url)
	expectCode(t, r, 4)
	expectContains(t, r.stderr, "users.email", "character varying(20)")
	// A version rollback of the app still passes when nothing it needs changed.
	older := project(t, map[string]string{"0001_create_tenants.up.sql": authMigrations()["0001_create_tenants.up.sql"]})
	expectCode(t, sg(t, older, append([]string{"snapshot", "--url", url}, devURL(t, "postgres")...)...), 0)
	expectCode(t, sg(t, older, "verify", "--url", url), 0)
}

func TestSnapshotBadInput(t *testing.T) {
	dir := project(t, authMigrations())
	expectCode(t, sg(t, dir, "snapshot"), 0) // SQLite, in memory
	snap := filepath.Join(dir, "migrations", "schemagate.snapshot.json")
	data, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	pg := testdb.Postgres(t)
	expectCode(t, sg(t, dir, "apply", "--url", pg), 0)

	t.Run("snapshot of another dialect", func(t *testing.T) {
		r := sg(t, dir, "verify", "--url", pg)
		expectCode(t, r, 2)
		expectContains(t, r.stderr, "describes a sqlite schema but the database is postgres")
	})
	t.Run("future format version", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "future.json")
		os.WriteFile(p, []byte(strings.Replace(string(data), `"format_version": 1`, `"format_version": 7`, 1)), 0o644)
		r := sg(t, dir, "verify", "--url", "sqlite://"+filepath.Join(t.TempDir(), "x.db"), "--snapshot", p)
		expectCode(t, r, 2)
		expectContains(t, r.stderr, "format version 7", "newer schemagate")
	})
	t.Run("corrupted snapshot", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "edited.json")
		os.WriteFile(p, []byte(strings.Replace(string(data), `"type": "text"`, `"type": "blob"`, 1)), 0o644)
		r := sg(t, dir, "verify", "--url", pg, "--snapshot", p)
		expectCode(t, r, 4)
		expectContains(t, r.stderr, "does not match the content", "rebuild it")
	})
	t.Run("outdated snapshot", func(t *testing.T) {
		writeMigrations(t, dir, map[string]string{"0004_more.up.sql": "CREATE TABLE more (id INTEGER);\n"})
		expectCode(t, sg(t, dir, "hash"), 0)
		r := sg(t, dir, "snapshot", "--check")
		expectCode(t, r, 4)
		expectContains(t, r.stderr, "out of date")
	})
}

func TestDevDatabaseBadInput(t *testing.T) {
	dir := project(t, authMigrations())
	t.Run("non-empty dev database", func(t *testing.T) {
		busy := testdb.Postgres(t)
		if _, err := openURL(t, busy).Exec("CREATE TABLE precious (id int)"); err != nil {
			t.Fatal(err)
		}
		r := sg(t, dir, "snapshot", "--dev-url", busy)
		expectCode(t, r, 2)
		expectContains(t, r.stderr, "is not empty", "public.precious")
		if queryInt(t, openURL(t, busy), "SELECT count(*) FROM precious") != 0 {
			t.Error("the non-empty dev database was touched")
		}
	})
	t.Run("empty named dev database is left empty", func(t *testing.T) {
		empty := testdb.Postgres(t)
		expectCode(t, sg(t, dir, "snapshot", "--dev-url", empty, "--out", filepath.Join(t.TempDir(), "s.json")), 0)
		if n := queryInt(t, openURL(t, empty), "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'schemagate_dev_%'"); n != 0 {
			t.Errorf("%d scratch schemas left behind", n)
		}
	})
	t.Run("unreachable dev database", func(t *testing.T) {
		r := sg(t, dir, "snapshot", "--dev-url", "postgres://dev:devpass1234@127.0.0.1:1/?connect_timeout=2")
		expectCode(t, r, 1)
		expectContains(t, r.stderr, "cannot connect to dev database", "xxxxx")
		if strings.Contains(r.stderr, "devpass1234") {
			t.Error("the dev password leaked")
		}
	})
	t.Run("missing dev url for postgres", func(t *testing.T) {
		r := sg(t, dir, "snapshot", "--url", "postgres://x@127.0.0.1:1/y")
		expectCode(t, r, 2)
		expectContains(t, r.stderr, "--dev-url")
	})
}

func TestDiff(t *testing.T) {
	url, dir := testdb.Postgres(t), project(t, authMigrations())
	expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "2"), 0)
	r := sg(t, dir, append([]string{"diff", "migrations", url}, devURL(t, "postgres")...)...)
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "1 difference", "column_missing", "tenants.domain_verified")
	r = sg(t, dir, append([]string{"diff", url, "migrations", "-o", "json"}, devURL(t, "postgres")...)...)
	expectCode(t, r, 0)
	expectContains(t, r.stdout, `"kind": "column_extra"`, `"same": false`)
	expectCode(t, sg(t, dir, "apply", "--url", url), 0)
	r = sg(t, dir, append([]string{"diff", "migrations", url}, devURL(t, "postgres")...)...)
	expectContains(t, r.stdout, "No differences")
}
