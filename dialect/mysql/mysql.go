// Package mysql implements the MySQL and MariaDB dialect through
// github.com/go-sql-driver/mysql.
//
// URLs are mysql://user:password@host:3306/dbname (mariadb:// is the same).
// The database name is required: MySQL has no default database, and the
// history table lives in the one the URL names. Query parameters are passed
// to the driver as it documents them: tls=true|skip-verify|preferred|NAME,
// charset, collation, readTimeout, connectionAttributes, … and any other
// key=value as a session system variable (for example sql_mode). Besides the
// driver's own, two parameters are understood here: password= (instead of
// the password in the user info) and socket=/path/to/mysqld.sock (connect
// over a Unix socket; the host is then ignored).
//
// Some settings are fixed because schemagate relies on them: timestamps are
// parsed into time.Time (parseTime), and multi-statement queries are off,
// since schemagate splits files itself and runs, counts and records one
// statement at a time. A dial timeout of 10 s applies unless the URL sets
// timeout.
//
// MySQL and MariaDB commit every DDL statement implicitly, so this engine
// reports Capabilities{TransactionalDDL: false}: the runner records each
// migration's progress statement by statement.
//
// The migration lock is a named user lock (GET_LOCK) on the connection the
// runner works on, polled without waiting inside the server; its name is
// derived from the database name, so two databases on one server migrate
// independently, and the server releases it when the connection ends.
//
// Each migration statement waits for its table's metadata lock at most the
// runner's DDL lock timeout (lock_wait_timeout), and the runner retries when
// it gives up. The engine also keeps the instance registry, gives the guard
// a cheap schema token, and wraps a pool the application opened
// (dialect.FromDB), for the guard; the database is then the one the pool's
// connections use.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/sqlsplit"
)

func init() {
	dialect.Register(Open, "mysql", "mariadb")
	dialect.RegisterPool("mysql", func(db *sql.DB, _ dialect.Options) dialect.Database {
		return newDatabase(db, nil, "mysql (application pool)")
	})
}

// defaultDialTimeout bounds how long connecting may take when the URL does
// not set timeout.
const defaultDialTimeout = 10 * time.Second

// MySQL error numbers this package interprets.
const (
	errDBAccessDenied     = 1044 // ER_DBACCESS_DENIED_ERROR: no privilege on the database
	errAccessDenied       = 1045 // ER_ACCESS_DENIED_ERROR: wrong user or password
	errBadDB              = 1049 // ER_BAD_DB_ERROR: unknown database
	errTableAccessDenied  = 1142 // ER_TABLEACCESS_DENIED_ERROR: "CREATE command denied …"
	errColumnAccessDenied = 1143 // ER_COLUMNACCESS_DENIED_ERROR
	errSpecificAccess     = 1227 // ER_SPECIFIC_ACCESS_DENIED_ERROR: needs e.g. SUPER
	errProcAccessDenied   = 1370 // ER_PROCACCESS_DENIED_ERROR: "execute command denied …"
)

// Database is a connected MySQL or MariaDB database.
type Database struct {
	db       *sql.DB
	owned    bool          // Close closes db only when Open opened it
	cfg      *mysql.Config // nil for a wrapped application pool
	target   string
	password string
	history  *history
	registry *dialect.SQLRegistry
	// registryReady is set when the registry tables were seen to exist,
	// so that ensuring them needs no CREATE privilege (see Registry).
	registryReady atomic.Bool

	// name is the database schemagate works in: the URL's, or for a
	// wrapped pool the one its connections use, learnt on first need.
	mu     sync.Mutex
	name   string
	server *serverInfo // nil until first asked
}

