package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
)

// lockTable holds at most one row: the process that holds the migration
// lock. SQLite has no session locks that outlive a transaction, and a
// migration marked no-transaction cannot run inside one, so the lock is a
// row, written under BEGIN IMMEDIATE (the database's write lock). A row left
// by a process that died is taken over: SQLite files are local, so the
// holder's liveness can be checked by its process id on this host.
const lockTable = "schemagate_lock"

const createLock = `CREATE TABLE IF NOT EXISTS ` + lockTable + ` (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	pid         INTEGER NOT NULL,
	host        TEXT NOT NULL,
	acquired_at TEXT NOT NULL
)`

const lockPoll = 50 * time.Millisecond

type rowLock struct {
	conn *sql.Conn
	pid  int
	host string
	held bool
}

// Lock implements dialect.Database.
func (d *Database) Lock(ctx context.Context, conn *sql.Conn, timeout time.Duration) (dialect.Lock, error) {
	host, _ := os.Hostname()
	me := &rowLock{conn: conn, pid: os.Getpid(), host: host}
	deadline := time.Now().Add(timeout)
	for {
		holder, err := me.try(ctx)
		if err != nil {
			if IsReadOnly(err) {
				return nil, schemagate.Errorf(schemagate.KindError, "read_only",
					"take migration lock on %s: the database is read-only: %v", d.path, err).
					WithHint("run as a user that can write the database file and its directory")
			}
			return nil, fmt.Errorf("take migration lock: %w", err)
		}
		if holder == "" {
			return me, nil
		}
		if time.Now().After(deadline) {
			return nil, schemagate.Errorf(schemagate.KindTimeout, "lock_timeout",
				"gave up waiting for the migration lock after %s; it is held by %s", timeout, holder).
				WithHint("another schemagate run is applying migrations; wait for it, or raise --lock-timeout; "+
					"if that process no longer exists on its host, delete the row: DELETE FROM %s", lockTable)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(lockPoll):
		}
	}
}

// try takes the lock if it is free or its holder is dead. It returns a
// description of the live holder when it is not.
func (l *rowLock) try(ctx context.Context) (holder string, err error) {
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		return "", err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, createLock); err != nil {
		return "", err
	}
	var pid int
	var host, since string
	err = tx.QueryRowContext(ctx, `SELECT pid, host, acquired_at FROM `+lockTable+` WHERE id = 1`).Scan(&pid, &host, &since)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return "", err
	case host == l.host && !processAlive(pid):
		// The holder died without releasing the lock; take it over.
	default:
		return fmt.Sprintf("process %d on host %s (since %s)", pid, host, since), nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO `+lockTable+` (id, pid, host, acquired_at) VALUES (1, ?, ?, ?)`,
		l.pid, l.host, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return "", err
	}
	if err := tx.Commit(); err != nil {
		return "", err
	}
	l.held = true
	return "", nil
}

func (l *rowLock) Release(ctx context.Context) error {
	if !l.held {
		return nil
	}
	l.held = false
	if _, err := l.conn.ExecContext(ctx, `DELETE FROM `+lockTable+` WHERE id = 1 AND pid = ? AND host = ?`, l.pid, l.host); err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return nil
}
