package mysql

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/schemagate/schemagate/dialect"
)

// errLockWaitTimeout is ER_LOCK_WAIT_TIMEOUT, "Lock wait timeout exceeded;
// try restarting transaction": what a statement returns when it gives up
// waiting for a metadata lock (lock_wait_timeout) or for a row lock
// (innodb_lock_wait_timeout), on MySQL and MariaDB alike.
const errLockWaitTimeout = 1205

// SetLockTimeout implements dialect.LockTimeouter with the session's
// lock_wait_timeout, which bounds every metadata-lock wait of the
// following statements. While a DDL statement waits for its exclusive
// metadata lock, every later query on the table waits behind it, so this
// is the wait that blocks the application. The variable counts whole
// seconds: timeout is rounded up, to at least 1 s, MySQL's minimum. DDL
// commits implicitly, so the runner never sets it inside a transaction;
// inTx changes nothing.
func (d *Database) SetLockTimeout(ctx context.Context, q dialect.Querier, timeout time.Duration, inTx bool) error {
	secs := max(int64(math.Ceil(timeout.Seconds())), 1)
	_, err := q.ExecContext(ctx, fmt.Sprintf("SET SESSION lock_wait_timeout = %d", secs))
	return err
}

// ResetLockTimeout implements dialect.LockTimeouter: back to the server's
// global value.
func (d *Database) ResetLockTimeout(ctx context.Context, q dialect.Querier) error {
	_, err := q.ExecContext(ctx, "SET SESSION lock_wait_timeout = DEFAULT")
	return err
}

// IsLockTimeout implements dialect.LockTimeouter: error 1205. A statement
// that fails with it took no effect (a DDL statement had not started, a
// row change is rolled back), so the runner may run it again.
func (d *Database) IsLockTimeout(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me) && me.Number == errLockWaitTimeout
}

var _ dialect.LockTimeouter = (*Database)(nil)
