package mysql

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/internal/testdb"
)

// appPool opens a pool the way an application might: without parseTime,
// with loc set to a zone far from UTC, which shifts time.Time values the
// driver sends, and with an sql_mode that changes how SQL text parses.
func appPool(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	u := mustParse(t, dbURL)
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net, cfg.Addr = "tcp", u.Host
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	loc, err := time.LoadLocation("Asia/Kathmandu") // UTC+05:45
	if err != nil {
		loc = time.FixedZone("UTC+05:45", 5*3600+45*60)
	}
	cfg.Loc = loc
	cfg.Params = map[string]string{"sql_mode": "'ANSI,NO_BACKSLASH_ESCAPES,ONLY_FULL_GROUP_BY,STRICT_ALL_TABLES'"}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	return db
}

// TestRegistryRoundTrip writes instances and releases through the
// application's pool and reads them through schemagate's own, as the
// guard and `schemagate status` do.
func TestRegistryRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	cli := open(t, dbURL)
	for range 2 {
		if err := cli.History().Ensure(ctx, cli.DB()); err != nil {
			t.Fatal(err)
		}
		if err := cli.Registry().Ensure(ctx, cli.DB()); err != nil {
			t.Fatal(err)
		}
	}
	pool := appPool(t, dbURL)
	app, err := dialect.FromDB("mysql", pool, dialect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	reg := app.(dialect.Registrar).Registry()
	started := time.Date(2026, 11, 27, 9, 30, 15, 123456000, time.UTC)
	seen := started.Add(90 * time.Second)
	inst := dialect.Instance{ID: "authsvc-7d9f-x2", App: "authsvc", Release: "1.4.2", Fingerprint: "sha256:" + strings.Repeat("ab", 32),
		Host: "node-3", StartedAt: started, LastSeen: seen}
	if err := reg.Heartbeat(ctx, pool, inst); err != nil {
		t.Fatal(err)
	}
	inst.LastSeen = seen.Add(10 * time.Second)
	if err := reg.Heartbeat(ctx, pool, inst); err != nil {
		t.Fatal(err)
	}
	got, err := cli.Registry().Instances(ctx, cli.DB())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != inst {
		t.Errorf("instances:\n got  %+v\n want %+v", got, inst)
	}
	// Read back through the application's pool too (text timestamps).
	if got, err := reg.Instances(ctx, pool); err != nil || len(got) != 1 || got[0] != inst {
		t.Errorf("instances through the application's pool: %+v, %v", got, err)
	}

	// A snapshot larger than TEXT's 64 KiB is stored whole, once.
	snapshot := []byte(`{"tables":"` + strings.Repeat("x", 200_000) + `"}`)
	rel := dialect.Release{Fingerprint: inst.Fingerprint, App: "authsvc", Release: "1.4.2", Snapshot: snapshot, FirstSeen: started, LastSeen: seen}
	for range 2 {
		if err := reg.SaveRelease(ctx, pool, rel); err != nil {
			t.Fatal(err)
		}
	}
	rels, err := cli.Registry().Releases(ctx, cli.DB())
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 1 || string(rels[0].Snapshot) != string(snapshot) || !rels[0].FirstSeen.Equal(started) || !rels[0].LastSeen.Equal(seen) {
		t.Errorf("releases: %d, snapshot intact %v, first %v, last %v", len(rels), len(rels) == 1 && string(rels[0].Snapshot) == string(snapshot),
			rels[0].FirstSeen, rels[0].LastSeen)
	}

	// Expiry compares stored times, whichever pool wrote them.
	if err := reg.Expire(ctx, pool, inst.LastSeen); err != nil {
		t.Fatal(err)
	}
	if got, _ := cli.Registry().Instances(ctx, cli.DB()); len(got) != 1 {
		t.Error("Expire removed an instance seen exactly at the cut-off")
	}
	if err := reg.Expire(ctx, pool, inst.LastSeen.Add(time.Microsecond)); err != nil {
		t.Fatal(err)
	}
	if got, _ := cli.Registry().Instances(ctx, cli.DB()); len(got) != 0 {
		t.Errorf("Expire left %+v", got)
	}
	if err := reg.Heartbeat(ctx, pool, inst); err != nil {
		t.Fatal(err)
	}
	if err := reg.Remove(ctx, pool, inst.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := cli.Registry().Instances(ctx, cli.DB()); len(got) != 0 {
		t.Errorf("Remove left %+v", got)
	}
}

func TestRegistryMissingTablesReadAsEmpty(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := open(t, testdb.MySQL(t))
	if got, err := d.Registry().Instances(ctx, d.DB()); err != nil || len(got) != 0 {
		t.Errorf("instances without the table: %v, %v", got, err)
	}
	if got, err := d.Registry().Releases(ctx, d.DB()); err != nil || len(got) != 0 {
		t.Errorf("releases without the table: %v, %v", got, err)
	}
}

// TestRegistryNeedsNoCreateOnceItExists: a role that may write the
// schemagate tables but create none still gets through the runner's
// ensure steps once the tables exist, and is told what is missing before.
func TestRegistryNeedsNoCreateOnceItExists(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	dbName := strings.TrimPrefix(mustParse(t, dbURL).Path, "/")
	user := newUser(t, dbURL, "Wr1te-only-pw", "GRANT SELECT, INSERT, UPDATE, DELETE ON `"+dbName+"`.* TO '%s'@'%%'")
	d := open(t, withUser(dbURL, user, "Wr1te-only-pw"))

	err := d.History().Ensure(ctx, d.DB())
	if schemagate.ReasonOf(err) != "insufficient_privilege" || !strings.Contains(err.Error(), "CREATE command denied") {
		t.Fatalf("ensure without CREATE and without the tables: %v", err)
	}
	admin := open(t, dbURL)
	if err := admin.History().Ensure(ctx, admin.DB()); err != nil {
		t.Fatal(err)
	}
	if err := d.History().Ensure(ctx, d.DB()); err != nil {
		t.Fatal(err)
	}
	err = d.Registry().Ensure(ctx, d.DB())
	if err == nil || !strings.Contains(err.Error(), "CREATE command denied") {
		t.Fatalf("registry ensure without CREATE and without the tables: %v", err)
	}
	if err := admin.Registry().Ensure(ctx, admin.DB()); err != nil {
		t.Fatal(err)
	}
	if err := d.History().Ensure(ctx, d.DB()); err != nil {
		t.Fatal(err)
	}
	if err := d.Registry().Ensure(ctx, d.DB()); err != nil {
		t.Errorf("registry ensure when the tables exist needs no CREATE: %v", err)
	}
	inst := dialect.Instance{ID: "i", App: "a", Release: "1", Fingerprint: "f", Host: "h", StartedAt: time.Now(), LastSeen: time.Now()}
	if err := d.Registry().Heartbeat(ctx, d.DB(), inst); err != nil {
		t.Errorf("heartbeat: %v", err)
	}
}

// TestWrappedPool is the engine the guard builds around the application's
// pool: it learns the database from the connections, reads the schema,
// takes the lock of that database, and leaves the pool open on Close.
func TestWrappedPool(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	dbName := strings.TrimPrefix(mustParse(t, dbURL).Path, "/")
	pool := appPool(t, dbURL)
	if _, err := pool.Exec("CREATE TABLE accounts (id INT PRIMARY KEY, email VARCHAR(255) NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	var mode string
	if err := pool.QueryRow("SELECT @@SESSION.sql_mode").Scan(&mode); err != nil || !strings.Contains(mode, "ANSI_QUOTES") {
		t.Fatalf("the application's sql_mode is not in effect: %q, %v", mode, err)
	}
	db, err := dialect.FromDB("mysql", pool, dialect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if db.Dialect() != "mysql" || db.DB() != pool || strings.Contains(db.Target(), "@") {
		t.Errorf("wrapped pool: dialect %q, target %q", db.Dialect(), db.Target())
	}
	s, err := dialect.Inspect(ctx, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != dbName || len(s.Tables) != 1 || s.Tables[0].Name != "accounts" {
		t.Errorf("inspected %q with tables %s", s.Name, tableNames(s))
	}
	if tok, err := db.(dialect.ChangeTokener).SchemaToken(ctx, pool); err != nil || !strings.HasPrefix(tok, "mariadb/1:") && !strings.HasPrefix(tok, "defs/") {
		t.Errorf("token: %q, %v", tok, err)
	}
	c, err := pool.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	lock, err := db.Lock(ctx, c, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var holder sql.NullInt64
	if err := pool.QueryRow("SELECT IS_USED_LOCK(?)", LockName(dbName)).Scan(&holder); err != nil || !holder.Valid {
		t.Errorf("the lock of %s is not held: %v", dbName, err)
	}
	if err := lock.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := pool.Ping(); err != nil {
		t.Errorf("Close closed the application's pool: %v", err)
	}
}

// TestWrappedPoolWithoutDatabase: a pool whose connections use no
// database cannot be checked, and says why.
func TestWrappedPoolWithoutDatabase(t *testing.T) {
	t.Parallel()
	u := mustParse(t, testdb.MySQLServerURL(t))
	u.Path = "/"
	pool := appPool(t, u.String())
	db, err := dialect.FromDB("mysql", pool, dialect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = dialect.Inspect(context.Background(), db, nil)
	if schemagate.ReasonOf(err) != "database_unknown" || !strings.Contains(schemagate.HintOf(err), "DSN") {
		t.Errorf("inspect without a database: %v (hint %q)", err, schemagate.HintOf(err))
	}
}
