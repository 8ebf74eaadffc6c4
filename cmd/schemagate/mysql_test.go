package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/schemagate/schemagate/dialect"
	mysqldialect "github.com/schemagate/schemagate/dialect/mysql"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

// TestMySQLKilledApplyIsResumable kills a runner in the middle of a
// migration of five DDL statements on MariaDB, where each statement commits
// on its own. The history must say exactly how far the file got, the lock
// must be free, apply must refuse until the partial point is confirmed, and
// once it is, the rerun must execute only the statements that had not run.
func TestMySQLKilledApplyIsResumable(t *testing.T) {
	t.Parallel()
	dbURL, dir, db := killAfterThreeOfFive(t)
	dbName := strings.TrimPrefix(mustParseURL(t, dbURL).Path, "/")
	r := sg(t, dir, "status", "--url", dbURL)
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "0002_five_steps", "IN PROGRESS (3/5 statements)")
	// A held lock would make this time out (exit 5) instead.
	r = sg(t, dir, "apply", "--url", dbURL, "--lock-timeout", "5s")
	expectCode(t, r, 4)
	expectContains(t, r.stderr, "0002_five_steps was left in progress", "3 of 5 statements had finished", "schemagate repair")
	expectCode(t, sg(t, dir, "verify", "--url", dbURL), 4)

	// What `schemagate repair` records once it has confirmed from the live
	// schema that exactly statements 1-3 took effect.
	if _, err := db.Exec("UPDATE schemagate_migrations SET state = 'partial' WHERE version = 2"); err != nil {
		t.Fatal(err)
	}
	r = sg(t, dir, "status", "--url", dbURL)
	expectContains(t, r.stdout, "PARTIAL (3/5 statements, apply resumes)")
	r = sg(t, dir, "verify", "--url", dbURL)
	expectCode(t, r, 3)
	expectContains(t, r.stderr, "partly applied: 3 of 5 statements")

	r = sg(t, dir, "apply", "--url", dbURL, "-o", "json")
	expectCode(t, r, 0)
	expectContains(t, r.stdout, `"id": "0002_five_steps"`)
	if got := tables(t, db, dbName); got != "accounts s1 s2 s3 s5 schemagate_instances schemagate_migrations schemagate_releases" {
		t.Errorf("tables after the resumed apply: %s", got)
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'email'"); n != 1 {
		t.Error("statement 4 did not run on resume")
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM schemagate_migrations WHERE version = 2 AND state = 'applied' AND statements_done = 5 AND finished_at IS NOT NULL"); n != 1 {
		t.Error("0002 is not recorded as applied with 5 of 5 statements")
	}
	r = sg(t, dir, "verify", "--url", dbURL)
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "OK:", "2 of 2 migrations applied")
}

// TestMySQLRepairConfirmsThePartialPoint has repair replay the migrations
// on a dev database and compare the live schema with the state after each
// statement: it must find that statements 1-3 took effect and record that.
func TestMySQLRepairConfirmsThePartialPoint(t *testing.T) {
	t.Parallel()
	dbURL, dir, db := killAfterThreeOfFive(t)
	dev := mustParseURL(t, dbURL)
	dev.Path = "/"
	r := sg(t, dir, "repair", "--url", dbURL, "--dev-url", dev.String(), "--yes")
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "0002_five_steps", "statements 1 to 3 took effect")
	if n := queryInt(t, db, "SELECT COUNT(*) FROM schemagate_migrations WHERE version = 2 AND state = 'partial' AND statements_done = 3"); n != 1 {
		t.Errorf("repair did not record 0002 as partial after 3 statements:\n%s", r)
	}
	expectCode(t, sg(t, dir, "apply", "--url", dbURL), 0)
	expectCode(t, sg(t, dir, "verify", "--url", dbURL), 0)
}

