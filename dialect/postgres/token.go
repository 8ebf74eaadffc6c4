package postgres

import (
	"context"

	"github.com/schemagate/schemagate/dialect"
)

// SchemaToken implements dialect.ChangeTokener. The token is, for every
// catalog that describes the schema's objects (relations, columns,
// defaults, constraints, indexes, types, enum labels, view rules), the
// number of rows that belong to the schema and the newest transaction id
// that wrote one of them. Any DDL inserts, deletes or rewrites such a row,
// so it changes the token. Statistics updates (ANALYZE, autovacuum) write
// pg_class in place, keeping the transaction id, so they do not.
func (d *Database) SchemaToken(ctx context.Context, q dialect.Querier) (string, error) {
	var token string
	err := q.QueryRowContext(ctx, schemaTokenQuery, d.schema).Scan(&token)
	return token, err
}

const schemaTokenQuery = `
WITH ns AS (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1),
rel AS MATERIALIZED (SELECT c.oid, c.relkind, c.xmin FROM pg_catalog.pg_class c WHERE c.relnamespace = (SELECT oid FROM ns)),
-- Relations whose columns, defaults, indexes and rules describe the schema.
tab AS MATERIALIZED (SELECT oid FROM rel WHERE relkind IN ('r', 'p', 'v', 'm', 'f'))
SELECT concat_ws('/',
  (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM rel),
  (SELECT count(*) || ':' || coalesce(max(a.xmin::text::bigint), 0)
     FROM pg_catalog.pg_attribute a JOIN tab ON tab.oid = a.attrelid WHERE a.attnum > 0),
  (SELECT count(*) || ':' || coalesce(max(ad.xmin::text::bigint), 0)
     FROM pg_catalog.pg_attrdef ad JOIN tab ON tab.oid = ad.adrelid),
  (SELECT count(*) || ':' || coalesce(max(x.xmin::text::bigint), 0)
     FROM pg_catalog.pg_constraint x WHERE x.connamespace = (SELECT oid FROM ns)),
  (SELECT count(*) || ':' || coalesce(max(i.xmin::text::bigint), 0)
     FROM pg_catalog.pg_index i JOIN tab ON tab.oid = i.indrelid),
  (SELECT count(*) || ':' || coalesce(max(t.xmin::text::bigint), 0)
     FROM pg_catalog.pg_type t WHERE t.typnamespace = (SELECT oid FROM ns)),
  (SELECT count(*) || ':' || coalesce(max(e.xmin::text::bigint), 0)
     FROM pg_catalog.pg_enum e JOIN pg_catalog.pg_type t ON t.oid = e.enumtypid
    WHERE t.typnamespace = (SELECT oid FROM ns)),
  (SELECT count(*) || ':' || coalesce(max(r.xmin::text::bigint), 0)
     FROM pg_catalog.pg_rewrite r JOIN tab ON tab.oid = r.ev_class))`

var _ dialect.ChangeTokener = (*Database)(nil)
