package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
)

// lockKey is the advisory lock key for migrations: the first 8 bytes of
// SHA-256("schemagate migrations"). Advisory locks are scoped to one
// database, so one key serves every database on a server; the key for a
// non-default schema is offset by a hash of its name so that two schemas
// migrate independently.
const lockKey int64 = 0x5c4e_6a7e_2b1d_0913

// lockPoll is how often a waiting runner retries; sub-second, so a waiter
// starts within a fraction of a second of the holder finishing.
const lockPoll = 100 * time.Millisecond

type advisoryLock struct {
	conn *sql.Conn
	key  int64
	held bool
}

func (d *Database) lockKey() int64 {
	if d.schema == "public" {
		return lockKey
	}
	h := fnv.New64a()
	h.Write([]byte(d.schema))
	return lockKey ^ int64(h.Sum64()>>1)
}

// Lock implements dialect.Database. The lock is taken on conn; run the
// migrations on the same connection so that losing it loses the lock too.
func (d *Database) Lock(ctx context.Context, conn *sql.Conn, timeout time.Duration) (dialect.Lock, error) {
	key := d.lockKey()
	deadline := time.Now().Add(timeout)
	// Have the server notice within a second when this process dies in the
	// middle of a long statement, so the statement is cancelled and the
	// lock released at once instead of when the statement ends. The
	// setting exists from PostgreSQL 14; older servers just lack the bonus.
	_, _ = conn.ExecContext(ctx, `SET client_connection_check_interval = 1000`)
	for {
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
		if got {
			return &advisoryLock{conn: conn, key: key, held: true}, nil
		}
		if time.Now().After(deadline) {
			return nil, schemagate.Errorf(schemagate.KindTimeout, "lock_timeout",
				"gave up waiting for the migration lock after %s; it is held by %s", timeout, d.lockHolder(ctx, key)).
				WithHint("another schemagate run is applying migrations; wait for it, or raise --lock-timeout")
		}
		wait := lockPoll + time.Duration(rand.Int64N(int64(lockPoll/2)))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// lockHolder describes the session holding the lock, for the timeout message.
func (d *Database) lockHolder(ctx context.Context, key int64) string {
	var pid int
	var app, addr, since string
	err := d.db.QueryRowContext(ctx, `
		SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local'),
		       coalesce(to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '')
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted
		  AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid AND l.objsubid = 1
		  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		LIMIT 1`, int64(uint64(key)>>32), int64(uint32(key))).Scan(&pid, &app, &addr, &since)
	if err != nil {
		return "another session"
	}
	return fmt.Sprintf("server process %d (%s from %s, connected %s)", pid, app, addr, since)
}

func (l *advisoryLock) Release(ctx context.Context) error {
	if !l.held {
		return nil
	}
	l.held = false
	if _, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key); err != nil {
		// Closing the session releases the lock anyway.
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}

var _ dialect.Database = (*Database)(nil)