// killAfterThreeOfFive applies 0001, then starts applying 0002, five DDL
// statements, makes statement 4 wait, kills the runner with SIGKILL and
// ends its orphaned server session the way an operator would. It checks
// that the lock is free and that history and schema say statements 1-3
// ran, and returns the database URL, the project directory and a handle.
func killAfterThreeOfFive(t *testing.T) (string, string, *sql.DB) {
	t.Helper()
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	dbName := strings.TrimPrefix(mustParseURL(t, dbURL).Path, "/")
	// Statements 1-3 create tables without IF NOT EXISTS, so running any
	// of them a second time fails the rerun.
	dir := project(t, map[string]string{
		"0001_create_accounts.up.sql": "CREATE TABLE accounts (id INT PRIMARY KEY);\n",
		"0002_five_steps.up.sql": "CREATE TABLE s1 (id INT);\n" +
			"CREATE TABLE s2 (id INT);\n" +
			"CREATE TABLE s3 (id INT);\n" +
			"ALTER TABLE accounts ADD COLUMN email VARCHAR(255);\n" +
			"CREATE TABLE s5 (id INT);\n",
	})
	expectCode(t, sg(t, dir, "apply", "--url", dbURL, "--to", "1"), 0)
	db := openURL(t, dbURL)

	// Statement 4 needs the metadata lock of accounts; an open transaction
	// that read the table holds it, so the statement waits for as long as
	// the test wants, independent of the machine's speed.
	blocker := holdMetadataLock(t, db, "accounts")

	// No bound on the statement's lock wait: it must wait until killed,
	// not give up and retry.
	cmd := exec.Command(binary, "apply", "--url", dbURL, "--ddl-lock-timeout", "0")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var thread int64
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := db.QueryRow(`SELECT ID FROM information_schema.PROCESSLIST
			WHERE DB = ? AND INFO LIKE 'ALTER TABLE accounts%' AND STATE LIKE '%metadata lock%'`, dbName).Scan(&thread)
		if err == nil {
			break
		}
		if err != sql.ErrNoRows {
			cmd.Process.Kill()
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("statement 4 never started waiting for the metadata lock")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	// The server learns that a client died only when it next talks to it;
	// the statement is still waiting. End the orphaned session as an
	// operator would, then let the blocker go.
	if _, err := db.Exec(fmt.Sprintf("KILL %d", thread)); err != nil && !strings.Contains(err.Error(), "Unknown thread") {
		t.Fatal(err)
	}
	if _, err := blocker.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}

	lockName := mysqldialect.LockName(dbName)
	deadline = time.Now().Add(10 * time.Second)
	for queryInt(t, db, "SELECT IS_FREE_LOCK('"+lockName+"')") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the migration lock is still held 10 s after the runner's session was killed")
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The history says statements 1-3 ran, and the schema agrees.
	if n := queryInt(t, db, "SELECT COUNT(*) FROM schemagate_migrations WHERE version = 2 AND state = 'in_progress' AND statements_done = 3 AND statements_total = 5"); n != 1 {
		t.Error("the history does not record 0002 in progress after 3 of 5 statements")
	}
	if got := tables(t, db, dbName); got != "accounts s1 s2 s3 schemagate_instances schemagate_migrations schemagate_releases" {
		t.Errorf("tables after the kill: %s", got)
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'accounts' AND COLUMN_NAME = 'email'"); n != 0 {
		t.Error("statement 4 took effect although it was killed while waiting")
	}
	return dbURL, dir, db
}

// TestMySQLLockTimeoutNamesTheHolder holds the migration lock from a test
// session and checks that a runner gives up with exit 5 and names it.
func TestMySQLLockTimeoutNamesTheHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	dbName := strings.TrimPrefix(mustParseURL(t, dbURL).Path, "/")
	dir := project(t, twoMigrations())
	holder, err := openURL(t, dbURL).Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	var id int64
	if err := holder.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		t.Fatal(err)
	}
	var got int
	if err := holder.QueryRowContext(ctx, "SELECT GET_LOCK(?, 0)", mysqldialect.LockName(dbName)).Scan(&got); err != nil || got != 1 {
		t.Fatalf("GET_LOCK: %d, %v", got, err)
	}
	r := sg(t, dir, "apply", "--url", dbURL, "--lock-timeout", "1s")
	expectCode(t, r, 5)
	expectContains(t, r.stderr, "gave up waiting for the migration lock after 1s",
		fmt.Sprintf("held by server connection %d (%s from ", id, mustParseURL(t, dbURL).User.Username()), "KILL")
	if _, err := holder.ExecContext(ctx, "DO RELEASE_LOCK(?)", mysqldialect.LockName(dbName)); err != nil {
		t.Fatal(err)
	}
	expectCode(t, sg(t, dir, "apply", "--url", dbURL, "--lock-timeout", "30s"), 0)
}

