// Package dialect is the boundary between schemagate and a database engine.
//
// Each engine (postgres, sqlite, mysql) is a sub-package that implements
// Database and registers an Opener for its URL schemes in init, the way
// database/sql drivers do. The runner, the schema model and the guard speak
// only to these interfaces; what an engine can or cannot do is stated by its
// Capabilities and by the optional interfaces below, never by comparing
// engine names.
package dialect

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/schema"
	"github.com/schemagate/schemagate/sqlsplit"
)

// HistoryTable is the table in the target database that records applied
// migrations. It and every other table whose name starts with "schemagate_"
// belong to schemagate and are never part of the user's schema model.
const HistoryTable = "schemagate_migrations"

// Querier is satisfied by *sql.DB, *sql.Conn and *sql.Tx.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Capabilities state what an engine can do, so the runner can choose how to
// run a migration without knowing which engine it talks to.
type Capabilities struct {
	// TransactionalDDL is true when DDL statements roll back with their
	// transaction (PostgreSQL, SQLite); false when each one commits
	// implicitly (MySQL, MariaDB).
	TransactionalDDL bool
}

// Database is one connected target database.
//
// Implementations are safe for concurrent use, except that a Lock must be
// released by the goroutine that took it.
type Database interface {
	// Dialect names the engine: "postgres", "sqlite" or "mysql".
	Dialect() string
	// Target is the database's URL with every credential redacted; it is
	// the only form of the URL that may be printed or logged.
	Target() string
	// DB is the connection pool.
	DB() *sql.DB
	Capabilities() Capabilities
	// Split splits a migration file into statements by this engine's
	// lexical rules.
	Split(src string) ([]sqlsplit.Statement, error)

	// Lock takes the database-wide migration lock on conn, waiting at most
	// timeout. It returns a *schemagate.Error of KindTimeout when the wait
	// runs out. The lock dies with the process: a runner killed while
	// holding it never leaves it held. Run the migrations on the same conn,
	// so that a lost connection loses the lock and the work together.
	Lock(ctx context.Context, conn *sql.Conn, timeout time.Duration) (Lock, error)

	// History is the store of applied migrations.
	History() History

	// DescribeError extracts what the server said from an error a
	// statement returned, for messages that quote the database. It returns
	// nil when err did not come from the server.
	DescribeError(err error) *ServerError

	Close() error
}

// Lock is a held migration lock.
type Lock interface {
	// Release gives the lock up. It is safe to call more than once.
	Release(ctx context.Context) error
}

// Notifier is implemented by engines that can wake waiting processes when
// migrations were applied (PostgreSQL LISTEN/NOTIFY). Without it, waiters
// poll.
type Notifier interface {
	// NotifyApplied tells every listener that the history changed.
	NotifyApplied(ctx context.Context) error
	// ListenApplied starts listening for NotifyApplied.
	ListenApplied(ctx context.Context) (Listener, error)
}

// Listener receives notifications that migrations were applied.
type Listener interface {
	// Wait blocks until a notification arrives or ctx ends.
	Wait(ctx context.Context) error
	// Close stops listening.
	Close() error
}

// Inspector is implemented by engines that can read their live schema into
// the schema model. Every engine schemagate ships implements it; it is a
// separate interface so that an engine can be brought up runner-first.
type Inspector interface {
	// Inspect reads the schema schemagate works in, without schemagate's
	// own tables. q may be the pool, a connection or a transaction (to see
	// the schema as that transaction does).
	Inspect(ctx context.Context, q Querier) (*schema.Schema, error)
}

// Inspect reads db's live schema, or fails with a clear error for an
// engine that cannot.
func Inspect(ctx context.Context, db Database, q Querier) (*schema.Schema, error) {
	in, ok := db.(Inspector)
	if !ok {
		return nil, schemagate.Errorf(schemagate.KindUsage, "inspect_unsupported",
			"schemagate cannot read %s schemas yet", db.Dialect())
	}
	if q == nil {
		q = db.DB()
	}
	s, err := in.Inspect(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read the live schema of %s: %w", db.Target(), err)
	}
	return s, nil
}

// LockTimeouter is implemented by engines whose DDL can wait in a lock
// queue, where it blocks every later query on the table. The runner bounds
// that wait and retries, so a migration never blocks the application for
// longer than the timeout.
type LockTimeouter interface {
	// SetLockTimeout bounds how long each following statement may wait
	// for a lock: until the transaction ends when inTx, else until
	// ResetLockTimeout.
	SetLockTimeout(ctx context.Context, q Querier, d time.Duration, inTx bool) error
	ResetLockTimeout(ctx context.Context, q Querier) error
	// IsLockTimeout reports whether err is a statement giving up on a lock.
	IsLockTimeout(err error) bool
}

// Pipeliner is implemented by engines that can send a whole transactional
// migration to the server at once: BEGIN, its statements, the insert of
// its history row, and COMMIT, in one round trip instead of one per
// statement.
type Pipeliner interface {
	// ApplyPipelined runs stmts and records rec in one transaction. On
	// failure the transaction is rolled back and failed is the index of
	// the statement that failed, or -1 when something else did.
	ApplyPipelined(ctx context.Context, conn *sql.Conn, stmts []string, rec Record) (failed int, err error)
}
