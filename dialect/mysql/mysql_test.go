package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/internal/testdb"
)

func TestParseURL(t *testing.T) {
	cases := []struct {
		url  string
		want string // the parsed config, summarised
	}{
		{url: "mysql://app:s3cret@db.internal:3307/shop",
			want: "user=app pass=s3cret net=tcp addr=db.internal:3307 db=shop tls= timeout=10s parseTime=true multi=false"},
		{url: "mysql://app@db/shop",
			want: "user=app pass= net=tcp addr=db:3306 db=shop tls= timeout=10s parseTime=true multi=false"},
		{url: "mariadb://app:p%40ss%2Fword@db/shop",
			want: "user=app pass=p@ss/word net=tcp addr=db:3306 db=shop tls= timeout=10s parseTime=true multi=false"},
		{url: "mysql://app@db/shop?password=from%26param&tls=skip-verify",
			want: "user=app pass=from&param net=tcp addr=db:3306 db=shop tls=skip-verify timeout=10s parseTime=true multi=false"},
		{url: "mysql://app@db/shop?tls=true&timeout=3s&parseTime=false&multiStatements=true",
			want: "user=app pass= net=tcp addr=db:3306 db=shop tls=true timeout=3s parseTime=true multi=false"},
		{url: "mysql://app@db/shop?tls=preferred",
			want: "user=app pass= net=tcp addr=db:3306 db=shop tls=preferred timeout=10s parseTime=true multi=false"},
		{url: "mysql://app@/shop?socket=%2Frun%2Fmysqld%2Fmysqld.sock",
			want: "user=app pass= net=unix addr=/run/mysqld/mysqld.sock db=shop tls= timeout=10s parseTime=true multi=false"},
		{url: "mysql://app@[::1]:3306/shop",
			want: "user=app pass= net=tcp addr=[::1]:3306 db=shop tls= timeout=10s parseTime=true multi=false"},
	}
	for _, tc := range cases {
		cfg, err := parseURL(tc.url)
		if err != nil {
			t.Errorf("parseURL(%q): %v", tc.url, err)
			continue
		}
		got := fmt.Sprintf("user=%s pass=%s net=%s addr=%s db=%s tls=%s timeout=%s parseTime=%t multi=%t",
			cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName, cfg.TLSConfig, cfg.Timeout, cfg.ParseTime, cfg.MultiStatements)
		if got != tc.want {
			t.Errorf("parseURL(%q)\n got  %s\n want %s", tc.url, got, tc.want)
		}
	}

	// Driver parameters and session variables pass through untouched.
	cfg, err := parseURL("mysql://app@db/shop?charset=utf8mb4,utf8&collation=utf8mb4_unicode_ci&readTimeout=30s&sql_mode=%27ANSI_QUOTES%27&connectionAttributes=team:payments")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Collation != "utf8mb4_unicode_ci" || cfg.ReadTimeout != 30*time.Second ||
		cfg.Params["sql_mode"] != "'ANSI_QUOTES'" || cfg.ConnectionAttributes != "team:payments" {
		t.Errorf("parameters did not pass through: %+v", cfg)
	}
	if !strings.Contains(cfg.FormatDSN(), "charset=utf8mb4%2Cutf8") && !strings.Contains(cfg.FormatDSN(), "charset=utf8mb4,utf8") {
		t.Errorf("charset list lost: %s", cfg.FormatDSN())
	}
	if cfg.TLS != nil {
		t.Errorf("TLS on without tls=")
	}
	cfg, err = parseURL("mysql://app@db/shop?tls=true")
	if err != nil || cfg.TLS == nil || cfg.TLS.ServerName != "db" {
		t.Errorf("tls=true: want TLS verifying host db, got %+v, %v", cfg, err)
	}
}

