package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/guard"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

// release1 is a project at release 1 of an app whose release 2 drops the
// column users.nickname that release 1 reads.
func contractProject(t *testing.T) (dir string, snapshot1 []byte) {
	files := map[string]string{
		"0001_create_users.up.sql":   "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, nickname TEXT);\n",
		"0001_create_users.down.sql": "DROP TABLE users;\n",
	}
	dir = project(t, files)
	if r := sg(t, dir, append([]string{"snapshot"}, devURL(t, "postgres")...)...); r.code != 0 {
		t.Fatalf("snapshot: %s", r)
	}
	data, err := os.ReadFile(filepath.Join(dir, "migrations", schema.SnapshotFile))
	if err != nil {
		t.Fatal(err)
	}
	writeMigrations(t, dir, map[string]string{
		"0002_drop_nickname.up.sql":   "-- release 2 no longer shows nicknames\nALTER TABLE users DROP COLUMN nickname;\n",
		"0002_drop_nickname.down.sql": "ALTER TABLE users ADD COLUMN nickname TEXT;\n",
	})
	expectCode(t, sg(t, dir, "hash"), 0)
	return dir, data
}

func runGuard(t *testing.T, db *sql.DB, snapshot []byte, version string) (stop func()) {
	t.Helper()
	g, err := guard.New(db, guard.WithSnapshot(snapshot), guard.WithRelease("authsvc", version), guard.WithInterval(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for !g.Status().Registered {
		if time.Now().After(deadline) {
			t.Fatalf("the guard never registered: %+v", g.Status())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return func() { cancel(); <-done }
}

func TestContractGateRefusesToBreakALiveRelease(t *testing.T) {
	url := testdb.Postgres(t)
	dir, snap1 := contractProject(t)
	expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
	db := openURL(t, url)
	stop := runGuard(t, db, snap1, "1")

	r := sg(t, dir, "apply", "--url", url, "--instance-ttl", "3s")
	expectCode(t, r, 6)
	expectContains(t, r.stderr, "0002_drop_nickname would break a release that is still running",
		"authsvc 1 (1 live instance, last seen", "column users.nickname", "statement 1 (line 2)",
		"ALTER TABLE users DROP COLUMN nickname", "--allow-breaking")
	if n := queryInt(t, db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'nickname'"); n != 1 {
		t.Fatal("the refused migration dropped the column anyway")
	}
	r = sg(t, dir, append([]string{"verify", "--plan", "--url", url, "--instance-ttl", "3s"}, devURL(t, "postgres")...)...)
	expectCode(t, r, 6)
	expectContains(t, r.stderr, "authsvc 1")

	// The instance dies without deregistering: its last heartbeat ages past
	// the TTL, and the same apply goes through.
	stop()
	reg := mustRegistrar(t, url)
	if err := reg.Heartbeat(context.Background(), db, dialect.Instance{ID: "crashed-pod", App: "authsvc", Release: "1",
		Fingerprint: mustFingerprint(t, snap1), Host: "h", StartedAt: time.Now(), LastSeen: time.Now()}); err != nil {
		t.Fatal(err)
	}
	expectCode(t, sg(t, dir, "apply", "--url", url, "--instance-ttl", "3s"), 6)
	time.Sleep(3500 * time.Millisecond)
	r = sg(t, dir, "apply", "--url", url, "--instance-ttl", "3s")
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "0002_drop_nickname")
}

func TestAllowBreakingNamesTheRelease(t *testing.T) {
	url := testdb.Postgres(t)
	dir, snap1 := contractProject(t)
	expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
	stop := runGuard(t, openURL(t, url), snap1, "1")
	defer stop()
	expectCode(t, sg(t, dir, "apply", "--url", url, "--allow-breaking", "authsvc 2"), 6)
	expectCode(t, sg(t, dir, "apply", "--url", url, "--allow-breaking", "authsvc 1"), 0)
}

func TestStatusShowsTheCompatibilityWindow(t *testing.T) {
	url := testdb.Postgres(t)
	dir, snap1 := contractProject(t)
	expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
	db := openURL(t, url)
	stop := runGuard(t, db, snap1, "1")
	r := sg(t, dir, "status", "--url", url)
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "authsvc  1        1", "yes: deploying or rolling back to it needs no schema change")
	stop()
	fp := mustFingerprint(t, snap1)
	r = sg(t, dir, "verify", "--url", url, "--release-fingerprint", strings.TrimPrefix(fp, "sha256:")[:12])
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "authsvc 1 can run on the live schema")

	expectCode(t, sg(t, dir, "apply", "--url", url), 0) // no live instance any more
	r = sg(t, dir, "status", "--url", url, "-o", "json")
	expectContains(t, r.stdout, `"compatible": false`, `"live_instances": 0`)
	r = sg(t, dir, "status", "--url", url)
	expectContains(t, r.stdout, "NO: column users.nickname")
	r = sg(t, dir, "verify", "--url", url, "--release-fingerprint", fp)
	expectCode(t, r, 3)
	expectContains(t, r.stderr, "users.nickname")
}

func TestDDLWaitsBoundedAndRetries(t *testing.T) {
	url := testdb.Postgres(t)
	db := openURL(t, url)
	if _, err := db.Exec("CREATE TABLE busy (id int); INSERT INTO busy SELECT generate_series(1, 100)"); err != nil {
		t.Fatal(err)
	}
	dir := project(t, map[string]string{"0001_add_note.up.sql": "ALTER TABLE busy ADD COLUMN note text;\n"})

	// A long transaction holds a lock on the table, as a slow job would.
	blocker, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := blocker.Exec("SELECT count(*) FROM busy"); err != nil {
		t.Fatal(err)
	}
	// The application keeps querying the table and measures its waits.
	load := startWorkload(t, db, "SELECT count(*) FROM busy")
	go func() {
		time.Sleep(2500 * time.Millisecond)
		blocker.Commit()
	}()
	const lockTimeout = 300 * time.Millisecond
	r := sg(t, dir, "apply", "--url", url, "--ddl-lock-timeout", lockTimeout.String())
	worst, queries := load.stop()
	expectCode(t, r, 0)
	expectContains(t, r.stderr, "gave up waiting for a table lock; retrying")
	// Margin for a loaded two-core machine; without the timeout the
	// queries would wait for the whole 2.5 s transaction.
	const margin = 700 * time.Millisecond
	t.Logf("%d workload queries, the slowest waited %s (lock timeout %s)", queries, worst, lockTimeout)
	if worst > lockTimeout+margin {
		t.Errorf("a workload query waited %s, more than the lock timeout %s plus %s", worst, lockTimeout, margin)
	}
	if n := queryInt(t, db, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'busy' AND column_name = 'note'"); n != 1 {
		t.Error("the migration did not land after the retries")
	}
}

func TestDDLLockTimeoutGivesUpWithExit5(t *testing.T) {
	url := testdb.Postgres(t)
	db := openURL(t, url)
	if _, err := db.Exec("CREATE TABLE busy (id int)"); err != nil {
		t.Fatal(err)
	}
	dir := project(t, map[string]string{"0001_add_note.up.sql": "ALTER TABLE busy ADD COLUMN note text;\n"})
	blocker, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback()
	if _, err := blocker.Exec("LOCK TABLE busy IN ACCESS SHARE MODE"); err != nil {
		t.Fatal(err)
	}
	r := sg(t, dir, "apply", "--url", url, "--ddl-lock-timeout", "100ms", "--ddl-retries", "1")
	expectCode(t, r, 5)
	expectContains(t, r.stderr, "gave up after 2 attempts", "within 100ms", "long transaction")
}

func TestRollbackRestoresTheSnapshotOfTheVersion(t *testing.T) {
	files := map[string]string{}
	for v := 1; v <= 12; v++ {
		up := fmt.Sprintf("CREATE TABLE t%d (id integer PRIMARY KEY, v text);\nCREATE INDEX t%d_v ON t%d (v);\n", v, v, v)
		down := fmt.Sprintf("DROP TABLE t%d;\n", v)
		if v%3 == 0 { // some migrations alter an earlier table instead
			up = fmt.Sprintf("ALTER TABLE t%d ADD COLUMN c%d bigint NOT NULL DEFAULT 0;\n", v-1, v)
			down = fmt.Sprintf("ALTER TABLE t%d DROP COLUMN c%d;\n", v-1, v)
		}
		files[fmt.Sprintf("%04d_step%d.up.sql", v, v)] = up
		files[fmt.Sprintf("%04d_step%d.down.sql", v, v)] = down
	}
	dir := project(t, files)
	url := testdb.Postgres(t)
	snap5 := filepath.Join(t.TempDir(), "v5.json")
	expectCode(t, sg(t, dir, append([]string{"snapshot", "--to", "5", "--out", snap5}, devURL(t, "postgres")...)...), 0)
	expectCode(t, sg(t, dir, "apply", "--url", url), 0)

	r := sg(t, dir, "rollback", "--url", url, "--to", "5")
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "7 migrations rolled back", "0012_step12")
	r = sg(t, dir, "verify", "--url", url, "--snapshot", snap5, "--mode", "exact", "--dir", filepath.Join(t.TempDir(), "none"))
	expectCode(t, r, 0)
	r = sg(t, dir, "status", "--url", url, "-o", "json")
	expectContains(t, r.stdout, `"applied": 5`, `"pending": 7`)
	expectCode(t, sg(t, dir, "apply", "--url", url), 0)

	// A missing down file is named, and nothing is rolled back.
	os.Remove(filepath.Join(dir, "migrations", "0008_step8.down.sql"))
	expectCode(t, sg(t, dir, "hash"), 0)
	r = sg(t, dir, "rollback", "--url", url, "--to", "5")
	expectCode(t, r, 2)
	expectContains(t, r.stderr, "0008_step8.down.sql: missing")
	if n := queryInt(t, openURL(t, url), "SELECT count(*) FROM schemagate_migrations"); n != 12 {
		t.Errorf("history has %d rows after a refused rollback", n)
	}
}

