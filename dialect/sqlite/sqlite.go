// Package sqlite implements the SQLite dialect through the pure-Go driver
// modernc.org/sqlite, so the binary needs no C toolchain.
//
// URLs are sqlite://relative/path.db, sqlite:///absolute/path.db or
// sqlite://:memory:. Query parameters are passed to the driver (for example
// _pragma=journal_mode(wal)). Foreign keys are enforced and every
// transaction starts with BEGIN IMMEDIATE, so a writer takes the database's
// write lock up front instead of failing half-way.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/schema"
	"github.com/schemagate/schemagate/sqlsplit"
)

func init() {
	dialect.Register(Open, "sqlite", "sqlite3")
	dialect.RegisterPool("sqlite", func(db *sql.DB, opts dialect.Options) dialect.Database {
		return newDatabase(db, "sqlite (application pool)", "sqlite (application pool)")
	})
}

// busyTimeoutMS is how long a statement waits for another connection's
// write lock before failing with SQLITE_BUSY.
const busyTimeoutMS = 10000

// Database is an open SQLite database.
type Database struct {
	db       *sql.DB
	owned    bool // Close closes db only when Open opened it
	path     string
	target   string
	history  *dialect.SQLHistory
	registry *dialect.SQLRegistry
}

// Open opens the SQLite database rawURL names. Unless opts.Create is set,
// the file must exist.
func Open(ctx context.Context, rawURL string, opts dialect.Options) (dialect.Database, error) {
	target := dialect.Redact(rawURL)
	rest := rawURL[strings.Index(rawURL, "://")+3:]
	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		return nil, schemagate.Errorf(schemagate.KindUsage, "url_invalid",
			"invalid SQLite URL %s: no file path", target).
			WithHint("write it as sqlite://path/to/file.db (relative), sqlite:///abs/path.db or sqlite://:memory:")
	}
	memory := path == ":memory:"
	if !memory && !opts.Create {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			return nil, schemagate.Errorf(schemagate.KindUsage, "database_missing",
				"SQLite database %s does not exist", path).
				WithHint("check the path in the URL; `schemagate apply` creates the file when it runs the first migration")
		}
	}
	params := []string{fmt.Sprintf("_pragma=busy_timeout(%d)", busyTimeoutMS), "_pragma=foreign_keys(1)", "_txlock=immediate"}
	if query != "" {
		params = append(params, query)
	}
	dsn := "file:" + path + "?" + strings.Join(params, "&")
	if memory {
		dsn = "file::memory:?" + strings.Join(params, "&")
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "url_invalid", "invalid SQLite URL %s: %v", target, err)
	}
	if memory {
		// Every connection to :memory: is a database of its own.
		db.SetMaxOpenConns(1)
	}
	d := newDatabase(db, path, target)
	d.owned = true
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, schemagate.Errorf(schemagate.KindError, "unreachable", "open SQLite database %s: %v", path, err).
			WithHint("check that the path names a SQLite file this user can read")
	}
	return d, nil
}

func newDatabase(db *sql.DB, path, target string) *Database {
	d := &Database{db: db, path: path, target: target}
	placeholder := func(int) string { return "?" }
	d.history = &dialect.SQLHistory{
		CreateTable: createHistory,
		TableExists: func(ctx context.Context, q dialect.Querier) (bool, error) {
			return tableExists(ctx, q, dialect.HistoryTable)
		},
		Placeholder: placeholder,
		TimeValue:   timeText,
	}
	d.registry = &dialect.SQLRegistry{
		CreateInstances: createInstances,
		CreateReleases:  createReleases,
		Placeholder:     placeholder,
		TimeValue:       timeText,
		TableExists:     tableExists,
	}
	return d
}

// timeText stores times as fixed-width UTC text, which sorts like the
// times it holds.
func timeText(t time.Time) any { return t.UTC().Format("2006-01-02T15:04:05.000000000Z") }