func TestMySQLPasswordNeverPrinted(t *testing.T) {
	t.Parallel()
	dbURL := testdb.MySQL(t)
	dbName := strings.TrimPrefix(mustParseURL(t, dbURL).Path, "/")
	user, secret := mysqlUser(t, dbURL, "GRANT ALL ON `"+dbName+"`.* TO %s")
	withParam := mustParseURL(t, dbURL)
	withParam.User = url.User(user)
	withParam.RawQuery = url.Values{"password": {secret}}.Encode()
	wrong := withUserInfo(dbURL, user, secret+"-wrong")

	dir := project(t, twoMigrations())
	var all strings.Builder
	for _, u := range []string{withUserInfo(dbURL, user, secret), withParam.String()} {
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
	}
	r := sg(t, dir, "status", "--url", wrong)
	expectCode(t, r, 1)
	expectContains(t, r.stderr, "cannot log in to mysql://"+user+":xxxxx@", "Access denied")
	fmt.Fprintln(&all, r.stdout, r.stderr)
	if strings.Contains(all.String(), secret) {
		t.Fatalf("the password appears in the output:\n%s", all.String())
	}
	expectContains(t, all.String(), "xxxxx", "Applied to mysql://")
}

// tables lists the tables of a MySQL database, sorted, space-separated.
func tables(t *testing.T, db *sql.DB, dbName string) string {
	t.Helper()
	rows, err := db.Query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME", dbName)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return strings.Join(names, " ")
}

// mysqlUser creates an account with a password for this test, dropped when
// the test ends. grant, a format whose one %s stands for the account, is
// run when it is not empty.
func mysqlUser(t *testing.T, dbURL, grant string) (user, password string) {
	t.Helper()
	admin := openURL(t, dbURL)
	user = fmt.Sprintf("sgt_cli%d", time.Now().UnixNano()%1e10)
	password = "Pw-" + user[len(user)-6:] + "-s3cr3t"
	account := "'" + user + "'@'%'"
	if _, err := admin.Exec("CREATE USER " + account + " IDENTIFIED BY '" + password + "'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP USER IF EXISTS " + account) })
	if grant != "" {
		if _, err := admin.Exec(fmt.Sprintf(grant, account)); err != nil {
			t.Fatal(err)
		}
	}
	return user, password
}

func withUserInfo(rawURL, user, password string) string {
	u, _ := url.Parse(rawURL)
	u.User = url.UserPassword(user, password)
	return u.String()
}