func TestRollbackRefusedWhileTheServingReleaseNeedsIt(t *testing.T) {
	url := testdb.Postgres(t)
	dir := project(t, map[string]string{
		"0001_users.up.sql":       "CREATE TABLE users (id integer PRIMARY KEY);\n",
		"0001_users.down.sql":     "DROP TABLE users;\n",
		"0002_add_email.up.sql":   "ALTER TABLE users ADD COLUMN email text;\n",
		"0002_add_email.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
	})
	expectCode(t, sg(t, dir, append([]string{"snapshot"}, devURL(t, "postgres")...)...), 0)
	snap, _ := os.ReadFile(filepath.Join(dir, "migrations", schema.SnapshotFile))
	expectCode(t, sg(t, dir, "apply", "--url", url), 0)
	stop := runGuard(t, openURL(t, url), snap, "2")
	defer stop()
	r := sg(t, dir, "rollback", "--url", url, "--to", "1")
	expectCode(t, r, 6)
	expectContains(t, r.stderr, "authsvc 2 (1 live instance", "column users.email")
	expectCode(t, sg(t, dir, "verify", "--url", url), 0)
}

func mustRegistrar(t *testing.T, url string) *dialect.SQLRegistry {
	t.Helper()
	db, err := dialect.Open(context.Background(), url, dialect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db.(dialect.Registrar).Registry()
}

func mustFingerprint(t *testing.T, snapshot []byte) string {
	t.Helper()
	s, err := schema.DecodeSnapshot(snapshot)
	if err != nil {
		t.Fatal(err)
	}
	return s.Fingerprint
}

// workload is an application querying a table from four clients, each
// measuring how long its queries take.
type workload struct {
	done    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	worst   time.Duration
	queries int
}

func startWorkload(t *testing.T, db *sql.DB, query string) *workload {
	w := &workload{done: make(chan struct{})}
	for range 4 {
		w.wg.Add(1)
		go func() {
			defer w.wg.Done()
			for {
				select {
				case <-w.done:
					return
				default:
				}
				start := time.Now()
				var n int
				if err := db.QueryRow(query).Scan(&n); err != nil {
					t.Error(err)
					return
				}
				d := time.Since(start)
				w.mu.Lock()
				w.queries++
				w.worst = max(w.worst, d)
				w.mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		}()
	}
	return w
}

// stop ends the workload and returns its slowest query and query count.
func (w *workload) stop() (worst time.Duration, queries int) {
	close(w.done)
	w.wg.Wait()
	return w.worst, w.queries
}
