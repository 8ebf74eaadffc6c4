package mysql

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/schemagate/schemagate/internal/testdb"
)

func TestLockTimeoutRoundsUpToWholeSeconds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := open(t, testdb.MySQL(t))
	c := conn(t, d)
	var global int
	if err := c.QueryRowContext(ctx, "SELECT @@GLOBAL.lock_wait_timeout").Scan(&global); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		timeout time.Duration
		want    int
	}{{100 * time.Millisecond, 1}, {time.Second, 1}, {1500 * time.Millisecond, 2}, {2 * time.Second, 2}, {0, 1}} {
		if err := d.SetLockTimeout(ctx, c, tc.timeout, false); err != nil {
			t.Fatal(err)
		}
		var got int
		if err := c.QueryRowContext(ctx, "SELECT @@SESSION.lock_wait_timeout").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("SetLockTimeout(%s): lock_wait_timeout = %d, want %d", tc.timeout, got, tc.want)
		}
	}
	if err := d.ResetLockTimeout(ctx, c); err != nil {
		t.Fatal(err)
	}
	var got int
	if err := c.QueryRowContext(ctx, "SELECT @@SESSION.lock_wait_timeout").Scan(&got); err != nil || got != global {
		t.Errorf("after ResetLockTimeout: %d, %v; want the global %d", got, err, global)
	}
}

// TestMetadataLockWaitTimesOut holds a table's metadata lock in an open
// transaction, as a long job does, and checks that an ALTER gives up after
// the timeout with the error IsLockTimeout recognises.
func TestMetadataLockWaitTimesOut(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := open(t, testdb.MySQL(t))
	if _, err := d.DB().Exec("CREATE TABLE busy (id INT PRIMARY KEY)"); err != nil {
		t.Fatal(err)
	}
	blocker := conn(t, d)
	if _, err := blocker.ExecContext(ctx, "START TRANSACTION"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := blocker.QueryRowContext(ctx, "SELECT COUNT(*) FROM busy").Scan(&n); err != nil {
		t.Fatal(err)
	}
	c := conn(t, d)
	if err := d.SetLockTimeout(ctx, c, time.Second, false); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := c.ExecContext(ctx, "ALTER TABLE busy ADD COLUMN note VARCHAR(10)")
	waited := time.Since(start)
	if !d.IsLockTimeout(err) {
		t.Fatalf("ALTER behind a metadata lock: %v, not a lock timeout", err)
	}
	if !d.IsLockTimeout(errors.Join(errors.New("apply"), err)) {
		t.Error("a wrapped lock timeout is not recognised")
	}
	if se := d.DescribeError(err); se == nil || se.Code != "1205" {
		t.Errorf("described as %+v", se)
	}
	if waited < 900*time.Millisecond || waited > 10*time.Second {
		t.Errorf("the ALTER gave up after %s with a 1 s timeout", waited)
	}
	t.Logf("the ALTER gave up after %s: %v", waited.Round(time.Millisecond), err)
	if _, err := blocker.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "ALTER TABLE busy ADD COLUMN note VARCHAR(10)"); err != nil {
		t.Fatalf("the ALTER after the transaction ended: %v", err)
	}
	_, err = c.ExecContext(ctx, "ALTER TABLE no_such_table ADD COLUMN x INT")
	if err == nil || d.IsLockTimeout(err) {
		t.Errorf("a missing table is not a lock timeout: %v", err)
	}
}
