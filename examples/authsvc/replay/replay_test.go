package replay_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/schemagate/schemagate/examples/authsvc/replay"
	"github.com/schemagate/schemagate/internal/testdb"
)

// TestReplayPostgres replays the incident on the real PostgreSQL server and
// holds the replay to what issue 4 promises: the guarded deploy fails no
// request out of thousands, the unguarded one fails many, the gate's
// message names the missing migration, and the problem is known within a
// second of release 2's start. The rollback leg (issue 7) rolls back in one
// deploy with no schema change and no failed request.
func TestReplayPostgres(t *testing.T) {
	t.Parallel()
	server := testdb.PostgresServerURL(t)
	var progress bytes.Buffer
	start := time.Now()
	res, err := replay.Run(context.Background(), replay.Config{
		ServerURL:     server,
		RollbackLeg:   true,
		MinRequests:   2000,
		Warmup:        500 * time.Millisecond,
		DiagnoseDelay: time.Second,
		Settle:        300 * time.Millisecond,
		Progress:      &progress,
	})
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, progress.String())
	}
	var table bytes.Buffer
	res.WriteTable(&table)
	t.Logf("replay took %s\n%s\n%s", time.Since(start).Round(time.Millisecond), progress.String(), table.String())

	u, g := res.Unguarded, res.Guarded
	if g.Failed != 0 {
		t.Errorf("guarded run: %d failed requests %v, want 0", g.Failed, g.ByFailure)
	}
	if g.Requests < 2000 {
		t.Errorf("guarded run: %d requests, want at least 2,000", g.Requests)
	}
	if u.Failed == 0 {
		t.Errorf("unguarded run: no failed request out of %d; the replay did not reproduce the outage", u.Requests)
	}
	if g.GateExit != 3 {
		t.Errorf("the gate exited %d, want 3 (behind)", g.GateExit)
	}
	for _, want := range []string{"0003_verify_domains", "tenants.domain_verified"} {
		if !strings.Contains(g.GateMessage, want) {
			t.Errorf("the gate's message does not name %s:\n%s", want, g.GateMessage)
		}
		if !strings.Contains(g.GuardReason, want) {
			t.Errorf("the guard's reason does not name %s: %s", want, g.GuardReason)
		}
	}
	if g.Detect >= time.Second {
		t.Errorf("the gate took %s to detect the missing migration, want under 1s", g.Detect)
	}
	if g.GuardDetect >= time.Second {
		t.Errorf("a release-2 instance's guard took %s after its start to find the schema behind, want under 1s", g.GuardDetect)
	}
	// The guard re-checks every 500 ms, jittered by ±20%; the slack is for
	// a busy machine.
	if limit := 600*time.Millisecond + time.Second; g.Release2Compatible > limit {
		t.Errorf("release 2's guards took %s after the late migration to find the schema compatible, want within one re-check interval (limit %s)", g.Release2Compatible, limit)
	}
	if !g.RollbackNeedsNoSchemaChange {
		t.Error("release 1 does not pass the gate on release 2's schema; the change should be additive")
	}

	rb := res.Rollback
	if rb == nil {
		t.Fatal("no rollback leg")
	}
	if rb.Failed != 0 || rb.Requests == 0 {
		t.Errorf("rollback: %d failed of %d requests %v, want 0 failed", rb.Failed, rb.Requests, rb.ByFailure)
	}
	if rb.Deploys != 1 || rb.SchemaChanges != 0 {
		t.Errorf("rollback took %d deploys and %d schema changes, want 1 and 0", rb.Deploys, rb.SchemaChanges)
	}
	for _, e := range rb.Window {
		if !e.CanRun {
			t.Errorf("compatibility window: release %d cannot run on the live schema: %s", e.Release, e.Reason)
		}
	}
}

// TestReplaySQLite runs the short in-process replay (replay.Quick), which
// needs no server.
func TestReplaySQLite(t *testing.T) {
	t.Parallel()
	var progress bytes.Buffer
	cfg := replay.Quick(t.TempDir())
	cfg.Progress = &progress
	res, err := replay.Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, progress.String())
	}
	g := res.Guarded
	if g.Failed != 0 || g.Requests == 0 {
		t.Errorf("guarded run: %d failed of %d requests %v, want 0 failed\n%s", g.Failed, g.Requests, g.ByFailure, progress.String())
	}
	if res.Unguarded.Failed == 0 {
		t.Errorf("unguarded run: no failed request out of %d", res.Unguarded.Requests)
	}
	if g.GateExit != 3 || !strings.Contains(g.GateMessage, "0003_verify_domains") {
		t.Errorf("the gate: exit %d, %q; want exit 3 naming 0003_verify_domains", g.GateExit, g.GateMessage)
	}
	if rb := res.Rollback; rb == nil || rb.Failed != 0 || rb.SchemaChanges != 0 {
		t.Errorf("rollback leg: %+v, want 0 failed requests and 0 schema changes", rb)
	}
}
