package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"

	atlas "ariga.io/atlas/sql/postgres"
	atlasschema "ariga.io/atlas/sql/schema"

	"github.com/schemagate/schemagate/dialect/postgres"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

func postgresEngine() engine {
	return engine{
		defaultURL:     envOr("SCHEMAGATE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		open:           func(url string) (*sql.DB, error) { return sql.Open("pgx", url) },
		createDatabase: createPostgresDatabase,
		createSchema:   testdb.CreateBigSchema,
		inspect: func(ctx context.Context, db *sql.DB, _ string) (*schema.Schema, error) {
			return postgres.Inspect(ctx, db, "public")
		},
		atlas: func(db *sql.DB) (atlasschema.Inspector, error) {
			drv, err := atlas.Open(db)
			if err != nil {
				return nil, err
			}
			return drv, nil
		},
		atlasSchema: func(string) string { return "public" },
	}
}

// createPostgresDatabase creates a database with a random name on the
// server and returns its URL, its name and a function that drops it.
func createPostgresDatabase(ctx context.Context, serverURL string) (string, string, func(), error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "sgt_bench_inspect_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", "", nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
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
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			fmt.Fprintf(os.Stderr, "drop database %s: %v\n", name, err)
		}
	}
	return u.String(), name, drop, nil
}