func TestOpenRejectsBadURLsWithoutLeakingThePassword(t *testing.T) {
	const secret = "Sup3r-s3cret"
	for _, tc := range []struct{ url, want string }{
		{"mysql://app:" + secret + "@db:3306/", "no database name"},
		{"mysql://app:" + secret + "@db:3306", "no database name"},
		{"mysql://app:" + secret + "@db:notaport/shop", "invalid port"},
		{"mysql://app:" + secret + "@db/shop?strict=true", "sql_mode"},
		{"mysql://app:" + secret + "@db/shop?tls=nosuchconfig", "nosuchconfig"},
		{"mysql://app:" + secret + "@db/shop?timeout=forever", "invalid"},
	} {
		_, err := dialect.Open(context.Background(), tc.url, dialect.Options{})
		if schemagate.KindOf(err) != schemagate.KindUsage {
			t.Errorf("%s: kind %v, want usage; err = %v", tc.url, schemagate.KindOf(err), err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "invalid MySQL URL") {
			t.Errorf("%s: error lacks %q: %v", tc.url, tc.want, err)
		}
		if strings.Contains(err.Error()+schemagate.HintOf(err), secret) {
			t.Errorf("%s: the password leaked: %v", tc.url, err)
		}
	}
	_, err := dialect.Open(context.Background(), "mysql://app@db/shop", dialect.Options{Schema: "other"})
	if schemagate.KindOf(err) != schemagate.KindUsage || !strings.Contains(err.Error(), "schema is a database") {
		t.Errorf("--schema on MySQL: %v", err)
	}
}

func TestConnectErrors(t *testing.T) {
	const secret = "Sup3r-s3cret"
	ctx := context.Background()
	_, err := dialect.Open(ctx, "mysql://app:"+secret+"@127.0.0.1:1/shop?timeout=2s", dialect.Options{})
	if schemagate.ReasonOf(err) != "unreachable" || schemagate.KindOf(err) != schemagate.KindError {
		t.Errorf("closed port: %v (reason %s)", err, schemagate.ReasonOf(err))
	}
	if err != nil && (strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "mysql://app:xxxxx@127.0.0.1:1/shop")) {
		t.Errorf("closed port: the error must name the redacted URL: %v", err)
	}

	server := serverURL(t)
	_, err = dialect.Open(ctx, withDatabase(server, "sgt_no_such_database_here"), dialect.Options{})
	if schemagate.ReasonOf(err) != "database_missing" || !strings.Contains(schemagate.HintOf(err), "CREATE DATABASE `sgt_no_such_database_here`") {
		t.Errorf("missing database: %v (reason %s, hint %q)", err, schemagate.ReasonOf(err), schemagate.HintOf(err))
	}

	dbURL := testdb.MySQL(t)
	user := newUser(t, dbURL, "Corr3ct-horse", "")
	_, err = dialect.Open(ctx, withUser(dbURL, user, secret), dialect.Options{})
	if schemagate.ReasonOf(err) != "auth_failed" {
		t.Errorf("wrong password: %v (reason %s)", err, schemagate.ReasonOf(err))
	}
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("wrong password: the password leaked: %v", err)
	}
	_, err = dialect.Open(ctx, withUser(dbURL, user, "Corr3ct-horse"), dialect.Options{})
	if schemagate.ReasonOf(err) != "insufficient_privilege" || !strings.Contains(schemagate.HintOf(err), "'"+user+"'@'%'") {
		t.Errorf("no privilege on the database: %v (reason %s, hint %q)", err, schemagate.ReasonOf(err), schemagate.HintOf(err))
	}
}

func TestHistory(t *testing.T) {
	ctx := context.Background()
	d := open(t, testdb.MySQL(t))
	h := d.History()
	recs, err := h.Records(ctx, d.DB())
	if err != nil || len(recs) != 0 {
		t.Fatalf("records before the table exists: %v, %v", recs, err)
	}
	for range 2 {
		if err := h.Ensure(ctx, d.DB()); err != nil {
			t.Fatal(err)
		}
	}
	started := time.Date(2026, 11, 27, 9, 30, 15, 123456000, time.UTC)
	rec := dialect.Record{
		Version: 20261127093015, Name: "add_email", Checksum: "sha256:" + strings.Repeat("ab", 32),
		State: dialect.StateInProgress, StartedAt: started, AppliedBy: "ci@runner-7",
		StatementsDone: 2, StatementsTotal: 5,
	}
	if err := h.Insert(ctx, d.DB(), rec); err != nil {
		t.Fatal(err)
	}
	if err := h.Insert(ctx, d.DB(), rec); err == nil {
		t.Error("a second row for the same version was accepted")
	}
	rec.State = dialect.StateApplied
	rec.StatementsDone = 5
	rec.FinishedAt = started.Add(1500 * time.Millisecond)
	rec.ExecutionTime = 1500 * time.Millisecond
	rec.Fingerprint = "sha256:" + strings.Repeat("cd", 32)
	if err := h.Update(ctx, d.DB(), rec); err != nil {
		t.Fatal(err)
	}
	recs, err = h.Records(ctx, d.DB())
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 {
		t.Fatalf("got %d records, want 1", len(recs))
	}
	got := recs[0]
	if got != rec {
		t.Errorf("round trip changed the record:\n got  %+v\n want %+v", got, rec)
	}

	// The table admits exactly the three states.
	_, err = d.DB().ExecContext(ctx, "UPDATE "+dialect.HistoryTable+" SET state = 'dirty'")
	if err == nil {
		t.Error("the history table accepted state 'dirty'")
	}
	for _, s := range []dialect.State{dialect.StateApplied, dialect.StateInProgress, dialect.StatePartial} {
		if _, err := d.DB().ExecContext(ctx, "UPDATE "+dialect.HistoryTable+" SET state = ?", string(s)); err != nil {
			t.Errorf("state %s: %v", s, err)
		}
	}
	if err := h.Delete(ctx, d.DB(), rec.Version); err != nil {
		t.Fatal(err)
	}
	if recs, _ := h.Records(ctx, d.DB()); len(recs) != 0 {
		t.Errorf("delete left %d rows", len(recs))
	}
}

