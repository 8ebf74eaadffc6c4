package mysql

import (
	"context"
	"strings"
	"testing"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/internal/testdb"
)

func TestDevOnAServerCreatesAndDropsADatabase(t *testing.T) {
	ctx := context.Background()
	server := withDatabase(serverURL(t), "")
	dev, cleanup, err := dialect.OpenDev(ctx, "mysql", server)
	if err != nil {
		t.Fatal(err)
	}
	name := dev.(*Database).Name()
	if !strings.HasPrefix(name, devPrefix) {
		t.Errorf("throw-away database %q lacks the prefix %s", name, devPrefix)
	}
	if _, err := dev.DB().Exec("CREATE TABLE t (id int PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	s, err := dialect.Inspect(ctx, dev, nil)
	if err != nil || len(s.Tables) != 1 {
		t.Fatalf("inspect the dev database: %v, %v", s, err)
	}
	cleanup()
	admin, err := testdb.OpenMySQL(serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var n int
	if err := admin.QueryRow("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", name).Scan(&n); err != nil || n != 0 {
		t.Errorf("the throw-away database %s survived its cleanup (%d, %v)", name, n, err)
	}
}

func TestDevInAnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	dev, cleanup, err := dialect.OpenDev(ctx, "mysql", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"CREATE TABLE parent (id int PRIMARY KEY)",
		"CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id))",
		"CREATE VIEW v AS SELECT id FROM child",
		"CREATE FUNCTION f() RETURNS int DETERMINISTIC RETURN 1",
	} {
		if _, err := dev.DB().Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	// While the replay's objects are there, the database is not empty.
	if _, _, err := dialect.OpenDev(ctx, "mysql", dbURL); schemagate.ReasonOf(err) != "dev_not_empty" {
		t.Errorf("a second dev run in a used database: %v", err)
	}
	cleanup()
	db, err := testdb.OpenMySQL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE())
		+ (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE())`).Scan(&n); err != nil || n != 0 {
		t.Errorf("cleanup left %d objects (%v)", n, err)
	}
}

func TestDevURLErrors(t *testing.T) {
	ctx := context.Background()
	for url, reason := range map[string]string{
		"":                               "dev_url_missing",
		"postgres://u@h/db":              "dev_url_invalid",
		"mysql://u:pw1234@h/db?strict=1": "dev_url_invalid",
	} {
		_, _, err := dialect.OpenDev(ctx, "mysql", url)
		if schemagate.ReasonOf(err) != reason || schemagate.KindOf(err) != schemagate.KindUsage {
			t.Errorf("OpenDev(%q): %v, want reason %s", url, err, reason)
		}
		if err != nil && strings.Contains(err.Error(), "pw1234") {
			t.Errorf("OpenDev(%q) leaks the password: %v", url, err)
		}
	}
}