// Open connects to the MySQL or MariaDB database rawURL names.
func Open(ctx context.Context, rawURL string, opts dialect.Options) (dialect.Database, error) {
	target := dialect.Redact(rawURL)
	cfg, err := parseURL(rawURL)
	if err == nil && cfg.DBName == "" {
		err = errors.New("no database name (the path of the URL)")
	}
	if err != nil {
		var secret string
		if u, perr := url.Parse(rawURL); perr == nil {
			secret, _ = u.User.Password()
		}
		return nil, schemagate.Errorf(schemagate.KindUsage, "url_invalid",
			"invalid MySQL URL %s: %s", target, dialect.RedactSecret(err.Error(), secret)).
			WithHint("write it as mysql://user:password@host:3306/dbname?tls=true")
	}
	if opts.Schema != "" && opts.Schema != cfg.DBName {
		return nil, schemagate.Errorf(schemagate.KindUsage, "schema_unsupported",
			"--schema %s: on MySQL and MariaDB a schema is a database; name it in the URL instead", opts.Schema).
			WithHint("write the URL as mysql://user@host:3306/%s", opts.Schema)
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "url_invalid",
			"invalid MySQL URL %s: %s", target, dialect.RedactSecret(err.Error(), cfg.Passwd))
	}
	d := newDatabase(sql.OpenDB(connector), cfg, target)
	d.owned = true
	if err := d.db.PingContext(ctx); err != nil {
		d.db.Close()
		return nil, d.connectError(err)
	}
	return d, nil
}

// newDatabase builds a Database around db. cfg is nil for a pool the
// application opened: then there is no password to redact and the database
// name is asked of the server when first needed.
func newDatabase(db *sql.DB, cfg *mysql.Config, target string) *Database {
	d := &Database{db: db, cfg: cfg, target: target}
	if cfg != nil {
		d.password, d.name = cfg.Passwd, cfg.DBName
	}
	placeholder := func(int) string { return "?" }
	d.history = &history{
		SQLHistory: dialect.SQLHistory{
			CreateTable: createHistory,
			TableExists: historyExists,
			Placeholder: placeholder,
		},
		d: d,
	}
	d.registry = &dialect.SQLRegistry{
		CreateInstances: createInstances,
		CreateReleases:  createReleases,
		Placeholder:     placeholder,
		TimeValue:       datetimeText,
		TableExists:     tableExists,
	}
	return d
}

// parseURL turns a mysql:// URL into a driver configuration. Driver
// parameters are handed to the driver's own DSN parser untouched, so they
// mean exactly what the driver documents. The database name may be empty
// (a server URL); Open refuses that, a dev database accepts it.
func parseURL(rawURL string) (*mysql.Config, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL; keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	if strings.Contains(dbName, "/") {
		return nil, fmt.Errorf("database name %q contains a slash", dbName)
	}
	var (
		params   []string
		password string
		socket   string
	)
	for _, kv := range strings.Split(u.RawQuery, "&") {
		if kv == "" {
			continue
		}
		key, value, _ := strings.Cut(kv, "=")
		switch key {
		case "password", "socket":
			v, err := url.QueryUnescape(value)
			if err != nil {
				return nil, fmt.Errorf("parameter %s: %w", key, err)
			}
			if key == "password" {
				password = v
			} else {
				socket = v
			}
		case "strict":
			// The driver removed it and panics when it sees it.
			return nil, errors.New("parameter strict is no longer supported by the driver; set sql_mode instead")
		default:
			params = append(params, kv)
		}
	}
	// The driver's DSN: the user info and database name are set below, so
	// no character in them can be mistaken for DSN syntax.
	addr := "tcp(" + u.Host + ")"
	if socket != "" {
		addr = "unix(" + socket + ")"
	} else if u.Host == "" {
		addr = "tcp(127.0.0.1:3306)"
	}
	dsn := addr + "/"
	if len(params) > 0 {
		dsn += "?" + strings.Join(params, "&")
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	cfg.DBName = dbName
	if u.User != nil {
		cfg.User = u.User.Username()
		if p, ok := u.User.Password(); ok {
			cfg.Passwd = p
		}
	}
	if password != "" {
		cfg.Passwd = password
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = defaultDialTimeout
	}
	cfg.ParseTime = true
	cfg.MultiStatements = false
	if cfg.ConnectionAttributes == "" {
		cfg.ConnectionAttributes = "program_name:schemagate"
	}
	// The driver logs lost connections on its own; schemagate reports
	// every error it acts on, so the extra lines are noise.
	cfg.Logger = discardLogger{}
	return cfg, nil
}

type discardLogger struct{}

func (discardLogger) Print(...any) {}

// createHistory is the history table. Timestamps are DATETIME(6) holding
// UTC, which unlike TIMESTAMP does not depend on the session time zone and
// does not end in 2038. utf8mb4_bin keeps names and checksums byte-exact.
// MySQL before 8.0.16 parses the CHECK constraint and ignores it; MariaDB
// and newer MySQL enforce it.
const createHistory = `CREATE TABLE IF NOT EXISTS ` + dialect.HistoryTable + ` (
	version          BIGINT NOT NULL,
	name             VARCHAR(255) NOT NULL,
	checksum         VARCHAR(100) NOT NULL,
	state            VARCHAR(16) NOT NULL,
	started_at       DATETIME(6) NOT NULL,
	finished_at      DATETIME(6) NULL,
	execution_ms     BIGINT NOT NULL DEFAULT 0,
	applied_by       VARCHAR(255) NOT NULL,
	statements_done  INT NOT NULL DEFAULT 0,
	statements_total INT NOT NULL DEFAULT 0,
	fingerprint      VARCHAR(100) NOT NULL DEFAULT '',
	PRIMARY KEY (version),
	CONSTRAINT ` + dialect.HistoryTable + `_state CHECK (state IN ('applied', 'in_progress', 'partial'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`

func historyExists(ctx context.Context, q dialect.Querier) (bool, error) {
	return tableExists(ctx, q, dialect.HistoryTable)
}

// tableExists reports whether the database the connection uses has a table
// named name.
func tableExists(ctx context.Context, q dialect.Querier, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, name).Scan(&n)
	return n > 0, err
}

