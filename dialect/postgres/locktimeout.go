package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/schemagate/schemagate/dialect"
)

// SetLockTimeout implements dialect.LockTimeouter with lock_timeout.
func (d *Database) SetLockTimeout(ctx context.Context, q dialect.Querier, timeout time.Duration, inTx bool) error {
	_, err := q.ExecContext(ctx, `SELECT pg_catalog.set_config('lock_timeout', $1, $2)`,
		fmt.Sprintf("%dms", timeout.Milliseconds()), inTx)
	return err
}

// ResetLockTimeout implements dialect.LockTimeouter.
func (d *Database) ResetLockTimeout(ctx context.Context, q dialect.Querier) error {
	_, err := q.ExecContext(ctx, `RESET lock_timeout`)
	return err
}

// IsLockTimeout implements dialect.LockTimeouter: SQLSTATE 55P03,
// lock_not_available.
func (d *Database) IsLockTimeout(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "55P03"
}

var _ dialect.LockTimeouter = (*Database)(nil)
