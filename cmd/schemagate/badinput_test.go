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
	expectContains(t, r.stderr, "unsupported database URL", "postgres://", "sqlite://", "mysql://")
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
		"mysql://app:" + secret + "@127.0.0.1:1/app?timeout=2s",
		"mysql://app@127.0.0.1:1/app?timeout=2s&password=" + secret,
	} {
		scheme, _, _ := strings.Cut(u, ":")
		for _, output := range []string{"text", "json"} {
			r := sg(t, dir, "apply", "--url", u, "-o", output)
			expectCode(t, r, 1)
			expectContains(t, r.stdout+r.stderr, "cannot connect to "+scheme+"://app", "xxxxx")
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
			// and MySQL do not, so their line is the statement's first.
			wantCode, wantLine := "SQLSTATE 42P01", "0002_add_orders.up.sql line 5"
			switch eng.name {
			case "sqlite":
				wantCode, wantLine = "SQLITE_ERROR", "0002_add_orders.up.sql line 4"
			case "mysql":
				wantCode, wantLine = "error 1146", "0002_add_orders.up.sql line 4"
			}
			expectContains(t, r.stderr, "apply 0002_add_orders", "statement 2", wantLine, "customers", wantCode)
			db := openURL(t, url)
			if _, err := db.Exec("SELECT count(*) FROM users"); err != nil {
				t.Errorf("table users is gone: %v", err)
			}
			if eng.name == "mysql" {
				// DDL commits at once on MySQL: the first statement took
				// effect, and the history says so rather than pretending
				// nothing happened.
				expectContains(t, r.stderr, "SQLSTATE 42S02",
					"1 earlier statement of this file had finished and is recorded; the migration is marked in progress",
					"schemagate repair")
				if n := queryInt(t, db, "SELECT count(*) FROM schemagate_migrations WHERE version = 2 AND state = 'in_progress' AND statements_done = 1 AND statements_total = 2"); n != 1 {
					t.Error("the history does not record 0002 as in progress after 1 of 2 statements")
				}
				if _, err := db.Exec("SELECT count(*) FROM orders"); err != nil {
					t.Errorf("table orders, created by the statement that finished, is missing: %v", err)
				}
				expectContains(t, sg(t, dir, "status", "--url", url).stdout, "IN PROGRESS (1/2 statements)")
				return
			}
			expectContains(t, r.stderr, "rolled back and left no trace")
			if n := queryInt(t, db, "SELECT count(*) FROM schemagate_migrations"); n != 1 {
				t.Errorf("history has %d rows, want 1 (0001 stays applied, 0002 leaves nothing)", n)
			}
			if _, err := db.Exec("SELECT count(*) FROM orders"); err == nil {
				t.Error("table orders exists: the failed migration left a trace")
			}
		})
	}
}

// TestStatementForAnotherEngine sends each server a statement only the other
// understands: the error quotes the server and names the file and line.
func TestStatementForAnotherEngine(t *testing.T) {
	cases := []struct {
		name string
		url  func(t testing.TB) string
		file string
		want []string
	}{
		{
			name: "MySQL statement on PostgreSQL",
			url:  testdb.Postgres,
			file: "-- tags for articles\nCREATE TABLE tags (\n  id integer PRIMARY KEY AUTO_INCREMENT,\n  label varchar(20) NOT NULL\n) ENGINE=InnoDB;\n",
			// PostgreSQL locates the error in the statement: line 3.
			want: []string{"statement 1 (0001_tags.up.sql line 3) failed", `syntax error at or near "AUTO_INCREMENT"`, "SQLSTATE 42601",
				"rolled back and left no trace"},
		},
		{
			name: "PostgreSQL statement on MySQL",
			url:  testdb.MySQL,
			file: "-- tags for articles\nCREATE TABLE tags (\n  id integer PRIMARY KEY,\n  labels text[] NOT NULL\n);\n",
			// MySQL names the line within the statement ("at line 3"),
			// which is line 4 of the file. A statement rejected as a syntax
			// error never ran, so nothing is recorded.
			want: []string{"statement 1 (0001_tags.up.sql line 4) failed", "error in your SQL syntax", "near '[] NOT NULL", "at line 3",
				"error 1064", "SQLSTATE 42000", "rejected it before running it, so nothing of the migration took effect"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := tc.url(t)
			dir := project(t, map[string]string{"0001_tags.up.sql": tc.file})
			r := sg(t, dir, "apply", "--url", url)
			expectCode(t, r, 1)
			expectContains(t, r.stderr, append([]string{"apply 0001_tags"}, tc.want...)...)
			// Nothing is left to repair: status shows the migration pending.
			r = sg(t, dir, "status", "--url", url)
			expectContains(t, r.stdout, "0 applied, 1 pending.")
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
	t.Run("mysql user without write privileges", func(t *testing.T) {
		t.Parallel()
		dbURL := testdb.MySQL(t)
		dbName := strings.TrimPrefix(mustParseURL(t, dbURL).Path, "/")
		user, password := mysqlUser(t, dbURL, "GRANT SELECT ON `"+dbName+"`.* TO %s")
		u := withUserInfo(dbURL, user, password)
		dir := project(t, twoMigrations())
		r := sg(t, dir, "apply", "--url", u)
		expectCode(t, r, 1)
		expectContains(t, r.stderr, "CREATE command denied", "schemagate_migrations", "hint:",
			"GRANT CREATE, INSERT, UPDATE, DELETE, SELECT ON `"+dbName+"`.* TO '"+user+"'@'%'")
		// Read-only commands still work for such a user.
		expectCode(t, sg(t, dir, "verify", "--url", u), 3)
		expectCode(t, sg(t, dir, "status", "--url", u), 0)
		// Once an administrator created the table, the user may read it
		// but still not record a migration.
		expectCode(t, sg(t, dir, "apply", "--url", dbURL, "--to", "1"), 0)
		r = sg(t, dir, "apply", "--url", u)
		expectCode(t, r, 1)
		expectContains(t, r.stderr, "command denied", "hint:", "GRANT CREATE, INSERT, UPDATE, DELETE, SELECT")
		expectCode(t, sg(t, dir, "verify", "--url", u), 3)
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
