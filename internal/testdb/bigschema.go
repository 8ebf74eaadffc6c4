package testdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// BigSchemaTableName is the name CreateBigSchema gives table i (1-based).
func BigSchemaTableName(i int) string { return fmt.Sprintf("big_%04d", i) }

// CreateBigSchema creates, in the current schema of the PostgreSQL database
// db, the schema the introspection benchmarks measure: tables tables of 10
// columns each, with a primary key, one secondary index and one foreign key
// to the previous table (the first table refers to itself).
//
// Tables are created in batches, each batch one implicit transaction, so
// that no transaction takes more locks than a default server allows.
func CreateBigSchema(ctx context.Context, db *sql.DB, tables int) error {
	const batch = 50
	var b strings.Builder
	for i := 1; i <= tables; i++ {
		name := BigSchemaTableName(i)
		parent := BigSchemaTableName(max(i-1, 1))
		fmt.Fprintf(&b, `CREATE TABLE %[1]s (
  id bigint PRIMARY KEY,
  parent_id bigint REFERENCES %[2]s (id) ON DELETE CASCADE,
  name text NOT NULL,
  email character varying(255),
  status character varying(32) NOT NULL DEFAULT 'active',
  amount numeric(12,2) NOT NULL DEFAULT 0,
  quantity integer,
  active boolean NOT NULL DEFAULT true,
  payload jsonb,
  created_at timestamp with time zone NOT NULL DEFAULT now()
);
CREATE INDEX %[1]s_created_at_idx ON %[1]s (created_at);
`, name, parent)
		if i%batch == 0 || i == tables {
			if _, err := db.ExecContext(ctx, b.String()); err != nil {
				return fmt.Errorf("create big schema (tables up to %s): %w", name, err)
			}
			b.Reset()
		}
	}
	return nil
}
