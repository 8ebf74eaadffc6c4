package lint

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/schemagate/schemagate/internal/testdb"
)

// The rules state which lock a statement takes. These tests hold each rule
// to its word on the real servers: the statement runs in an open
// transaction, and another connection looks at what it holds.

type pgLockCase struct {
	rule  string
	setup string
	// stmts run in one transaction; the last one is the risky statement.
	stmts    string
	relation string
	// mode is pg_locks' name for Rule.Lock.
	mode string
}

var pgLockModes = map[string]string{
	"ACCESS EXCLUSIVE":    "AccessExclusiveLock",
	"EXCLUSIVE":           "ExclusiveLock",
	"SHARE ROW EXCLUSIVE": "ShareRowExclusiveLock",
	"SHARE":               "ShareLock",
}

const pgLockSetup = `
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text, age int);
CREATE INDEX users_email ON users (email);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, amount int, price numeric, quantity int);
CREATE TABLE events (id bigint, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2023 PARTITION OF events FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
CREATE TABLE events_2025 (id bigint, at date NOT NULL);
CREATE DOMAIN email_address AS text;
CREATE TABLE contacts (id bigint, email email_address);
INSERT INTO users SELECT g, 'u' || g || '@example.com', 'n', 30 FROM generate_series(1, 100) g;
INSERT INTO orders SELECT g, g, 1, 1, 1 FROM generate_series(1, 100) g;
`

var pgLockCases = []pgLockCase{
	{RuleIndexWithoutConcurrently, "", "CREATE INDEX users_name ON users (name)", "users", ""},
	{RuleDropIndexWithoutConcurrently, "", "DROP INDEX users_email", "users", ""},
	{RuleReindexWithoutConcurrently, "", "REINDEX INDEX users_email", "users", ""},
	{RuleDetachWithoutConcurrently, "", "ALTER TABLE events DETACH PARTITION events_2023", "events", ""},
	{RuleAttachPartitionScan, "", "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')", "events_2025", ""},
	{RuleForeignKeyWithoutNotValid, "", "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)", "orders", ""},
	{RuleForeignKeyWithoutNotValid, "", "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id)", "users", ""},
	{RuleCheckWithoutNotValid, "", "ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0)", "orders", ""},
	{RuleValidateInSameTransaction, "", "ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT amount_positive", "orders", ""},
	{RuleSetNotNull, "", "ALTER TABLE users ALTER COLUMN email SET NOT NULL", "users", ""},
	{RuleConstraintBuildsIndex, "", "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email)", "users", ""},
	{RuleDomainConstraintScan, "", "ALTER DOMAIN email_address ADD CONSTRAINT email_has_at CHECK (VALUE LIKE '%@%')", "contacts", ""},
	{RuleVolatileDefault, "", "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()", "users", ""},
	{RuleAddAutoIncrementColumn, "", "ALTER TABLE orders ADD COLUMN seq bigserial", "orders", ""},
	{RuleAddStoredGeneratedColumn, "", "ALTER TABLE orders ADD COLUMN total numeric GENERATED ALWAYS AS (price * quantity) STORED", "orders", ""},
	{RuleColumnTypeChange, "", "ALTER TABLE users ALTER COLUMN age TYPE bigint", "users", ""},
	{RuleTableRewriteCommand, "", "CLUSTER users USING users_pkey", "users", ""},
	// Not a lock rule, but the lock it warns about is the reason it exists.
	{RuleLockTimeoutMissing, "", "ALTER TABLE users ADD COLUMN nickname text", "users", "AccessExclusiveLock"},
}

