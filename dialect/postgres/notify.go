package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/schemagate/schemagate/dialect"
)

// appliedChannel is the LISTEN/NOTIFY channel on which a runner announces
// that it applied migrations, so that a waiting `verify --wait` re-checks at
// once instead of at its next poll.
const appliedChannel = "schemagate_applied"

// NotifyApplied implements dialect.Notifier.
func (d *Database) NotifyApplied(ctx context.Context) error {
	if _, err := d.db.ExecContext(ctx, `SELECT pg_notify($1, '')`, appliedChannel); err != nil {
		return fmt.Errorf("notify %s: %w", appliedChannel, err)
	}
	return nil
}

// ListenApplied implements dialect.Notifier. The listener has a connection
// of its own, outside the pool.
func (d *Database) ListenApplied(ctx context.Context) (dialect.Listener, error) {
	if d.cfg == nil {
		return nil, fmt.Errorf("listen for applied migrations: not available on an application pool")
	}
	conn, err := pgx.ConnectConfig(ctx, d.cfg.Copy())
	if err != nil {
		return nil, fmt.Errorf("listen for applied migrations: %s", d.redact(err.Error()))
	}
	if _, err := conn.Exec(ctx, "LISTEN "+appliedChannel); err != nil {
		conn.Close(context.Background())
		return nil, fmt.Errorf("listen for applied migrations: %w", err)
	}
	return &listener{conn: conn}, nil
}

type listener struct{ conn *pgx.Conn }

func (l *listener) Wait(ctx context.Context) error {
	_, err := l.conn.WaitForNotification(ctx)
	return err
}

func (l *listener) Close() error { return l.conn.Close(context.Background()) }

var _ dialect.Notifier = (*Database)(nil)