// history is the shared SQL history with two MySQL habits: CREATE TABLE IF
// NOT EXISTS needs the CREATE privilege even when the table exists, so the
// table is looked for first; and a privilege error names the privileges and
// the GRANT that fix it.
type history struct {
	dialect.SQLHistory
	d *Database
}

// Ensure implements dialect.History. It looks for the registry tables in
// the same query, so that the runner's next step, ensuring the registry,
// needs no CREATE privilege either when they exist (see Registry).
func (h *history) Ensure(ctx context.Context, q dialect.Querier) error {
	rows, err := q.QueryContext(ctx, `SELECT TABLE_NAME FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?, ?)`,
		dialect.HistoryTable, dialect.InstancesTable, dialect.ReleasesTable)
	if err != nil {
		return h.d.privilegeError(ctx, "look for history table "+dialect.HistoryTable, err)
	}
	found := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return fmt.Errorf("look for history table %s: %w", dialect.HistoryTable, err)
		}
		found[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return h.d.privilegeError(ctx, "look for history table "+dialect.HistoryTable, err)
	}
	h.d.registryReady.Store(found[dialect.InstancesTable] && found[dialect.ReleasesTable])
	if found[dialect.HistoryTable] {
		return nil
	}
	return h.d.privilegeError(ctx, "", h.SQLHistory.Ensure(ctx, q))
}

// Records implements dialect.History.
func (h *history) Records(ctx context.Context, q dialect.Querier) ([]dialect.Record, error) {
	recs, err := h.SQLHistory.Records(ctx, q)
	return recs, h.d.privilegeError(ctx, "", err)
}

// Insert implements dialect.History.
func (h *history) Insert(ctx context.Context, q dialect.Querier, r dialect.Record) error {
	return h.d.privilegeError(ctx, "", h.SQLHistory.Insert(ctx, q, r))
}

// Update implements dialect.History.
func (h *history) Update(ctx context.Context, q dialect.Querier, r dialect.Record) error {
	return h.d.privilegeError(ctx, "", h.SQLHistory.Update(ctx, q, r))
}

// Delete implements dialect.History.
func (h *history) Delete(ctx context.Context, q dialect.Querier, version int64) error {
	return h.d.privilegeError(ctx, "", h.SQLHistory.Delete(ctx, q, version))
}

