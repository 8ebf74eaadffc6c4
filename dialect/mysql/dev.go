package mysql

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
)

func init() {
	dialect.RegisterDev("mysql", openDev, "mysql", "mariadb")
}

// devPrefix starts the name of every throw-away database, so that a
// leftover (from a dev run killed mid-way) is recognisable.
const devPrefix = "schemagate_dev_"

// openDev implements dialect.DevOpener for MySQL and MariaDB. A URL without
// a database name means "a server where I may create databases": the
// replay gets a database of its own, dropped afterwards. A URL naming a
// database means "an empty database I may use": it must hold no tables,
// views, routines or events, and everything the replay creates in it is
// dropped afterwards (MySQL has no namespace inside a database to confine
// the replay to).
func openDev(ctx context.Context, devURL string) (dialect.Database, func(), error) {
	u, err := url.Parse(devURL)
	if err != nil {
		return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_url_invalid",
			"--dev-url %s is not a valid URL", dialect.Redact(devURL))
	}
	cfg, err := parseURL(devURL)
	if err != nil {
		return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_url_invalid",
			"invalid dev URL %s: %s", dialect.Redact(devURL), dialect.Redact(err.Error()))
	}
	if cfg.DBName == "" {
		return devDatabase(ctx, u, cfg)
	}
	return devEmptyDatabase(ctx, devURL, cfg)
}

func devDatabase(ctx context.Context, server *url.URL, cfg *mysql.Config) (dialect.Database, func(), error) {
	admin, err := openAdmin(ctx, server.String(), cfg)
	if err != nil {
		return nil, nil, err
	}
	defer admin.Close()
	name := randomName()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		return nil, nil, schemagate.Errorf(schemagate.KindError, "dev_create_failed",
			"create throw-away database on %s: %s", dialect.Redact(server.String()), dialect.RedactSecret(err.Error(), cfg.Passwd)).
			WithHint("the dev user needs the CREATE and DROP privileges on the server, or pass the URL of an empty database instead")
	}
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if db, err := openAdmin(ctx, server.String(), cfg); err == nil {
			db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+quoteIdent(name))
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

func devEmptyDatabase(ctx context.Context, devURL string, cfg *mysql.Config) (dialect.Database, func(), error) {
	admin, err := openAdmin(ctx, devURL, cfg)
	if err != nil {
		return nil, nil, err
	}
	defer admin.Close()
	var objects int
	var example string
	err = admin.QueryRowContext(ctx, `
		SELECT COUNT(*), COALESCE(MIN(name), '') FROM (
		  SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?
		  UNION ALL SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
		  UNION ALL SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?
		) AS objects`, cfg.DBName, cfg.DBName, cfg.DBName).Scan(&objects, &example)
	if err != nil {
		return nil, nil, fmt.Errorf("inspect dev database %s: %w", dialect.Redact(devURL), err)
	}
	if objects > 0 {
		return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_not_empty",
			"dev database %s is not empty (%d objects, e.g. %s)", dialect.Redact(devURL), objects, example).
			WithHint("a dev database must be empty: schemagate replays migrations in it. Pass an empty database, or a server URL without a database name")
	}
	db, err := Open(ctx, devURL, dialect.Options{})
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() {
		db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if admin, err := openAdmin(ctx, devURL, cfg); err == nil {
			dropEverything(ctx, admin, cfg.DBName)
			admin.Close()
		}
	}
	return db, cleanup, nil
}

// dropEverything drops every table, view, routine and event of database.
// Triggers go with their tables.
func dropEverything(ctx context.Context, db *sql.DB, database string) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return
	}
	defer conn.Close()
	var drops []string
	rows, err := conn.QueryContext(ctx, `
		SELECT CASE TABLE_TYPE WHEN 'VIEW' THEN 'VIEW' WHEN 'SEQUENCE' THEN 'SEQUENCE' ELSE 'TABLE' END, TABLE_NAME
		FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?
		UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
		UNION ALL SELECT 'EVENT', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?`,
		database, database, database)
	if err != nil {
		return
	}
	for rows.Next() {
		var kind, name string
		if rows.Scan(&kind, &name) == nil {
			drops = append(drops, "DROP "+kind+" IF EXISTS "+quoteIdent(database)+"."+quoteIdent(name))
		}
	}
	rows.Close()
	// Views first, so that no table is held by one; foreign keys are
	// ignored so tables can go in any order.
	_, _ = conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 0")
	for _, first := range []bool{true, false} {
		for _, stmt := range drops {
			if strings.HasPrefix(stmt, "DROP VIEW") == first {
				_, _ = conn.ExecContext(ctx, stmt)
			}
		}
	}
	_, _ = conn.ExecContext(ctx, "SET SESSION foreign_key_checks = 1")
}

// openAdmin opens a connection pool for bookkeeping statements, on the
// database cfg names or on none.
func openAdmin(ctx context.Context, rawURL string, cfg *mysql.Config) (*sql.DB, error) {
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "dev_url_invalid",
			"invalid dev URL %s: %s", dialect.Redact(rawURL), dialect.RedactSecret(err.Error(), cfg.Passwd))
	}
	db := sql.OpenDB(connector)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, schemagate.Errorf(schemagate.KindError, "unreachable",
			"cannot connect to dev database %s: %s", dialect.Redact(rawURL), dialect.RedactSecret(err.Error(), cfg.Passwd)).
			WithHint("check that the dev server runs and that the URL is right")
	}
	return db, nil
}

func randomName() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return devPrefix + hex.EncodeToString(b[:])
}
