package main

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/schemagate/schemagate/internal/testdb"
)

func TestUnsupportedURLSchemeIsAUsageError(t *testing.T) {
	dir := project(t, twoMigrations())
	r := sg(t, dir, "status", "--url", "mongodb://admin:hunter2pass@db:27017/app")
	expectCode(t, r, 2)
	expectContains(t, r.stderr, "unsupported database URL", "postgres://", "sqlite://")
	if strings.Contains(r.stderr, "hunter2pass") {
		t.Errorf("the password leaked:\n%s", r.stderr)
	}
	r = sg(t, dir, "status")
	expectCode(t, r, 2)
	expectContains(t, r.stderr, "no database URL given", "DATABASE_URL")
}

func TestUnreachableServerIsAnErrorWithTheURLRedacted(t *testing.T) {
	dir := project(t, twoMigrations())
	const secret = "s3cr3t-Passw0rd"
	for _, u := range []string{
		"postgres://app:" + secret + "@127.0.0.1:1/app?sslmode=disable&connect_timeout=2",
		"postgres://app@127.0.0.1:1/app?sslmode=disable&connect_timeout=2&password=" + secret,
	} {
		for _, output := range []string{"text", "json"} {
			r := sg(t, dir, "apply", "--url", u, "-o", output)
			expectCode(t, r, 1)
			expectContains(t, r.stdout+r.stderr, "cannot connect to postgres://app", "xxxxx")
			if strings.Contains(r.stdout+r.stderr, secret) {
				t.Errorf("the password leaked:\n%s", r)
			}
		}
	}
}

func TestPasswordNeverPrinted(t *testing.T) {
	// The test server trusts local connections, so any password works: it
	// still must not appear in anything schemagate prints.
	const secret = "Tr0ub4dor-and-3"
	base, err := url.Parse(testdb.Postgres(t))
	if err != nil {
		t.Fatal(err)
	}
	base.User = url.UserPassword(base.User.Username(), secret)
	withUser := base.String()
	q := base.Query()
	q.Set("password", secret)
	base.User = url.User(base.User.Username())
	base.RawQuery = q.Encode()
	withParam := base.String()

	dir := project(t, twoMigrations())
	for _, u := range []string{withUser, withParam} {
		var all strings.Builder
		for _, args := range [][]string{
			{"verify", "--url", u},
			{"verify", "--url", u, "-o", "json"},
			{"apply", "--url", u, "--dry-run"},
			{"apply", "--url", u, "-v"},
			{"status", "--url", u},
			{"status", "--url", u, "-o", "json"},
		} {
			r := sg(t, dir, args...)
			fmt.Fprintln(&all, r.stdout, r.stderr)
		}
		r := sgEnv(t, dir, []string{"DATABASE_URL=" + u}, "status")
		expectCode(t, r, 0)
		fmt.Fprintln(&all, r.stdout, r.stderr)
		if strings.Contains(all.String(), secret) {
			t.Fatalf("the password appears in the output:\n%s", all.String())
		}
		expectContains(t, all.String(), "xxxxx")
	}
}

func TestFailingStatementReportsWhereAndKeepsEarlierMigrations(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			t.Parallel()
			url := eng.url(t)
			dir := project(t, map[string]string{
				"0001_create_users.up.sql": "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
				"0002_add_orders.up.sql": "CREATE TABLE orders (id INTEGER PRIMARY KEY);\n\n" +
					"-- the next statement names a table that does not exist\n" +
					"INSERT INTO orders (id)\n  SELECT id FROM customers;\n",
			})
			r := sg(t, dir, "apply", "--url", url)
			expectCode(t, r, 1)
			// PostgreSQL says where in the statement the error is; SQLite
			// does not, so its line is the statement's first.
			wantCode, wantLine := "SQLSTATE 42P01", "0002_add_orders.up.sql line 5"
			if eng.name == "sqlite" {
				wantCode, wantLine = "SQLITE_ERROR", "0002_add_orders.up.sql line 4"
			}
			expectContains(t, r.stderr, "apply 0002_add_orders", "statement 2", wantLine,
				"customers", wantCode, "rolled back and left no trace")
			db := openURL(t, url)
			if n := queryInt(t, db, "SELECT count(*) FROM schemagate_migrations"); n != 1 {
				t.Errorf("history has %d rows, want 1 (0001 stays applied, 0002 leaves nothing)", n)
			}
			if _, err := db.Exec("SELECT count(*) FROM orders"); err == nil {
				t.Error("table orders exists: the failed migration left a trace")
			}
			if _, err := db.Exec("SELECT count(*) FROM users"); err != nil {
				t.Errorf("table users is gone: %v", err)
			}
		})
	}
}

func TestReadOnlyDatabase(t *testing.T) {
	t.Run("postgres role without privileges", func(t *testing.T) {
		t.Parallel()
		dbURL := testdb.Postgres(t)
		admin := openURL(t, dbURL)
		role := fmt.Sprintf("sgt_readonly_%d", time.Now().UnixNano())
		if _, err := admin.Exec(`CREATE ROLE "` + role + `" LOGIN`); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			admin.Exec(`DROP OWNED BY "` + role + `"`)
			admin.Exec(`DROP ROLE IF EXISTS "` + role + `"`)
		})
		if _, err := admin.Exec(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`); err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(dbURL)
		u.User = url.User(role)
		dir := project(t, twoMigrations())
		r := sg(t, dir, "apply", "--url", u.String())
		expectCode(t, r, 1)
		expectContains(t, r.stderr, "permission denied", "schemagate_migrations", "hint:")
		// Read-only commands still work for such a role.
		r = sg(t, dir, "verify", "--url", u.String())
		expectCode(t, r, 3)
		expectCode(t, sg(t, dir, "status", "--url", u.String()), 0)
	})
	t.Run("sqlite opened read-only", func(t *testing.T) {
		t.Parallel()
		dir := project(t, twoMigrations())
		path := filepath.Join(dir, "app.db")
		expectCode(t, sg(t, dir, "apply", "--url", "sqlite://"+path, "--to", "1"), 0)
		r := sg(t, dir, "apply", "--url", "sqlite://"+path+"?mode=ro")
		expectCode(t, r, 1)
		expectContains(t, r.stderr, "read-only")
		expectCode(t, sg(t, dir, "verify", "--url", "sqlite://"+path+"?mode=ro"), 3)
	})
	t.Run("sqlite file that does not exist", func(t *testing.T) {
		t.Parallel()
		dir := project(t, twoMigrations())
		r := sg(t, dir, "verify", "--url", "sqlite://"+filepath.Join(dir, "typo.db"))
		expectCode(t, r, 2)
		expectContains(t, r.stderr, "does not exist")
	})
}
