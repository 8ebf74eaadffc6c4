package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	mysqldialect "github.com/schemagate/schemagate/dialect/mysql"
	"github.com/schemagate/schemagate/internal/testdb"
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
	if got := tables(t, db, dbName); got != "accounts s1 s2 s3 s5 schemagate_migrations" {
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
	blocker, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Close()
	if _, err := blocker.ExecContext(ctx, "START TRANSACTION"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := blocker.QueryRowContext(ctx, "SELECT COUNT(*) FROM accounts").Scan(&n); err != nil {
		t.Fatal(err)
	}

	cmd := exec.Command(binary, "apply", "--url", dbURL)
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
	if got := tables(t, db, dbName); got != "accounts s1 s2 s3 schemagate_migrations" {
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
