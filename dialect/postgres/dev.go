package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
)

func init() {
	dialect.RegisterDev("postgres", openDev, "postgres", "postgresql")
}

// devPrefix starts the name of every throw-away database and namespace, so
// that a leftover (from a dev run killed mid-way) is recognisable.
const devPrefix = "schemagate_dev_"

// openDev implements dialect.DevOpener for PostgreSQL. A URL without a
// database name means "a server where I may create databases": the replay
// gets a database of its own, dropped afterwards. A URL naming a database
// means "an empty database I may use": it must hold no objects, and the
// replay happens in a scratch schema dropped afterwards (the schema model
// leaves namespace names out, so the result is the same as in "public").
func openDev(ctx context.Context, devURL string) (dialect.Database, func(), error) {
	u, err := url.Parse(devURL)
	if err != nil {
		return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_url_invalid",
			"--dev-url %s is not a valid URL", dialect.Redact(devURL))
	}
	name := randomName()
	if strings.Trim(u.Path, "/") == "" {
		return devDatabase(ctx, u, name)
	}
	return devSchema(ctx, devURL, name)
}

func devDatabase(ctx context.Context, server *url.URL, name string) (dialect.Database, func(), error) {
	admin := *server
	admin.Path = "/postgres"
	adminDB, err := openAdmin(ctx, admin.String())
	if err != nil {
		return nil, nil, err
	}
	defer adminDB.Close()
	if _, err := adminDB.ExecContext(ctx, `CREATE DATABASE `+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, nil, schemagate.Errorf(schemagate.KindError, "dev_create_failed",
			"create throw-away database on %s: %v", dialect.Redact(server.String()), err).
			WithHint("the dev user needs the CREATEDB privilege, or pass the URL of an empty database instead")
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if db, err := openAdmin(ctx, admin.String()); err == nil {
			db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`)
			db.Close()
		}
	}
	target := *server
	target.Path = "/" + name
	db, err := Open(ctx, target.String(), dialect.Options{})
	if err != nil {
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}

func devSchema(ctx context.Context, devURL, name string) (dialect.Database, func(), error) {
	adminDB, err := openAdmin(ctx, devURL)
	if err != nil {
		return nil, nil, err
	}
	defer adminDB.Close()
	var objects int
	var example string
	err = adminDB.QueryRowContext(ctx, `
		SELECT count(*), coalesce(min(n.nspname || '.' || c.relname), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
		  AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
		  AND n.nspname NOT LIKE '`+devPrefix+`%'`).Scan(&objects, &example)
	if err != nil {
		return nil, nil, fmt.Errorf("inspect dev database %s: %w", dialect.Redact(devURL), err)
	}
	if objects > 0 {
		return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_not_empty",
			"dev database %s is not empty (%d relations, e.g. %s)", dialect.Redact(devURL), objects, example).
			WithHint("a dev database must be empty: schemagate replays migrations in it. Pass an empty database, or a server URL without a database name")
	}
	if _, err := adminDB.ExecContext(ctx, `CREATE SCHEMA `+pgx.Identifier{name}.Sanitize()); err != nil {
		return nil, nil, schemagate.Errorf(schemagate.KindError, "dev_create_failed",
			"create scratch schema in %s: %v", dialect.Redact(devURL), err).
			WithHint("the dev user needs the CREATE privilege on the dev database")
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if db, err := openAdmin(ctx, devURL); err == nil {
			db.ExecContext(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`)
			db.Close()
		}
	}
	db, err := Open(ctx, devURL, dialect.Options{Schema: name})
	if err != nil {
		drop()
		return nil, nil, err
	}
	return db, func() { db.Close(); drop() }, nil
}

// openAdmin opens a plain connection pool for bookkeeping statements.
func openAdmin(ctx context.Context, rawURL string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "dev_url_invalid",
			"invalid dev URL %s: %s", dialect.Redact(rawURL), dialect.Redact(err.Error()))
	}
	if !strings.Contains(rawURL, "connect_timeout") {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	db := stdlib.OpenDB(*cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, schemagate.Errorf(schemagate.KindError, "unreachable",
			"cannot connect to dev database %s: %s", dialect.Redact(rawURL), dialect.RedactSecret(err.Error(), cfg.Password)).
			WithHint("check that the dev server runs and that the URL is right")
	}
	return db, nil
}

func randomName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return devPrefix + hex.EncodeToString(b[:])
}