func TestPrivilegeErrorsNameWhatIsMissing(t *testing.T) {
	ctx := context.Background()
	dbURL := testdb.MySQL(t)
	dbName := strings.TrimPrefix(mustParse(t, dbURL).Path, "/")
	user := newUser(t, dbURL, "Read-0nly-pw", "GRANT SELECT ON `"+dbName+"`.* TO '%s'@'%%'")
	d := open(t, withUser(dbURL, user, "Read-0nly-pw"))

	// Reading works: no table yet means no history.
	if recs, err := d.History().Records(ctx, d.DB()); err != nil || len(recs) != 0 {
		t.Fatalf("a read-only user reads the history: %v, %v", recs, err)
	}
	err := d.History().Ensure(ctx, d.DB())
	if schemagate.ReasonOf(err) != "insufficient_privilege" {
		t.Fatalf("ensure without CREATE: %v (reason %s)", err, schemagate.ReasonOf(err))
	}
	for _, want := range []string{"CREATE command denied", dialect.HistoryTable} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	wantHint := "GRANT CREATE, INSERT, UPDATE, DELETE, SELECT ON `" + dbName + "`.* TO '" + user + "'@'%'"
	if !strings.Contains(schemagate.HintOf(err), wantHint) {
		t.Errorf("hint %q lacks %q", schemagate.HintOf(err), wantHint)
	}

	// With the table created by someone else, SELECT alone still cannot
	// record a migration, and CREATE is not needed any more.
	admin := open(t, dbURL)
	if err := admin.History().Ensure(ctx, admin.DB()); err != nil {
		t.Fatal(err)
	}
	if err := d.History().Ensure(ctx, d.DB()); err != nil {
		t.Errorf("ensure when the table exists needs no CREATE: %v", err)
	}
	err = d.History().Insert(ctx, d.DB(), dialect.Record{Version: 1, Name: "x", Checksum: "c", State: dialect.StateApplied, StartedAt: time.Now(), AppliedBy: "t"})
	if schemagate.ReasonOf(err) != "insufficient_privilege" || !strings.Contains(err.Error(), "INSERT command denied") ||
		!strings.Contains(schemagate.HintOf(err), wantHint) {
		t.Errorf("insert without INSERT: %v (hint %q)", err, schemagate.HintOf(err))
	}
}

func TestDescribeError(t *testing.T) {
	d := open(t, testdb.MySQL(t))
	_, err := d.DB().Exec("SELECT * FROM no_such_table")
	se := d.DescribeError(err)
	if se == nil {
		t.Fatalf("no server error in %v", err)
	}
	if se.Code != "1146" || se.CodeLabel != "error" || se.Detail != "SQLSTATE 42S02" || !strings.Contains(se.Message, "no_such_table") {
		t.Errorf("unexpected description %+v", se)
	}
	if s := se.String(); !strings.Contains(s, "(error 1146); SQLSTATE 42S02") {
		t.Errorf("String() = %q", s)
	}
	if d.DescribeError(errors.New("not from the server")) != nil {
		t.Error("a non-server error was described")
	}
	if d.DescribeError(fmt.Errorf("apply: %w", err)) == nil {
		t.Error("a wrapped server error was not described")
	}
}

func TestCapabilitiesAndSplit(t *testing.T) {
	d := open(t, testdb.MySQL(t))
	if d.Capabilities().TransactionalDDL {
		t.Error("MySQL DDL is not transactional")
	}
	if d.Dialect() != "mysql" {
		t.Errorf("Dialect() = %q", d.Dialect())
	}
	stmts, err := d.Split("CREATE TABLE `a;b` (id INT); # comment;\nINSERT INTO `a;b` VALUES (1);")
	if err != nil || len(stmts) != 2 {
		t.Errorf("split: %d statements, %v", len(stmts), err)
	}
}

// open opens a mysql:// URL through the dialect and closes it with the test.
func open(t *testing.T, rawURL string) *Database {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := dialect.Open(ctx, rawURL, dialect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db.(*Database)
}

func serverURL(t *testing.T) string {
	t.Helper()
	return testdb.MySQLServerURL(t)
}

func mustParse(t *testing.T, rawURL string) *url.URL {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func withDatabase(rawURL, name string) string {
	u, _ := url.Parse(rawURL)
	u.Path = "/" + name
	return u.String()
}

func withUser(rawURL, user, password string) string {
	u, _ := url.Parse(rawURL)
	u.User = url.UserPassword(user, password)
	return u.String()
}

// newUser creates an account for this test, dropped when it ends, and runs
// grant (a format with one %s for the user name) when it is not empty.
func newUser(t *testing.T, dbURL, password, grant string) string {
	t.Helper()
	admin, err := testdb.OpenMySQL(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	user := fmt.Sprintf("sgt_u%d", time.Now().UnixNano()%1e10)
	if _, err := admin.Exec(fmt.Sprintf("CREATE USER '%s'@'%%' IDENTIFIED BY '%s'", user, password)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(fmt.Sprintf("DROP USER IF EXISTS '%s'@'%%'", user)) })
	if grant != "" {
		if _, err := admin.Exec(fmt.Sprintf(grant, user)); err != nil {
			t.Fatal(err)
		}
	}
	return user
}

// conn takes one connection of d's pool for the test.
func conn(t *testing.T, d *Database) *sql.Conn {
	t.Helper()
	c, err := d.DB().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