// historyPrivileges are what schemagate needs on its history table.
const historyPrivileges = "CREATE, INSERT, UPDATE, DELETE, SELECT"

// deniedUser finds the account a privilege error names: "… denied to user
// 'app'@'10.0.0.%' …".
var deniedUser = regexp.MustCompile(`user '((?:[^'\\]|\\.)*)'@'((?:[^'\\]|\\.)*)'`)

// privilegeError returns err as an insufficient_privilege error naming the
// privileges schemagate needs and the GRANT that gives them, when err is a
// privilege error; otherwise err unchanged (wrapped with op if op is set).
func (d *Database) privilegeError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var me *mysql.MySQLError
	if !errors.As(err, &me) || !isPrivilegeError(me.Number) {
		if op != "" {
			return fmt.Errorf("%s: %w", op, err)
		}
		return err
	}
	e := schemagate.Errorf(schemagate.KindError, "insufficient_privilege", "%w", err).
		WithHint("schemagate needs %s on its table %s; grant them, e.g. GRANT %s ON %s.* TO %s",
			historyPrivileges, dialect.HistoryTable, historyPrivileges, quoteIdent(d.nameOr(ctx, "DBNAME")), d.account(ctx, me.Message))
	e.Op = op
	return e
}

// account is the 'user'@'host' account the server knows this connection
// as, for a GRANT statement in a hint. CURRENT_USER() names the account
// (its host part may be a pattern such as '%'); the server's message names
// the client's host, which serves when the server cannot be asked.
func (d *Database) account(ctx context.Context, serverMessage string) string {
	var current string
	if err := d.db.QueryRowContext(ctx, `SELECT CURRENT_USER()`).Scan(&current); err == nil {
		if i := strings.LastIndex(current, "@"); i >= 0 {
			return "'" + current[:i] + "'@'" + current[i+1:] + "'"
		}
	}
	if m := deniedUser.FindStringSubmatch(serverMessage); m != nil {
		return "'" + m[1] + "'@'" + m[2] + "'"
	}
	if d.cfg == nil {
		return "'USER'@'%'"
	}
	return "'" + d.cfg.User + "'@'%'"
}

func isPrivilegeError(number uint16) bool {
	switch number {
	case errDBAccessDenied, errAccessDenied, errTableAccessDenied, errColumnAccessDenied,
		errSpecificAccess, errProcAccessDenied:
		return true
	}
	return false
}

// quoteIdent quotes a MySQL identifier with backticks.
func quoteIdent(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

// connectError turns a failed connection into an error an operator can act
// on, with the URL redacted.
func (d *Database) connectError(err error) error {
	text := d.redact(err.Error())
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		switch me.Number {
		case errAccessDenied:
			return schemagate.Errorf(schemagate.KindError, "auth_failed",
				"cannot log in to %s: %s", d.target, text).
				WithHint("check the user name and password in the URL, and the account's host part on the server (SELECT user, host FROM mysql.user)")
		case errBadDB:
			return schemagate.Errorf(schemagate.KindError, "database_missing",
				"database in %s does not exist: %s", d.target, text).
				WithHint("create it (CREATE DATABASE %s) or fix the database name in the URL", quoteIdent(d.name))
		case errDBAccessDenied:
			return schemagate.Errorf(schemagate.KindError, "insufficient_privilege",
				"cannot use the database in %s: %s", d.target, text).
				WithHint("the account has no privilege on %s (or it does not exist); grant the ones migrations need, e.g. GRANT ALL ON %s.* TO %s",
					quoteIdent(d.name), quoteIdent(d.name), d.account(context.Background(), me.Message))
		}
	}
	return schemagate.Errorf(schemagate.KindError, "unreachable",
		"cannot connect to %s: %s", d.target, text).
		WithHint("check that the server runs and that host, port and tls in the URL are right")
}

func (d *Database) redact(s string) string { return dialect.RedactSecret(s, d.password) }

// Dialect implements dialect.Database.
func (d *Database) Dialect() string { return "mysql" }

// Target implements dialect.Database.
func (d *Database) Target() string { return d.target }