const createInstances = `CREATE TABLE IF NOT EXISTS ` + dialect.InstancesTable + ` (
	instance_id  TEXT PRIMARY KEY,
	app          TEXT NOT NULL,
	release_name TEXT NOT NULL,
	fingerprint  TEXT NOT NULL,
	host         TEXT NOT NULL,
	started_at   TEXT NOT NULL,
	last_seen    TEXT NOT NULL
)`

const createReleases = `CREATE TABLE IF NOT EXISTS ` + dialect.ReleasesTable + ` (
	fingerprint  TEXT PRIMARY KEY,
	app          TEXT NOT NULL,
	release_name TEXT NOT NULL,
	snapshot     TEXT NOT NULL,
	first_seen   TEXT NOT NULL,
	last_seen    TEXT NOT NULL
)`

const createHistory = `CREATE TABLE IF NOT EXISTS ` + dialect.HistoryTable + ` (
	version          INTEGER PRIMARY KEY,
	name             TEXT NOT NULL,
	checksum         TEXT NOT NULL,
	state            TEXT NOT NULL CHECK (state IN ('applied', 'in_progress', 'partial')),
	started_at       TEXT NOT NULL,
	finished_at      TEXT,
	execution_ms     INTEGER NOT NULL DEFAULT 0,
	applied_by       TEXT NOT NULL,
	statements_done  INTEGER NOT NULL DEFAULT 0,
	statements_total INTEGER NOT NULL DEFAULT 0,
	fingerprint      TEXT NOT NULL DEFAULT ''
)`

func tableExists(ctx context.Context, q dialect.Querier, name string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0, err
}

// Dialect implements dialect.Database.
func (d *Database) Dialect() string { return "sqlite" }

// Target implements dialect.Database.
func (d *Database) Target() string { return d.target }

// DB implements dialect.Database.
func (d *Database) DB() *sql.DB { return d.db }

// Capabilities implements dialect.Database.
func (d *Database) Capabilities() dialect.Capabilities {
	return dialect.Capabilities{TransactionalDDL: true}
}

// Split implements dialect.Database.
func (d *Database) Split(src string) ([]sqlsplit.Statement, error) {
	return sqlsplit.Split(sqlsplit.SQLite, src)
}

// History implements dialect.Database.
func (d *Database) History() dialect.History { return d.history }

// Registry implements dialect.Registrar.
func (d *Database) Registry() *dialect.SQLRegistry { return d.registry }

// SchemaToken implements dialect.ChangeTokener: SQLite increments its
// schema version on every schema change.
func (d *Database) SchemaToken(ctx context.Context, q dialect.Querier) (string, error) {
	var v int64
	err := q.QueryRowContext(ctx, `PRAGMA schema_version`).Scan(&v)
	return fmt.Sprint(v), err
}

// DescribeError implements dialect.Database.
func (d *Database) DescribeError(err error) *dialect.ServerError {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	// The driver names codes "Generic error (SQLITE_ERROR)"; keep the
	// symbol, which is what the SQLite documentation indexes.
	code := sqlite.ErrorCodeString[se.Code()]
	if i := strings.LastIndex(code, "("); i >= 0 {
		code = strings.TrimSuffix(code[i+1:], ")")
	}
	if code == "" {
		code = fmt.Sprintf("SQLITE error %d", se.Code())
	}
	msg := se.Error()
	// The driver's text ends with "(CODE)"; keep only the server's words.
	if i := strings.LastIndex(msg, " ("); i > 0 && strings.HasSuffix(msg, ")") {
		msg = msg[:i]
	}
	return &dialect.ServerError{Code: code, Message: msg}
}

// IsReadOnly reports whether err says the database cannot be written.
func IsReadOnly(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_READONLY
}

// Close implements dialect.Database. A wrapped application pool stays open.
func (d *Database) Close() error {
	if !d.owned {
		return nil
	}
	return d.db.Close()
}

var _ dialect.Database = (*Database)(nil)

// Inspect implements dialect.Inspector.
func (d *Database) Inspect(ctx context.Context, q dialect.Querier) (*schema.Schema, error) {
	return Inspect(ctx, q)
}