func mustParseURL(t *testing.T, rawURL string) *url.URL {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestMySQLDDLWaitsBoundedAndRetries: a transaction holds the metadata
// lock of a busy table, as a slow job does; the application keeps querying
// the table; an ALTER of it waits at most the lock timeout each time, during
// which the application's queries queue behind it, gives up, retries, and
// lands once the transaction ends. No query of the workload may wait much
// longer than the lock timeout.
func TestMySQLDDLWaitsBoundedAndRetries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	dbName := strings.TrimPrefix(mustParseURL(t, dbURL).Path, "/")
	db := openURL(t, dbURL)
	if _, err := db.Exec("CREATE TABLE busy (id INT PRIMARY KEY); INSERT INTO busy VALUES (1), (2), (3)"); err != nil {
		t.Fatal(err)
	}
	dir := project(t, map[string]string{"0001_add_note.up.sql": "ALTER TABLE busy ADD COLUMN note VARCHAR(100);\n"})

	blocker := holdMetadataLock(t, db, "busy")

	// The application: four clients querying the table in a loop, each
	// measuring how long its query took.
	load := startWorkload(t, db, "SELECT COUNT(*) FROM busy")

	// The transaction ends 3 s after the ALTER first queues for the lock:
	// long enough for at least one timeout and retry, and longer than the
	// bound asserted below, which an unbounded wait would exceed.
	const hold = 3 * time.Second
	released := make(chan error, 1)
	go func() {
		deadline := time.Now().Add(60 * time.Second)
		for {
			var waiting int
			err := db.QueryRow(`SELECT COUNT(*) FROM information_schema.PROCESSLIST
				WHERE DB = ? AND INFO LIKE 'ALTER TABLE busy%' AND STATE LIKE '%metadata lock%'`, dbName).Scan(&waiting)
			if err != nil || waiting > 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(hold)
		_, err := blocker.ExecContext(ctx, "COMMIT")
		released <- err
	}()

	const lockTimeout = time.Second
	r := sg(t, dir, "apply", "--url", dbURL, "--ddl-lock-timeout", lockTimeout.String())
	worst, queries := load.stop()
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	expectCode(t, r, 0)
	expectContains(t, r.stderr, "gave up waiting for a table lock; retrying", "lock_timeout=1s")
	// Margin for a loaded two-core machine; without the bound the
	// queries would wait for the whole 3 s the transaction holds on.
	const margin = time.Second
	t.Logf("%d workload queries, the slowest waited %s (lock timeout %s)", queries, worst.Round(time.Millisecond), lockTimeout)
	if worst > lockTimeout+margin {
		t.Errorf("a workload query waited %s, more than the lock timeout %s plus %s", worst, lockTimeout, margin)
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'busy' AND COLUMN_NAME = 'note'"); n != 1 {
		t.Error("the migration did not land after the retries")
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM schemagate_migrations WHERE version = 1 AND state = 'applied' AND statements_done = 1"); n != 1 {
		t.Error("0001 is not recorded as applied")
	}
	// The session's bound went back to the server's default: the runner's
	// connection returned to its pool as it was taken (checked on the
	// server, where a leaked setting would show on the next use).
	var sessionTimeout, globalTimeout int
	if err := db.QueryRow("SELECT @@SESSION.lock_wait_timeout, @@GLOBAL.lock_wait_timeout").Scan(&sessionTimeout, &globalTimeout); err != nil || sessionTimeout != globalTimeout {
		t.Errorf("lock_wait_timeout: session %d, global %d, %v", sessionTimeout, globalTimeout, err)
	}
}

// TestMySQLDDLLockTimeoutGivesUpWithExit5: while the transaction never
// ends, the runner gives up after its retries with exit 5 and says why.
// The statement provably did not run, so the history holds no row for the
// migration, and once the transaction ends a plain apply finishes it.
func TestMySQLDDLLockTimeoutGivesUpWithExit5(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	db := openURL(t, dbURL)
	if _, err := db.Exec("CREATE TABLE busy (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	dir := project(t, map[string]string{"0001_add_note.up.sql": "ALTER TABLE busy ADD COLUMN note VARCHAR(100);\n"})
	blocker := holdMetadataLock(t, db, "busy")
	start := time.Now()
	r := sg(t, dir, "apply", "--url", dbURL, "--ddl-lock-timeout", "1s", "--ddl-retries", "1")
	t.Logf("gave up after %s", time.Since(start).Round(time.Millisecond))
	expectCode(t, r, 5)
	expectContains(t, r.stderr, "gave up after 2 attempts", "within 1s", "Lock wait timeout exceeded", "long transaction")
	if n := queryInt(t, db, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'busy' AND COLUMN_NAME = 'note'"); n != 0 {
		t.Error("the ALTER took effect although it gave up")
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM schemagate_migrations WHERE version = 1"); n != 0 {
		t.Error("the history keeps a row for 0001 although none of its statements ran")
	}
	if _, err := blocker.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	expectCode(t, sg(t, dir, "apply", "--url", dbURL), 0)
	expectCode(t, sg(t, dir, "verify", "--url", dbURL), 0)
}

// TestMySQLLockTimeoutAfterSomeStatementsLeavesAPartialMigration: the
// second statement gives up on its lock after the first ran; the history
// says partial 1/2, and the next apply runs only the second.
func TestMySQLLockTimeoutAfterSomeStatementsLeavesAPartialMigration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	db := openURL(t, dbURL)
	if _, err := db.Exec("CREATE TABLE busy (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	dir := project(t, map[string]string{"0001_two.up.sql": "CREATE TABLE fresh (id INT PRIMARY KEY);\nALTER TABLE busy ADD COLUMN note VARCHAR(100);\n"})
	blocker := holdMetadataLock(t, db, "busy")
	expectCode(t, sg(t, dir, "apply", "--url", dbURL, "--ddl-lock-timeout", "1s", "--ddl-retries", "0"), 5)
	r := sg(t, dir, "status", "--url", dbURL)
	expectContains(t, r.stdout, "PARTIAL (1/2 statements, apply resumes)")
	if _, err := blocker.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	// Re-running CREATE TABLE fresh would fail: the resume skips it.
	expectCode(t, sg(t, dir, "apply", "--url", dbURL), 0)
	expectCode(t, sg(t, dir, "verify", "--url", dbURL), 0)
}

// mysqlContractProject is contractProject on MariaDB: release 1 reads
// users.nickname, which release 2's migration drops.
func mysqlContractProject(t *testing.T) (dir string, snapshot1 []byte) {
	t.Helper()
	dir = project(t, map[string]string{
		"0001_create_users.up.sql":   "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL, nickname TEXT);\n",
		"0001_create_users.down.sql": "DROP TABLE users;\n",
	})
	if r := sg(t, dir, append([]string{"snapshot"}, devURL(t, "mysql")...)...); r.code != 0 {
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

// TestMySQLContractGateRefusesToBreakALiveRelease: release 1 is guarded
// and heartbeating; a migration that drops a column it reads is refused
// with exit 6 naming it. Every MySQL migration runs without a transaction,
// so its effect is predicted on the dev database, before any statement
// runs. Once release 1's instances stop heartbeating past the TTL, the
// same apply goes through.
func TestMySQLContractGateRefusesToBreakALiveRelease(t *testing.T) {
	t.Parallel()
	url := testdb.MySQL(t)
	dir, snap1 := mysqlContractProject(t)
	dev := devURL(t, "mysql")
	expectCode(t, sg(t, dir, "apply", "--url", url, "--to", "1"), 0)
	db := openURL(t, url)
	stop := runGuard(t, db, snap1, "1")

	// Without a dev database the effect cannot be predicted: the apply
	// stops before the first statement and asks for one, never runs blind.
	r := sg(t, dir, "apply", "--url", url, "--instance-ttl", "3s")
	expectCode(t, r, 2)
	expectContains(t, r.stderr, "needs a dev database: pass --dev-url")

	r = sg(t, dir, append([]string{"apply", "--url", url, "--instance-ttl", "3s"}, dev...)...)
	expectCode(t, r, 6)
	expectContains(t, r.stderr, "0002_drop_nickname would break a release that is still running",
		"authsvc 1 (1 live instance, last seen", "column users.nickname", "statement 1 (line 2)",
		"ALTER TABLE users DROP COLUMN nickname", "--allow-breaking")
	const nickname = "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'users' AND COLUMN_NAME = 'nickname'"
	if queryInt(t, db, nickname) != 1 {
		t.Fatal("the refused migration dropped the column anyway")
	}
	if n := queryInt(t, db, "SELECT COUNT(*) FROM schemagate_migrations WHERE version = 2"); n != 0 {
		t.Error("the refused migration left a history row")
	}
	r = sg(t, dir, append([]string{"verify", "--plan", "--url", url, "--instance-ttl", "3s"}, dev...)...)
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
	expectCode(t, sg(t, dir, append([]string{"apply", "--url", url, "--instance-ttl", "3s"}, dev...)...), 6)
	time.Sleep(3500 * time.Millisecond)
	r = sg(t, dir, append([]string{"apply", "--url", url, "--instance-ttl", "3s"}, dev...)...)
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "0002_drop_nickname")
	if queryInt(t, db, nickname) != 0 {
		t.Error("the column is still there after the apply")
	}
}

// TestMySQLRollbackRestoresTheSnapshotOfTheVersion rolls twelve migrations
// back to version 5 on MariaDB, one DDL statement at a time, and compares
// the live schema with the snapshot of version 5 exactly.
func TestMySQLRollbackRestoresTheSnapshotOfTheVersion(t *testing.T) {
	t.Parallel()
	files := map[string]string{}
	for v := 1; v <= 12; v++ {
		up := fmt.Sprintf("CREATE TABLE t%d (id INTEGER PRIMARY KEY, v VARCHAR(100));\nCREATE INDEX t%d_v ON t%d (v);\n", v, v, v)
		down := fmt.Sprintf("DROP TABLE t%d;\n", v)
		if v%3 == 0 { // some migrations alter an earlier table instead
			up = fmt.Sprintf("ALTER TABLE t%d ADD COLUMN c%d BIGINT NOT NULL DEFAULT 0;\n", v-1, v)
			down = fmt.Sprintf("ALTER TABLE t%d DROP COLUMN c%d;\n", v-1, v)
		}
		files[fmt.Sprintf("%04d_step%d.up.sql", v, v)] = up
		files[fmt.Sprintf("%04d_step%d.down.sql", v, v)] = down
	}
	dir := project(t, files)
	url := testdb.MySQL(t)
	snap5 := filepath.Join(t.TempDir(), "v5.json")
	expectCode(t, sg(t, dir, append([]string{"snapshot", "--to", "5", "--out", snap5}, devURL(t, "mysql")...)...), 0)
	expectCode(t, sg(t, dir, "apply", "--url", url), 0)
	r := sg(t, dir, "verify", "--url", url, "--snapshot", snap5, "--mode", "exact", "--dir", filepath.Join(t.TempDir(), "none"))
	expectCode(t, r, 4) // twelve migrations are not the schema of five

	r = sg(t, dir, "rollback", "--url", url, "--to", "5")
	expectCode(t, r, 0)
	expectContains(t, r.stdout, "7 migrations rolled back", "0012_step12")
	r = sg(t, dir, "verify", "--url", url, "--snapshot", snap5, "--mode", "exact", "--dir", filepath.Join(t.TempDir(), "none"))
	expectCode(t, r, 0)
	r = sg(t, dir, "status", "--url", url, "-o", "json")
	expectContains(t, r.stdout, `"applied": 5`, `"pending": 7`)
	expectCode(t, sg(t, dir, "apply", "--url", url), 0)
	expectCode(t, sg(t, dir, "verify", "--url", url), 0)
}

// TestMySQLRollbackRefusedWhileTheServingReleaseNeedsIt: the down file
// drops a column the live release reads; its effect is predicted on the
// dev database and the rollback refused before anything runs.
func TestMySQLRollbackRefusedWhileTheServingReleaseNeedsIt(t *testing.T) {
	t.Parallel()
	url := testdb.MySQL(t)
	dev := devURL(t, "mysql")
	dir := project(t, map[string]string{
		"0001_users.up.sql":       "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
		"0001_users.down.sql":     "DROP TABLE users;\n",
		"0002_add_email.up.sql":   "ALTER TABLE users ADD COLUMN email VARCHAR(255);\n",
		"0002_add_email.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
	})
	expectCode(t, sg(t, dir, append([]string{"snapshot"}, dev...)...), 0)
	snap, err := os.ReadFile(filepath.Join(dir, "migrations", schema.SnapshotFile))
	if err != nil {
		t.Fatal(err)
	}
	expectCode(t, sg(t, dir, "apply", "--url", url), 0)
	stop := runGuard(t, openURL(t, url), snap, "2")
	defer stop()
	r := sg(t, dir, append([]string{"rollback", "--url", url, "--to", "1"}, dev...)...)
	expectCode(t, r, 6)
	expectContains(t, r.stderr, "authsvc 2 (1 live instance", "column users.email")
	expectCode(t, sg(t, dir, "verify", "--url", url), 0)
}

// holdMetadataLock opens a transaction that reads table and keeps it open,
// as a slow job would: until the returned connection ends the transaction,
// every DDL statement on the table waits for its metadata lock.
func holdMetadataLock(t *testing.T, db *sql.DB, table string) *sql.Conn {
	t.Helper()
	ctx := context.Background()
	blocker, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blocker.Close() })
	if _, err := blocker.ExecContext(ctx, "START TRANSACTION"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := blocker.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return blocker
}
