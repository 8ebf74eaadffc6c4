package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/schemagate/schemagate/dialect/postgres"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

// BenchmarkInspect1000 measures a full snapshot (Inspect and
// EncodeSnapshot) of the 1,000-table schema that the comparison with Atlas
// in bench/inspect uses.
func BenchmarkInspect1000(b *testing.B) {
	ctx := context.Background()
	db, err := sql.Open("pgx", testdb.Postgres(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := testdb.CreateBigSchema(ctx, db, 1000); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s, err := postgres.Inspect(ctx, db, "public")
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Tables) != 1000 {
			b.Fatalf("inspected %d tables, want 1000", len(s.Tables))
		}
		_ = schema.EncodeSnapshot(s)
	}
}
