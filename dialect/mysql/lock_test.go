package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/internal/testdb"
)

func TestLockName(t *testing.T) {
	if got := LockName("shop"); got != "schemagate:shop" {
		t.Errorf("LockName(shop) = %q", got)
	}
	long := strings.Repeat("x", 64)
	names := map[string]string{}
	for _, db := range []string{
		long,
		long[:63] + "y",
		strings.Repeat("x", 53),
		strings.Repeat("x", 54),
		strings.Repeat("ü", 32),
		strings.Repeat("ü", 31) + "u",
	} {
		n := LockName(db)
		if len(n) > maxLockName || !utf8.ValidString(n) {
			t.Errorf("LockName(%q) = %q: %d bytes or invalid UTF-8", db, n, len(n))
		}
		if n != LockName(db) {
			t.Errorf("LockName(%q) is not deterministic", db)
		}
		if other, ok := names[n]; ok {
			t.Errorf("databases %q and %q share lock %q", db, other, n)
		}
		names[n] = db
	}
}

func TestLockExcludesAndTimesOutNamingTheHolder(t *testing.T) {
	ctx := context.Background()
	d := open(t, testdb.MySQL(t))
	c1, c2 := conn(t, d), conn(t, d)
	var holderID int64
	if err := c1.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&holderID); err != nil {
		t.Fatal(err)
	}
	l1, err := d.Lock(ctx, c1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = d.Lock(ctx, c2, 500*time.Millisecond)
	if schemagate.KindOf(err) != schemagate.KindTimeout || schemagate.ReasonOf(err) != "lock_timeout" {
		t.Fatalf("second lock: want lock_timeout, got %v", err)
	}
	if waited := time.Since(start); waited < 500*time.Millisecond {
		t.Errorf("gave up after %s, before the timeout", waited)
	}
	for _, want := range []string{"held by server connection", "(" + d.cfg.User + " from "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("timeout error lacks %q: %v", want, err)
		}
	}
	if !strings.Contains(err.Error(), "connection "+strconv.FormatInt(holderID, 10)+" ") {
		t.Errorf("timeout error does not name connection %d: %v", holderID, err)
	}

	if err := l1.Release(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l1.Release(ctx); err != nil {
		t.Errorf("second release: %v", err)
	}
	l2, err := d.Lock(ctx, c2, 5*time.Second)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Release(ctx)
}

func TestLockWaitsForTheHolder(t *testing.T) {
	ctx := context.Background()
	d := open(t, testdb.MySQL(t))
	c1, c2 := conn(t, d), conn(t, d)
	l1, err := d.Lock(ctx, c1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		l1.Release(ctx)
	}()
	l2, err := d.Lock(ctx, c2, 30*time.Second)
	if err != nil {
		t.Fatalf("a waiter did not get the lock after the holder released it: %v", err)
	}
	l2.Release(ctx)
}

func TestLockPerDatabase(t *testing.T) {
	ctx := context.Background()
	a, b := open(t, testdb.MySQL(t)), open(t, testdb.MySQL(t))
	la, err := a.Lock(ctx, conn(t, a), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer la.Release(ctx)
	lb, err := b.Lock(ctx, conn(t, b), time.Second)
	if err != nil {
		t.Fatalf("the lock of one database blocked another on the same server: %v", err)
	}
	lb.Release(ctx)
}

func TestLockDiesWithTheConnection(t *testing.T) {
	ctx := context.Background()
	d := open(t, testdb.MySQL(t))
	c1 := conn(t, d)
	if _, err := d.Lock(ctx, c1, time.Second); err != nil {
		t.Fatal(err)
	}
	// Drop the connection the way a crashed process does: the socket
	// closes without RELEASE_LOCK.
	c1.Raw(func(any) error { return driver.ErrBadConn })
	l2, err := d.Lock(ctx, conn(t, d), 10*time.Second)
	if err != nil {
		t.Fatalf("the lock outlived its connection: %v", err)
	}
	l2.Release(ctx)
}

func TestLockReleasedWhenTheServerKillsTheHolder(t *testing.T) {
	ctx := context.Background()
	d := open(t, testdb.MySQL(t))
	c1 := conn(t, d)
	var id int64
	if err := c1.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&id); err != nil {
		t.Fatal(err)
	}
	l1, err := d.Lock(ctx, c1, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.DB().ExecContext(ctx, "KILL ?", id); err != nil {
		t.Fatal(err)
	}
	l2, err := d.Lock(ctx, conn(t, d), 10*time.Second)
	if err != nil {
		t.Fatalf("the lock of a killed connection is still held: %v", err)
	}
	defer l2.Release(ctx)
	// Releasing on the dead connection reports it and does not touch the
	// lock the other connection holds now.
	if err := l1.Release(ctx); err == nil {
		t.Error("release on a killed connection reported success")
	}
	var free sql.NullInt64
	if err := d.DB().QueryRowContext(ctx, "SELECT IS_FREE_LOCK(?)", LockName(d.Name())).Scan(&free); err != nil || free.Int64 != 0 {
		t.Errorf("the new holder lost the lock: free=%v err=%v", free, err)
	}
}

func TestLockNameAcceptedByTheServer(t *testing.T) {
	d := open(t, testdb.MySQL(t))
	name := LockName(strings.Repeat("é", 64))
	c := conn(t, d)
	var got sql.NullInt64
	if err := c.QueryRowContext(context.Background(), "SELECT GET_LOCK(?, 0)", name).Scan(&got); err != nil || got.Int64 != 1 {
		t.Fatalf("GET_LOCK(%q): %v, %v", name, got, err)
	}
	c.ExecContext(context.Background(), "DO RELEASE_LOCK(?)", name)
}
