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
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/sqlsplit"
)

func init() {
	dialect.Register(Open, "mysql", "mariadb")
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
	cfg      *mysql.Config
	target   string
	password string
	name     string
	history  *history
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
	d := &Database{
		db:       sql.OpenDB(connector),
		cfg:      cfg,
		target:   target,
		password: cfg.Passwd,
		name:     cfg.DBName,
	}
	d.history = &history{
		SQLHistory: dialect.SQLHistory{
			CreateTable: createHistory,
			TableExists: historyExists,
			Placeholder: func(int) string { return "?" },
		},
		d: d,
	}
	if err := d.db.PingContext(ctx); err != nil {
		d.db.Close()
		return nil, d.connectError(err)
	}
	return d, nil
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
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`, dialect.HistoryTable).Scan(&n)
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

// Ensure implements dialect.History.
func (h *history) Ensure(ctx context.Context, q dialect.Querier) error {
	exists, err := historyExists(ctx, q)
	if err != nil {
		return h.d.privilegeError(ctx, "look for history table "+dialect.HistoryTable, err)
	}
	if exists {
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
			historyPrivileges, dialect.HistoryTable, historyPrivileges, quoteIdent(d.name), d.account(ctx, me.Message))
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

// Name is the database (MySQL's word for a schema) schemagate works in.
func (d *Database) Name() string { return d.name }

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
	return se
}

// Close implements dialect.Database.
func (d *Database) Close() error { return d.db.Close() }

var _ dialect.Database = (*Database)(nil)
