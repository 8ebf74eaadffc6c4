package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/schemagate/schemagate/dialect"
)

// ApplyPipelined implements dialect.Pipeliner with the extended protocol's
// pipeline: every statement is sent before the first answer is read, and
// the server stops at the first error, skipping the rest up to the Sync.
func (d *Database) ApplyPipelined(ctx context.Context, conn *sql.Conn, stmts []string, rec dialect.Record) (failed int, err error) {
	failed = -1
	params, err := textParams([]any{rec.Version, rec.Name, rec.Checksum, rec.StartedAt, rec.AppliedBy,
		rec.StatementsTotal, rec.Fingerprint})
	if err != nil {
		return -1, err
	}
	err = conn.Raw(func(driverConn any) error {
		pg := driverConn.(*stdlib.Conn).Conn().PgConn()
		batch := &pgconn.Batch{}
		batch.ExecParams("BEGIN", nil, nil, nil, nil)
		for _, s := range stmts {
			batch.ExecParams(s, nil, nil, nil, nil)
		}
		batch.ExecParams(pipelinedInsert, params, nil, nil, nil)
		batch.ExecParams("COMMIT", nil, nil, nil, nil)

		// Every query before the failing one completes; the failing one is
		// the first that does not, whether its error surfaces with its own
		// result or when the batch is closed.
		results := pg.ExecBatch(ctx, batch)
		completed := 0
		var execErr error
		for results.NextResult() {
			if _, err := results.ResultReader().Close(); err != nil {
				execErr = err
				break
			}
			completed++
		}
		if err := results.Close(); err != nil && execErr == nil {
			execErr = err
		}
		if execErr != nil {
			if completed >= 1 && completed <= len(stmts) {
				failed = completed - 1 // batch query 0 is BEGIN
			}
			// The server skipped the rest, COMMIT included; end the
			// failed transaction.
			if !pg.IsClosed() {
				_ = pg.Exec(context.WithoutCancel(ctx), "ROLLBACK").Close()
			}
			return execErr
		}
		return nil
	})
	return failed, err
}

// pipelinedInsert records the migration as applied. The end time and the
// execution time are the server's, taken when the row is written: the
// client cannot know them before it sends the row with the statements.
const pipelinedInsert = `INSERT INTO ` + dialect.HistoryTable + ` (version, name, checksum, state,
	started_at, finished_at, execution_ms, applied_by, statements_done, statements_total, fingerprint)
VALUES ($1, $2, $3, 'applied', $4, clock_timestamp(),
	(extract(epoch FROM clock_timestamp() - $4::timestamptz) * 1000)::bigint, $5, $6, $6, $7)`

// textParams encodes history values in the text format, which the server
// converts to each column's type.
func textParams(args []any) ([][]byte, error) {
	out := make([][]byte, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case nil:
			out[i] = nil
		case string:
			out[i] = []byte(v)
		case int:
			out[i] = strconv.AppendInt(nil, int64(v), 10)
		case int64:
			out[i] = strconv.AppendInt(nil, v, 10)
		case time.Time:
			out[i] = []byte(v.UTC().Format(time.RFC3339Nano))
		default:
			return nil, fmt.Errorf("history value of type %T", a)
		}
	}
	return out, nil
}

var _ dialect.Pipeliner = (*Database)(nil)