// DB implements dialect.Database.
func (d *Database) DB() *sql.DB { return d.db }

// Name is the database (MySQL's word for a schema) schemagate works in; for
// a wrapped application pool, "" until it was first needed.
func (d *Database) Name() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.name
}

// database returns the name of the database schemagate works in: the
// URL's, or for a wrapped application pool the one its connections use,
// asked of the server once.
func (d *Database) database(ctx context.Context, q dialect.Querier) (string, error) {
	if name := d.Name(); name != "" {
		return name, nil
	}
	var name sql.NullString
	if err := q.QueryRowContext(ctx, `SELECT DATABASE()`).Scan(&name); err != nil {
		return "", fmt.Errorf("ask which database the connection uses: %w", err)
	}
	if name.String == "" {
		return "", schemagate.Errorf(schemagate.KindUsage, "database_unknown",
			"the application's MySQL connections use no database").
			WithHint("name the database in the DSN, e.g. user:password@tcp(host:3306)/dbname")
	}
	d.mu.Lock()
	d.name = name.String
	d.mu.Unlock()
	return name.String, nil
}

// nameOr is the database name for a message, or placeholder when it cannot
// be learnt.
func (d *Database) nameOr(ctx context.Context, placeholder string) string {
	if name, err := d.database(ctx, d.db); err == nil {
		return name
	}
	return placeholder
}

// serverInfo is which server a database runs on.
type serverInfo struct {
	mariadb bool
	// version is major*10000 + minor*100 + patch of the server's own
	// numbering.
	version int
}

// serverInfo asks the server once which it is.
func (d *Database) serverInfo(ctx context.Context, q dialect.Querier) (serverInfo, error) {
	d.mu.Lock()
	known := d.server
	d.mu.Unlock()
	if known != nil {
		return *known, nil
	}
	var v string
	if err := q.QueryRowContext(ctx, `SELECT VERSION()`).Scan(&v); err != nil {
		return serverInfo{}, fmt.Errorf("ask the server version: %w", err)
	}
	info := serverInfo{mariadb: strings.Contains(strings.ToLower(v), "mariadb"), version: parseVersion(v)}
	d.mu.Lock()
	d.server = &info
	d.mu.Unlock()
	return info, nil
}

// Capabilities implements dialect.Database. Every DDL statement commits
// implicitly, so a migration cannot be rolled back as a whole.
func (d *Database) Capabilities() dialect.Capabilities {
	return dialect.Capabilities{TransactionalDDL: false}
}

// Split implements dialect.Database.
func (d *Database) Split(src string) ([]sqlsplit.Statement, error) {
	return sqlsplit.Split(sqlsplit.MySQL, src)
}

// History implements dialect.Database.
func (d *Database) History() dialect.History { return d.history }

// DescribeError implements dialect.Database. Code is the server's error
// number; the SQLSTATE goes to Detail unless it is the catch-all HY000.
// MySQL locates a syntax error by a line of the statement ("… near 'x' at
// line 3") rather than by a character offset, so Position stays 0 and the
// line is in the message.
func (d *Database) DescribeError(err error) *dialect.ServerError {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return nil
	}
	se := &dialect.ServerError{
		Code:      strconv.Itoa(int(me.Number)),
		CodeLabel: "error",
		Message:   d.redact(me.Message),
	}
	if state := string(me.SQLState[:]); me.SQLState != [5]byte{} && state != "HY000" {
		se.Detail = "SQLSTATE " + state
	}
	// Syntax errors end with "at line N", N counted within the statement.
	if m := errorLine.FindStringSubmatch(me.Message); m != nil {
		se.Line, _ = strconv.Atoi(m[1])
	}
	se.Rejected = me.Number == 1064 // ER_PARSE_ERROR: the statement never ran
	return se
}

var errorLine = regexp.MustCompile(`at line (\d+)$`)

// Close implements dialect.Database. A wrapped application pool stays open.
func (d *Database) Close() error {
	if !d.owned {
		return nil
	}
	return d.db.Close()
}

var _ dialect.Database = (*Database)(nil)