func TestPostgresLocksAreReal(t *testing.T) {
	url := testdb.Postgres(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, pgLockSetup); err != nil {
		t.Fatal(err)
	}

	covered := map[string]bool{}
	for _, c := range pgLockCases {
		covered[c.rule] = true
		r, _ := Lookup(c.rule)
		want := c.mode
		if want == "" {
			want = pgLockModes[r.Lock]
		}
		if want == "" {
			t.Fatalf("%s: rule states no known lock (%q)", c.rule, r.Lock)
		}
		// The rule must fire on the statement it is tested with.
		findings, err := Lint(ctx, Input{
			Dialect:    Postgres,
			Earlier:    []Migration{{File: "setup.sql", SQL: pgLockSetup}},
			Migrations: []Migration{{File: "m.sql", SQL: c.stmts + ";\n"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rules(findings)[c.rule]; !ok {
			t.Errorf("%s does not fire on %q: %v", c.rule, c.stmts, findings)
			continue
		}
		held := pgLocksHeld(ctx, t, db, c.stmts, c.relation)
		if !held[want] {
			t.Errorf("%s claims %s on %s for %q; the server holds %v", c.rule, want, c.relation, c.stmts, keys(held))
		}
	}
	for _, r := range Rules() {
		if r.Lock != "" && r.AppliesTo(Postgres) && !covered[r.Name] {
			t.Errorf("%s states the lock %s but no case here checks it", r.Name, r.Lock)
		}
	}
}

// pgLocksHeld runs stmts in a transaction on one connection and returns
// the lock modes that connection holds on relation, as seen from another.
func pgLocksHeld(ctx context.Context, t *testing.T, db *sql.DB, stmts, relation string) map[string]bool {
	t.Helper()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var pid int
	if err := conn.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	for _, s := range strings.Split(stmts, ";\n") {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
		WHERE l.pid = $1 AND l.granted AND c.relname = $2`, pid, relation)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	held := map[string]bool{}
	for rows.Next() {
		var mode string
		if err := rows.Scan(&mode); err != nil {
			t.Fatal(err)
		}
		held[mode] = true
	}
	return held
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestMySQLClaimsAreReal checks the MySQL rules against the server. MariaDB
// ships with performance_schema off, so metadata locks are shown by their
// effect: a pinned online algorithm that the server refuses proves the
// statement needs the blocking one, and a DDL waiting for its metadata lock
// is shown to block the queries that arrive after it.
func TestMySQLClaimsAreReal(t *testing.T) {
	url := testdb.MySQL(t)
	db, err := testdb.OpenMySQL(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for _, s := range []string{
		"CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), bio varchar(100))",
		"CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, hits int)",
		"INSERT INTO users VALUES (1, 'a@example.com', NULL), (2, 'b@example.com', 'x')",
		"INSERT INTO orders VALUES (1, 1, 1), (2, 2, 2)",
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}

	// Each risky statement, pinned to the online algorithm, is refused:
	// the server would have run it with a blocking one.
	refused := []struct {
		rule, stmt string
	}{
		{RuleMySQLBlockingAlgorithm, "ALTER TABLE orders ADD COLUMN x int, ALGORITHM=COPY, LOCK=NONE"},
		{RuleColumnTypeChange, "ALTER TABLE orders MODIFY hits bigint, ALGORITHM=INPLACE, LOCK=NONE"},
		{RuleMySQLAddForeignKey, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id), ALGORITHM=INPLACE, LOCK=NONE"},
		{RuleAddAutoIncrementColumn, "ALTER TABLE orders ADD COLUMN seq bigint AUTO_INCREMENT UNIQUE, ALGORITHM=INPLACE, LOCK=NONE"},
		{RuleAddStoredGeneratedColumn, "ALTER TABLE orders ADD COLUMN total bigint AS (hits * 2) STORED, ALGORITHM=INPLACE, LOCK=NONE"},
		{RuleSetNotNull, "ALTER TABLE users MODIFY bio varchar(100) NOT NULL, ALGORITHM=INSTANT"},
	}
	earlier := []Migration{{File: "setup.sql", SQL: "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(100), bio varchar(100));\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, hits int);\n"}}
	for _, c := range refused {
		findings, err := Lint(ctx, Input{Dialect: MySQL, Earlier: earlier, Migrations: []Migration{{File: "m.sql", SQL: c.stmt + ";\n"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := rules(findings)[c.rule]; !ok {
			t.Errorf("%s does not fire on %q: %v", c.rule, c.stmt, findings)
		}
		if _, err := db.ExecContext(ctx, c.stmt); err == nil {
			t.Errorf("%s: the server ran %q online; the rule's claim is wrong", c.rule, c.stmt)
		} else if !strings.Contains(err.Error(), "not supported") {
			t.Errorf("%s: %q failed for another reason: %v", c.rule, c.stmt, err)
		}
	}
	// With foreign_key_checks off, the key is added in place: the fix the
	// rule gives works.
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "SET foreign_key_checks = 0"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id), ALGORITHM=INPLACE, LOCK=NONE"); err != nil {
		t.Errorf("mysql-add-foreign-key fix: %v", err)
	}
	conn.Close()

	// add-required-column: existing rows silently get the zero value.
	if _, err := db.ExecContext(ctx, "ALTER TABLE users ADD COLUMN tenant_id int NOT NULL, ALGORITHM=INSTANT"); err != nil {
		t.Fatal(err)
	}
	var tenant int
	if err := db.QueryRowContext(ctx, "SELECT tenant_id FROM users WHERE id = 1").Scan(&tenant); err != nil || tenant != 0 {
		t.Errorf("add-required-column: existing row got %d, %v", tenant, err)
	}

	// lock-timeout-missing: a reader holds the table's metadata lock; the
	// ALTER queues behind it, and a plain SELECT that arrives next queues
	// behind the ALTER.
	reader, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	readTx, err := reader.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = readTx.Rollback() }()
	if _, err := readTx.ExecContext(ctx, "SELECT * FROM orders"); err != nil {
		t.Fatal(err)
	}
	alterDone := make(chan error, 1)
	go func() {
		c, err := db.Conn(ctx)
		if err != nil {
			alterDone <- err
			return
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, "SET SESSION lock_wait_timeout = 4"); err != nil {
			alterDone <- err
			return
		}
		_, err = c.ExecContext(ctx, "ALTER TABLE orders ADD COLUMN note varchar(10), ALGORITHM=INSTANT")
		alterDone <- err
	}()
	time.Sleep(500 * time.Millisecond)
	late, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	if _, err := late.ExecContext(ctx, "SET SESSION lock_wait_timeout = 1"); err != nil {
		t.Fatal(err)
	}
	_, lateErr := late.ExecContext(ctx, "SELECT * FROM orders")
	if lateErr == nil || !strings.Contains(lateErr.Error(), "Lock wait timeout") {
		t.Errorf("a SELECT behind the waiting ALTER was not blocked: %v", lateErr)
	}
	alterErr := <-alterDone
	if alterErr == nil || !strings.Contains(alterErr.Error(), "Lock wait timeout") {
		t.Errorf("the ALTER did not wait for the metadata lock: %v", alterErr)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatal("timed out")
	}
}
