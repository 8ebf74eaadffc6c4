// Package testdb gives each test a database of its own on the real servers of
// the development machine and CI, so that tests can run in parallel.
//
// Server URLs come from the environment, with the machine's defaults:
//
//	SCHEMAGATE_TEST_POSTGRES_URL  postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//	SCHEMAGATE_TEST_MYSQL_URL     mysql://root@127.0.0.1:3306/test
//
// When a server does not answer, the test is skipped on a developer's machine
// and fails under CI=true: CI must never pass by silently testing less.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

const (
	defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	defaultMySQL    = "mysql://root@127.0.0.1:3306/test"
)

// PostgresServerURL returns the URL of the test PostgreSQL server's
// maintenance database. Tests that create databases of their own use it.
func PostgresServerURL(t testing.TB) string {
	t.Helper()
	u := envOr("SCHEMAGATE_TEST_POSTGRES_URL", defaultPostgres)
	requireServer(t, "postgres", u, func() error { return pingPostgres(u) })
	return u
}

// Postgres creates an empty database for this test on the test PostgreSQL
// server, drops it when the test ends, and returns its URL.
func Postgres(t testing.TB) string {
	t.Helper()
	server := PostgresServerURL(t)
	name := uniqueName(t)
	admin, err := sql.Open("pgx", server)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", server)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			t.Logf("testdb: drop database %s: %v", name, err)
		}
	})
	return withPath(server, name)
}

// MySQLServerURL returns the mysql:// URL of the test MySQL/MariaDB server.
func MySQLServerURL(t testing.TB) string {
	t.Helper()
	u := envOr("SCHEMAGATE_TEST_MYSQL_URL", defaultMySQL)
	requireServer(t, "mysql", u, func() error { return pingMySQL(u) })
	return u
}

// MySQL creates an empty database for this test on the test MySQL/MariaDB
// server, drops it when the test ends, and returns its mysql:// URL.
func MySQL(t testing.TB) string {
	t.Helper()
	server := MySQLServerURL(t)
	name := uniqueName(t)
	admin, err := openMySQL(server)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatalf("testdb: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		db, err := openMySQL(server)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Logf("testdb: drop database %s: %v", name, err)
		}
	})
	return withPath(server, name)
}

// SQLite returns a sqlite:// URL for a new database file in the test's
// temporary directory.
func SQLite(t testing.TB) string {
	t.Helper()
	return "sqlite://" + filepath.Join(t.TempDir(), "test.db")
}

// OpenMySQL opens a database/sql handle for a mysql:// URL, for tests that
// need to look at a database directly.
func OpenMySQL(rawURL string) (*sql.DB, error) { return openMySQL(rawURL) }

func openMySQL(rawURL string) (*sql.DB, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	cfg := mysql.NewConfig()
	cfg.User = u.User.Username()
	cfg.Passwd, _ = u.User.Password()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	cfg.DBName = strings.TrimPrefix(u.Path, "/")
	cfg.ParseTime = true
	cfg.MultiStatements = true
	return sql.Open("mysql", cfg.FormatDSN())
}

var (
	pingOnce sync.Map // server URL -> *pingResult
)

type pingResult struct {
	once sync.Once
	err  error
}

func requireServer(t testing.TB, kind, u string, ping func() error) {
	t.Helper()
	v, _ := pingOnce.LoadOrStore(u, &pingResult{})
	r := v.(*pingResult)
	r.once.Do(func() { r.err = ping() })
	if r.err == nil {
		return
	}
	msg := kind + " test server is not answering (" + redact(u) + "): " + r.err.Error()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; under CI=true this is a failure, start the server (see README)", msg)
	}
	t.Skip(msg)
}

func pingPostgres(u string) error {
	db, err := sql.Open("pgx", u)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func pingMySQL(u string) error {
	db, err := openMySQL(u)
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

// uniqueName is a database name that is valid on every engine (lower case,
// at most 63 bytes) and unique across parallel test processes.
func uniqueName(t testing.TB) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	base := strings.ToLower(t.Name())
	var sb strings.Builder
	for _, r := range base {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
		} else if sb.Len() > 0 && !strings.HasSuffix(sb.String(), "_") {
			sb.WriteByte('_')
		}
	}
	name := sb.String()
	if len(name) > 40 {
		name = name[:40]
	}
	return "sgt_" + name + "_" + hex.EncodeToString(b[:])
}

func withPath(server, dbname string) string {
	u, err := url.Parse(server)
	if err != nil {
		return server
	}
	u.Path = "/" + dbname
	return u.String()
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
