package mysql

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
)

// lockPoll is how often a waiting runner retries; sub-second, so a waiter
// starts within a fraction of a second of the holder finishing.
const lockPoll = 100 * time.Millisecond

// maxLockName is the longest user-lock name MySQL accepts (in characters;
// longer names are an error from MySQL 5.7 on).
const maxLockName = 64

// LockName is the name of the migration lock for the database named
// database. User locks are server-wide, so the name carries the database
// name: two databases on one server migrate independently. A name that
// would be too long keeps a readable prefix and ends in a hash of the whole
// database name.
func LockName(database string) string {
	const prefix = "schemagate:"
	name := prefix + database
	if len(name) <= maxLockName {
		return name
	}
	sum := sha256.Sum256([]byte(database))
	tag := hex.EncodeToString(sum[:12])
	keep := maxLockName - len(prefix) - 1 - len(tag)
	head := database[:keep]
	for !utf8.ValidString(head) {
		// Cut at a rune boundary so the name stays valid UTF-8.
		head = head[:len(head)-1]
	}
	return prefix + head + "~" + tag
}

type userLock struct {
	conn *sql.Conn
	name string
	held bool
}

// Lock implements dialect.Database. The lock is a user lock taken with
// GET_LOCK(name, 0) on conn: it never waits inside the server (a waiter in
// the server cannot be told apart from a stuck statement, and cannot give
// up on its own schedule), and it is released by the server the moment conn
// ends. Run the migrations on the same connection so that losing it loses
// the lock too.
func (d *Database) Lock(ctx context.Context, conn *sql.Conn, timeout time.Duration) (dialect.Lock, error) {
	database, err := d.database(ctx, conn)
	if err != nil {
		return nil, err
	}
	name := LockName(database)
	deadline := time.Now().Add(timeout)
	for {
		var got sql.NullInt64
		if err := conn.QueryRowContext(ctx, `SELECT GET_LOCK(?, 0)`, name).Scan(&got); err != nil {
			return nil, d.lockError(ctx, err)
		}
		if !got.Valid {
			return nil, schemagate.Errorf(schemagate.KindError, "lock_failed",
				"take migration lock %q: GET_LOCK returned NULL (the server could not take it)", name)
		}
		if got.Int64 == 1 {
			return &userLock{conn: conn, name: name, held: true}, nil
		}
		if time.Now().After(deadline) {
			return nil, schemagate.Errorf(schemagate.KindTimeout, "lock_timeout",
				"gave up waiting for the migration lock after %s; it is held by %s", timeout, d.lockHolder(ctx, name)).
				WithHint("another schemagate run is applying migrations; wait for it, or raise --lock-timeout; " +
					"if that connection belongs to a process that no longer exists, end it with KILL and its ID")
		}
		wait := lockPoll + time.Duration(rand.Int64N(int64(lockPoll/2)))
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// lockError explains why GET_LOCK failed. It needs no privilege on stock
// servers, but some setups restrict it (Galera clusters in strict mode,
// managed services), and a message that names the function tells the
// operator where to look.
func (d *Database) lockError(ctx context.Context, err error) error {
	var me *mysql.MySQLError
	if errors.As(err, &me) && isPrivilegeError(me.Number) {
		return schemagate.Errorf(schemagate.KindError, "insufficient_privilege",
			"take migration lock: the server refused GET_LOCK: %s", d.redact(err.Error())).
			WithHint("schemagate serialises runners with GET_LOCK; allow account %s to call it "+
				"(it needs no privilege on a stock server, so look for a proxy or cluster setting that forbids user locks)",
				d.account(ctx, me.Message))
	}
	return fmt.Errorf("take migration lock: %w", err)
}

// lockHolder describes the connection holding the lock, for the timeout
// message. Without the PROCESS privilege the server shows only the
// account's own connections, so the description may be just the ID.
func (d *Database) lockHolder(ctx context.Context, name string) string {
	var id sql.NullInt64
	if err := d.db.QueryRowContext(ctx, `SELECT IS_USED_LOCK(?)`, name).Scan(&id); err != nil || !id.Valid {
		return "another connection"
	}
	var (
		user, host, command, state, info string
		secs                             int64
	)
	err := d.db.QueryRowContext(ctx, `
		SELECT USER, HOST, COMMAND, TIME, COALESCE(STATE, ''), COALESCE(LEFT(INFO, 200), '')
		FROM information_schema.PROCESSLIST WHERE ID = ?`, id.Int64).
		Scan(&user, &host, &command, &secs, &state, &info)
	if err != nil {
		return fmt.Sprintf("server connection %d (its details need the PROCESS privilege)", id.Int64)
	}
	s := fmt.Sprintf("server connection %d (%s from %s, %s for %ds", id.Int64, user, host, strings.ToLower(command), secs)
	if state != "" {
		s += ", " + state
	}
	s += ")"
	if info != "" {
		line, _, more := strings.Cut(info, "\n")
		if more || len(info) == 200 {
			line += " …"
		}
		s += " running: " + d.redact(line)
	}
	return s
}

func (l *userLock) Release(ctx context.Context) error {
	if !l.held {
		return nil
	}
	l.held = false
	var released sql.NullInt64
	err := l.conn.QueryRowContext(ctx, `SELECT RELEASE_LOCK(?)`, l.name).Scan(&released)
	if err == nil && released.Int64 == 1 {
		return nil
	}
	// The lock must not outlive the run on a connection that goes back to
	// the pool: discard the connection, which makes the server drop every
	// lock it holds.
	_ = l.conn.Raw(func(any) error { return driver.ErrBadConn })
	if err != nil {
		return fmt.Errorf("release migration lock: %w", err)
	}
	return fmt.Errorf("release migration lock %q: this connection no longer held it", l.name)
}
