package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"

	atlas "ariga.io/atlas/sql/mysql"
	atlasschema "ariga.io/atlas/sql/schema"

	"github.com/schemagate/schemagate/dialect/mysql"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

// mysqlEngine measures MySQL or MariaDB: schemagate's mysql.Inspect against
// Atlas's sql/mysql driver, which handles both servers. Both read
// information_schema, and on MariaDB each of its tables a query reads opens
// every table of the database (there is no data dictionary to look up), so
// the server's own time for those scans bounds how far apart the two sides
// can be.
func mysqlEngine() engine {
	return engine{
		defaultURL:     envOr("SCHEMAGATE_TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"),
		open:           testdb.OpenMySQL,
		createDatabase: createMySQLDatabase,
		createSchema:   createMySQLBigSchema,
		inspect: func(ctx context.Context, db *sql.DB, name string) (*schema.Schema, error) {
			return mysql.Inspect(ctx, db, name)
		},
		atlas: func(db *sql.DB) (atlasschema.Inspector, error) {
			drv, err := atlas.Open(db)
			if err != nil {
				return nil, err
			}
			return drv, nil
		},
		atlasSchema: func(name string) string { return name },
		describe: func(ctx context.Context, db *sql.DB) (string, error) {
			var version string
			err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version)
			return "server: " + version, err
		},
	}
}

// createMySQLDatabase creates a database with a random name on the server
// and returns its URL, its name and a function that drops it.
func createMySQLDatabase(ctx context.Context, serverURL string) (string, string, func(), error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "sgt_bench_inspect_" + hex.EncodeToString(b[:])
	admin, err := testdb.OpenMySQL(serverURL)
	if err != nil {
		return "", "", nil, err
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		admin.Close()
		return "", "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		admin.Close()
		return "", "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			fmt.Fprintf(os.Stderr, "drop database %s: %v\n", name, err)
		}
	}
	return u.String(), name, drop, nil
}

// createMySQLBigSchema creates the PostgreSQL benchmark's schema in MySQL
// types: tables tables of 10 columns, a primary key, one secondary index
// and one foreign key to the previous table (the first refers to itself).
// testdb.OpenMySQL allows several statements per round trip, so tables go
// 50 at a time.
func createMySQLBigSchema(ctx context.Context, db *sql.DB, tables int) error {
	var sb strings.Builder
	for i := 1; i <= tables; i++ {
		name := testdb.BigSchemaTableName(i)
		parent := testdb.BigSchemaTableName(max(i-1, 1))
		fmt.Fprintf(&sb, `CREATE TABLE %[1]s (
  id bigint PRIMARY KEY,
  parent_id bigint,
  name text NOT NULL,
  email varchar(255),
  status varchar(32) NOT NULL DEFAULT 'active',
  amount decimal(12,2) NOT NULL DEFAULT 0,
  quantity int,
  active boolean NOT NULL DEFAULT true,
  payload json,
  created_at datetime(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  KEY %[1]s_created_at_idx (created_at),
  CONSTRAINT %[1]s_parent_fk FOREIGN KEY (parent_id) REFERENCES %[2]s (id) ON DELETE CASCADE
);
`, name, parent)
		if i%50 == 0 || i == tables {
			if _, err := db.ExecContext(ctx, sb.String()); err != nil {
				return fmt.Errorf("create big schema (tables up to %s): %w", name, err)
			}
			sb.Reset()
		}
	}
	return nil
}
