// Package postgres implements the PostgreSQL dialect through pgx.
//
// URLs are postgres:// or postgresql:// in libpq form; every libpq parameter
// pgx understands is passed through (sslmode, sslrootcert, …). A connect
// timeout of 10 s applies unless the URL sets connect_timeout.
//
// The migration lock is a session-level advisory lock polled with
// pg_try_advisory_lock, so a waiting runner never sits in the server's lock
// queue (where it would block CREATE INDEX CONCURRENTLY) and the server
// releases the lock when the holder's connection dies.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/schema"
	"github.com/schemagate/schemagate/sqlsplit"
)

func init() {
	dialect.Register(Open, "postgres", "postgresql")
	dialect.RegisterPool("postgres", func(db *sql.DB, opts dialect.Options) dialect.Database {
		return newDatabase(db, nil, "postgres (application pool)", opts.Schema)
	})
}

// defaultConnectTimeout bounds how long connecting may take when the URL
// does not say.
const defaultConnectTimeout = 10 * time.Second

// Database is a connected PostgreSQL database.
type Database struct {
	db       *sql.DB
	owned    bool            // Close closes db only when Open opened it
	cfg      *pgx.ConnConfig // nil for a wrapped pool: no LISTEN then
	target   string
	password string
	schema   string
	history  *dialect.SQLHistory
	registry *dialect.SQLRegistry
}

// Open connects to the PostgreSQL database rawURL names.
func Open(ctx context.Context, rawURL string, opts dialect.Options) (dialect.Database, error) {
	target := dialect.Redact(rawURL)
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "url_invalid",
			"invalid PostgreSQL URL %s: %s", target, dialect.Redact(errorText(err))).
			WithHint("write it as postgres://user:password@host:5432/dbname?sslmode=disable")
	}
	if !strings.Contains(rawURL, "connect_timeout") {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "schemagate"
	}
	if opts.Schema != "" {
		cfg.RuntimeParams["search_path"] = pgx.Identifier{opts.Schema}.Sanitize()
	}
	d := newDatabase(stdlib.OpenDB(*cfg), cfg, target, opts.Schema)
	d.owned = true
	if err := d.db.PingContext(ctx); err != nil {
		d.db.Close()
		return nil, d.connectError(err)
	}
	return d, nil
}

func newDatabase(db *sql.DB, cfg *pgx.ConnConfig, target, schemaName string) *Database {
	if schemaName == "" {
		schemaName = "public"
	}
	d := &Database{db: db, cfg: cfg, target: target, schema: schemaName}
	if cfg != nil {
		d.password = cfg.Password
	}
	placeholder := func(n int) string { return fmt.Sprintf("$%d", n) }
	d.history = &dialect.SQLHistory{
		CreateTable: createHistory,
		TableExists: func(ctx context.Context, q dialect.Querier) (bool, error) {
			return tableExists(ctx, q, dialect.HistoryTable)
		},
		Placeholder: placeholder,
	}
	d.registry = &dialect.SQLRegistry{
		CreateInstances: createInstances,
		CreateReleases:  createReleases,
		Placeholder:     placeholder,
		TableExists:     tableExists,
	}
	return d
}

const createInstances = `CREATE TABLE IF NOT EXISTS ` + dialect.InstancesTable + ` (
	instance_id  text PRIMARY KEY,
	app          text NOT NULL,
	release_name text NOT NULL,
	fingerprint  text NOT NULL,
	host         text NOT NULL,
	started_at   timestamptz NOT NULL,
	last_seen    timestamptz NOT NULL
)`

const createReleases = `CREATE TABLE IF NOT EXISTS ` + dialect.ReleasesTable + ` (
	fingerprint  text PRIMARY KEY,
	app          text NOT NULL,
	release_name text NOT NULL,
	snapshot     text NOT NULL,
	first_seen   timestamptz NOT NULL,
	last_seen    timestamptz NOT NULL
)`

const createHistory = `CREATE TABLE IF NOT EXISTS ` + dialect.HistoryTable + ` (
	version          bigint PRIMARY KEY,
	name             text NOT NULL,
	checksum         text NOT NULL,
	state            text NOT NULL CHECK (state IN ('applied', 'in_progress', 'partial')),
	started_at       timestamptz NOT NULL,
	finished_at      timestamptz,
	execution_ms     bigint NOT NULL DEFAULT 0,
	applied_by       text NOT NULL,
	statements_done  integer NOT NULL DEFAULT 0,
	statements_total integer NOT NULL DEFAULT 0,
	fingerprint      text NOT NULL DEFAULT ''
)`

// tableExists reports whether a table is visible on the search path.
func tableExists(ctx context.Context, q dialect.Querier, name string) (bool, error) {
	var exists bool
	err := q.QueryRowContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, name).Scan(&exists)
	return exists, err
}

// connectError turns a failed connection into an error an operator can act
// on, with the URL redacted.
func (d *Database) connectError(err error) error {
	text := d.redact(errorText(err))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "28P01", "28000":
			return schemagate.Errorf(schemagate.KindError, "auth_failed",
				"cannot log in to %s: %s", d.target, text).
				WithHint("check the user name and password in the URL, and pg_hba.conf on the server")
		case "3D000":
			return schemagate.Errorf(schemagate.KindError, "database_missing",
				"database in %s does not exist: %s", d.target, text).
				WithHint("create it (CREATE DATABASE …) or fix the database name in the URL")
		}
	}
	return schemagate.Errorf(schemagate.KindError, "unreachable",
		"cannot connect to %s: %s", d.target, text).
		WithHint("check that the server runs and that host, port and sslmode in the URL are right")
}

func (d *Database) redact(s string) string { return dialect.RedactSecret(s, d.password) }

func errorText(err error) string { return err.Error() }

// Dialect implements dialect.Database.
func (d *Database) Dialect() string { return "postgres" }

// Target implements dialect.Database.
func (d *Database) Target() string { return d.target }

// DB implements dialect.Database.
func (d *Database) DB() *sql.DB { return d.db }

// Schema is the namespace schemagate works in ("public" unless chosen).
func (d *Database) Schema() string { return d.schema }

// Capabilities implements dialect.Database.
func (d *Database) Capabilities() dialect.Capabilities {
	return dialect.Capabilities{TransactionalDDL: true}
}

// Split implements dialect.Database.
func (d *Database) Split(src string) ([]sqlsplit.Statement, error) {
	return sqlsplit.Split(sqlsplit.Postgres, src)
}

// History implements dialect.Database.
func (d *Database) History() dialect.History { return d.history }

// Registry implements dialect.Registrar.
func (d *Database) Registry() *dialect.SQLRegistry { return d.registry }

// DescribeError implements dialect.Database.
func (d *Database) DescribeError(err error) *dialect.ServerError {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return nil
	}
	return &dialect.ServerError{
		Code:      pgErr.Code,
		CodeLabel: "SQLSTATE",
		Message:   d.redact(pgErr.Message),
		Detail:    d.redact(pgErr.Detail),
		Hint:      d.redact(pgErr.Hint),
		Position:  int(pgErr.Position),
		// A syntax error is found before anything runs.
		Rejected: pgErr.Code == "42601",
	}
}

// Close implements dialect.Database. A wrapped application pool stays open.
func (d *Database) Close() error {
	if !d.owned {
		return nil
	}
	return d.db.Close()
}

// Inspect implements dialect.Inspector for the schema this database works in.
func (d *Database) Inspect(ctx context.Context, q dialect.Querier) (*schema.Schema, error) {
	return Inspect(ctx, q, d.schema)
}
