package guard_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/schemagate/schemagate/dialect/postgres"
	"github.com/schemagate/schemagate/guard"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

// bigGuard returns a guard for a release whose snapshot is the 1,000-table
// schema of the introspection benchmarks, on a database that has it.
func bigGuard(b *testing.B) *guard.Guard {
	b.Helper()
	ctx := context.Background()
	db, err := sql.Open("pgx", testdb.Postgres(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := testdb.CreateBigSchema(ctx, db, 1000); err != nil {
		b.Fatal(err)
	}
	s, err := postgres.Inspect(ctx, db, "public")
	if err != nil {
		b.Fatal(err)
	}
	g, err := guard.New(db, guard.WithSnapshot(schema.EncodeSnapshot(s)), guard.WithRelease("big", "1"))
	if err != nil {
		b.Fatal(err)
	}
	if err := g.Check(ctx); err != nil {
		b.Fatal(err)
	}
	return g
}

// BenchmarkCheck1000 is the full check a service runs at start-up: read the
// live schema of 1,000 tables and judge it against the snapshot.
func BenchmarkCheck1000(b *testing.B) {
	g := bigGuard(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := g.Check(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRecheckUnchanged1000 is the periodic re-check when nothing
// changed: one query for the schema token.
func BenchmarkRecheckUnchanged1000(b *testing.B) {
	g := bigGuard(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := g.Recheck(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
