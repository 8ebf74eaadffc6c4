// Package replay replays the outage schemagate exists for, end to end, with
// the real auth service of this example.
//
// Two regions (EU and US), each with its own database and two instances of
// release 1 behind a router that only sends traffic to ready instances.
// Clients sign in continuously. Then release 2 is deployed, rolling, while
// its migration job silently does not run, twice:
//
//   - unguarded, as in the incident: release 2 becomes ready (the database
//     answers a ping), serves 404 and 401 on the old schema, and people roll
//     back once they have understood why;
//   - guarded: the verify gate stops the pipeline with exit 3 and names the
//     missing migration; and even when the rollout goes ahead, release 2
//     never becomes ready, so release 1 keeps serving and no request fails.
//     When the migration runs late, release 2 becomes ready on its own.
//
// With Config.RollbackLeg, the guarded run goes on: release 2 misbehaves
// for an unrelated reason and is rolled back to release 1 in one deploy
// with no schema change, because the compatibility window says release 1
// runs on the live schema.
//
// Run runs it in process on PostgreSQL (Config.ServerURL) or SQLite
// (Config.SQLiteDir); `authsvc replay` prints its progress and the table.
package replay

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/examples/authsvc/auth"
	"github.com/schemagate/schemagate/examples/authsvc/migrations"
	"github.com/schemagate/schemagate/examples/authsvc/pipeline"
)

// Config tunes a replay. Zero values take the defaults in brackets.
type Config struct {
	// ServerURL is a PostgreSQL server URL (postgres://user@host:5432/):
	// each run creates one database per region there and drops it at the
	// end. When empty, the replay runs on SQLite files in SQLiteDir.
	ServerURL string
	SQLiteDir string
	// ClientsPerRegion is the number of concurrent clients per region [4].
	ClientsPerRegion int
	// RecheckInterval is the guard's re-check interval [500ms]; the
	// guard's production default is 10 s.
	RecheckInterval time.Duration
	// HealthInterval is how often the routers poll /readyz [150ms].
	HealthInterval time.Duration
	// Warmup is how long release 1 serves before the deploy [1s].
	Warmup time.Duration
	// DiagnoseDelay stands for the people of the unguarded run: the time
	// from release 2's start until they have found the cause and start
	// the rollback [2s] (in the incident: 9 minutes).
	DiagnoseDelay time.Duration
	// StallFor is how long the guarded rollout waits for a release-2
	// instance to become ready before it counts as stalled, and the
	// migration job is re-run [1.5s].
	StallFor time.Duration
	// MinRequests makes the guarded rollout stay stalled, past StallFor,
	// until the guarded run has made at least this many requests, so that
	// "no failed request" is measured on enough traffic however busy the
	// machine is (at most a minute more) [0: no minimum].
	MinRequests int
	// Settle is how long the load goes on after each run's last step [500ms].
	Settle time.Duration
	// RollbackLeg adds the rollback of the guarded run (issue 7's leg).
	RollbackLeg bool
	// BcryptCost is the cost of the demo users' password hashes
	// [bcrypt.MinCost].
	BcryptCost int
	// Progress receives a line per step; nil discards them.
	Progress io.Writer
	// Logger receives the instances' and guards' logs; nil discards them.
	Logger *slog.Logger

	id string // names this replay's databases
}

// Quick is the short replay for `schemagate demo`: SQLite files in dir,
// two clients per region, compressed timings and the rollback leg; it
// takes a few seconds. Set Progress to show the steps.
func Quick(dir string) Config {
	return Config{
		SQLiteDir:        dir,
		ClientsPerRegion: 2,
		RecheckInterval:  200 * time.Millisecond,
		HealthInterval:   100 * time.Millisecond,
		Warmup:           300 * time.Millisecond,
		DiagnoseDelay:    700 * time.Millisecond,
		StallFor:         500 * time.Millisecond,
		Settle:           200 * time.Millisecond,
		RollbackLeg:      true,
	}
}

func (c *Config) defaults() error {
	if c.ServerURL == "" && c.SQLiteDir == "" {
		return errors.New("replay: set ServerURL (PostgreSQL) or SQLiteDir (SQLite)")
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.ClientsPerRegion <= 0 {
		c.ClientsPerRegion = 4
	}
	def(&c.RecheckInterval, 500*time.Millisecond)
	def(&c.HealthInterval, 150*time.Millisecond)
	def(&c.Warmup, time.Second)
	def(&c.DiagnoseDelay, 2*time.Second)
	def(&c.StallFor, 1500*time.Millisecond)
	def(&c.Settle, 500*time.Millisecond)
	if c.BcryptCost == 0 {
		c.BcryptCost = bcrypt.MinCost
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	c.id = hex.EncodeToString(b[:])
	return nil
}

// Regions are the regions of the replay, as in the incident.
var Regions = []string{"eu", "us"}

// Result is what a replay measured.
type Result struct {
	Engine    string
	Unguarded Deploy
	Guarded   Deploy
	// Rollback is nil unless Config.RollbackLeg.
	Rollback *Rollback
}

// Deploy is what one deploy of release 2 measured. Durations count from
// release 2's deploy start.
type Deploy struct {
	Name string
	// Requests and Failed count every request the clients made, and those
	// that did not get the right answer: a wrong 401 or 404, any 5xx, a
	// connection error. ByFailure breaks Failed down ("404": 812, …).
	Requests  int
	Failed    int
	ByFailure map[string]int
	// Detect is when the problem was first visible: the first failed
	// request (unguarded), or the gate's verdict (guarded).
	Detect time.Duration
	// Diagnose is when the cause was known: the people's diagnosis
	// (unguarded, Config.DiagnoseDelay), or the gate's verdict, which
	// names the missing migration (guarded).
	Diagnose time.Duration
	// Recover is when requests stopped failing (unguarded); zero for a
	// run in which nothing failed.
	Recover time.Duration

	// Guarded runs only.
	//
	// GateExit and GateMessage are the deploy gate's verdict on release 2
	// before the late migration (schemagate verify's exit code and text).
	GateExit    int
	GateMessage string
	// GuardDetect is how long a release-2 instance took, from building
	// its service, to know through its guard's start-up check that it
	// could not serve; GuardReason is what the guard said.
	GuardDetect time.Duration
	GuardReason string
	// Release2Compatible is how long after the late migration finished
	// the guards of the waiting release-2 instances found the schema
	// compatible (at most one re-check interval, jittered by ±20%), and
	// Release2Ready when the routers sent them traffic (one health poll
	// later).
	Release2Compatible time.Duration
	Release2Ready      time.Duration
	// RollbackNeedsNoSchemaChange is true when, after the migration,
	// release 1 still passes the gate: rolling the application back needs
	// no schema change.
	RollbackNeedsNoSchemaChange bool
}

// Rollback is what issue 7's rollback leg measured.
type Rollback struct {
	// Window says, for each release, whether it can run on the live
	// schema: the compatibility window an on-call engineer reads.
	Window []WindowEntry
	// Deploys and SchemaChanges count what rolling back took.
	Deploys       int
	SchemaChanges int
	// Requests and Failed count the requests from the start of the
	// rollback until the load stopped.
	Requests  int
	Failed    int
	ByFailure map[string]int
	// Duration is how long the rollback deploy took.
	Duration time.Duration
	// SlowMedian and RecoveredMedian are the median request latencies
	// while release 2 misbehaved and after the rollback.
	SlowMedian, RecoveredMedian time.Duration

	start time.Time
}

// WindowEntry is one release of the compatibility window.
type WindowEntry struct {
	Release int
	CanRun  bool
	// Reason says why not, when it cannot.
	Reason string
}

// Run replays the incident: the unguarded run, then the guarded one.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	res := &Result{Engine: "SQLite"}
	if cfg.ServerURL != "" {
		res.Engine = "PostgreSQL"
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)

	fmt.Fprintf(cfg.Progress, "Replaying the incident on %s: %d regions, 2 instances each, %d clients per region.\n",
		res.Engine, len(Regions), cfg.ClientsPerRegion)
	var err error
	res.Unguarded, err = runDeploy(ctx, &runSettings{cfg: cfg, guarded: false, sessionKey: key, log: cfg.Logger}, nil)
	if err != nil {
		return nil, fmt.Errorf("unguarded run: %w", err)
	}
	if cfg.RollbackLeg {
		res.Rollback = &Rollback{}
	}
	res.Guarded, err = runDeploy(ctx, &runSettings{cfg: cfg, guarded: true, sessionKey: key, log: cfg.Logger}, res.Rollback)
	if err != nil {
		return nil, fmt.Errorf("guarded run: %w", err)
	}
	return res, nil
}

func (rs *runSettings) progress(format string, args ...any) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	fmt.Fprintf(rs.cfg.Progress, "  %7s  %s\n", time.Since(rs.t0).Round(10*time.Millisecond), fmt.Sprintf(format, args...))
}

// eachRegion runs f for every region at once and returns their errors.
func eachRegion(regions []*region, f func(rg *region) error) error {
	return eachRegionIndexed(regions, func(_ int, rg *region) error { return f(rg) })
}

// eachRegionIndexed is eachRegion for an f that records results by index.
func eachRegionIndexed(regions []*region, f func(i int, rg *region) error) error {
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, rg := range regions {
		wg.Go(func() { errs[i] = f(i, rg) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// runDeploy sets up both regions on release 1, puts them under load, and
// deploys release 2 without its migration: unguarded or guarded as rs
// says. rollback, when not nil, adds and receives the rollback leg.
func runDeploy(ctx context.Context, rs *runSettings, rollback *Rollback) (Deploy, error) {
	name := "unguarded"
	if rs.guarded {
		name = "guarded"
	}
	rs.t0 = time.Now()
	fmt.Fprintf(rs.cfg.Progress, "\n%s run\n", strings.ToUpper(name[:1])+name[1:])
	run := Deploy{Name: name}

	var regions []*region
	defer func() {
		for _, rg := range regions {
			rg.close()
		}
	}()
	for _, r := range Regions {
		rg, err := newRegion(ctx, rs, name, r)
		if err != nil {
			return run, err
		}
		regions = append(regions, rg)
	}
	if err := eachRegion(regions, func(rg *region) error { return rg.prepare(ctx) }); err != nil {
		return run, err
	}
	rs.progress("release 1 serves in %s; clients start signing in", strings.Join(Regions, " and "))

	rec := &recorder{}
	var loads []*load
	for i, rg := range regions {
		loads = append(loads, startLoad(rg.routerURL, auth.DemoTenants[rg.name], rs.cfg.ClientsPerRegion, uint64(i+1), rec))
	}
	stopped := false
	stopLoad := func() {
		if !stopped {
			for _, l := range loads {
				l.halt()
			}
			stopped = true
		}
	}
	defer stopLoad()
	if err := sleep(ctx, rs.cfg.Warmup); err != nil {
		return run, err
	}

	deploy := time.Now()
	rs.progress("deploy of release 2 starts; its migration job (0003_verify_domains) silently does not run")
	var err error
	if rs.guarded {
		err = guardedDeploy(ctx, rs, regions, rec, deploy, &run)
		if err == nil && rollback != nil {
			err = rollbackLeg(ctx, rs, regions, rec, rollback)
		}
	} else {
		err = unguardedDeploy(ctx, rs, regions, rec, deploy)
	}
	if err != nil {
		return run, err
	}
	if err := sleep(ctx, rs.cfg.Settle); err != nil {
		return run, err
	}
	stopLoad()
	if rollback != nil {
		t := rec.tally(rollback.start, time.Time{})
		rollback.Requests, rollback.Failed, rollback.ByFailure = t.requests, t.failed, t.byFailure
		rollback.RecoveredMedian = rec.tally(rollback.start.Add(rollback.Duration), time.Time{}).median()
	}

	t := rec.tally(time.Time{}, time.Time{})
	run.Requests, run.Failed, run.ByFailure = t.requests, t.failed, t.byFailure
	if !rs.guarded {
		after := rec.tally(deploy, time.Time{})
		if after.failed > 0 {
			run.Detect = after.first.Sub(deploy)
			run.Recover = after.last.Sub(deploy)
		}
		run.Diagnose = rs.cfg.DiagnoseDelay
	}
	rs.progress("clients stop: %d requests, %d failed", run.Requests, run.Failed)
	return run, nil
}

// unguardedDeploy is the incident: release 2 rolls out, serves wrong
// answers until people have found the cause, then is rolled back.
func unguardedDeploy(ctx context.Context, rs *runSettings, regions []*region, rec *recorder, deploy time.Time) error {
	if err := eachRegion(regions, func(rg *region) error {
		_, err := rg.rollTo(ctx, 2, 10*time.Second)
		return err
	}); err != nil {
		return err
	}
	rs.progress("release 2 is out in every region; its readiness probe (a database ping) passes")
	if err := sleep(ctx, time.Until(deploy.Add(rs.cfg.DiagnoseDelay))); err != nil {
		return err
	}
	t := rec.tally(deploy, time.Time{})
	rs.progress("since the deploy, %s of %s requests got a wrong answer (%s)", count(t.failed), count(t.requests), breakdown(t.byFailure))
	rs.progress("people have found the cause (the migration never ran): roll back to release 1")
	return eachRegion(regions, func(rg *region) error {
		_, err := rg.rollTo(ctx, 1, 10*time.Second)
		return err
	})
}

// guardedDeploy is the same deploy with schemagate: the gate, the guard in
// every instance, and the migration job re-run late.
func guardedDeploy(ctx context.Context, rs *runSettings, regions []*region, rec *recorder, deploy time.Time, run *Deploy) error {
	// The pipeline's gate: schemagate verify for release 2.
	gateErrs := make([]error, len(regions))
	_ = eachRegionIndexed(regions, func(i int, rg *region) error {
		gateErrs[i] = pipeline.Gate(ctx, rg.admin, 2, apply.ModeCompatible)
		return nil
	})
	run.Detect = time.Since(deploy)
	run.Diagnose = run.Detect
	for i, err := range gateErrs {
		if err == nil {
			return fmt.Errorf("%s: the gate passed release 2 although its migration did not run", regions[i].name)
		}
		if i == 0 {
			run.GateExit, run.GateMessage = schemagate.ExitCode(err), err.Error()
		}
		rs.progress("%s: schemagate verify --dir release2 → exit %d:\n%s", regions[i].name, schemagate.ExitCode(err), indent(err.Error(), 13))
	}
	rs.progress("the gate stops the pipeline. Suppose the same CD race lets the rollout through anyway:")

	// The rollout goes ahead; the guard keeps release 2 out of rotation.
	if err := eachRegion(regions, func(rg *region) error {
		stalled, err := rg.rollTo(ctx, 2, rs.cfg.StallFor)
		if err != nil {
			return err
		}
		if !stalled {
			return fmt.Errorf("%s: release 2 became ready although its migration did not run", rg.name)
		}
		return nil
	}); err != nil {
		return err
	}
	for limit := time.Now().Add(time.Minute); rec.tally(time.Time{}, time.Time{}).requests < rs.cfg.MinRequests && time.Now().Before(limit); {
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
	for _, rg := range regions {
		in := rg.pending
		st := in.svc.Guard.Status()
		run.GuardDetect = max(run.GuardDetect, in.startup)
		run.GuardReason = st.Reason
		rs.progress("%s: %s stays not ready (%s); the rollout stalls, release 1 keeps serving: %s",
			rg.name, in.name, st.Reason, strings.Join(rg.router.readyNames(), ", "))
	}

	// The migration job is re-run, late.
	migrated := make([]time.Time, len(regions))
	if err := eachRegionIndexed(regions, func(i int, rg *region) error {
		if _, err := pipeline.Migrate(ctx, rg.admin, 2, nil); err != nil {
			return err
		}
		migrated[i] = time.Now()
		return nil
	}); err != nil {
		return err
	}
	rs.progress("the migration job runs late: 0003_verify_domains applied in every region")
	guardAfter := make([]time.Duration, len(regions))
	readyAfter := make([]time.Duration, len(regions))
	if err := eachRegionIndexed(regions, func(i int, rg *region) error {
		in := rg.pending
		deadline := time.Now().Add(4*rs.cfg.RecheckInterval + 10*time.Second)
		for {
			if guardAfter[i] == 0 && in.svc.Guard.Compatible() {
				guardAfter[i] = time.Since(migrated[i])
			}
			if ok, since := rg.router.ready(in.backend); ok {
				readyAfter[i] = since.Sub(migrated[i])
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: %s did not become ready after the migration", rg.name, in.name)
			}
			if err := sleep(ctx, 5*time.Millisecond); err != nil {
				return err
			}
		}
		_, err := rg.rollTo(ctx, 2, 10*time.Second)
		return err
	}); err != nil {
		return err
	}
	run.Release2Compatible = slices.Max(guardAfter)
	run.Release2Ready = slices.Max(readyAfter)
	rs.progress("release 2 became ready on its own (guard %s, router %s after the migration; re-check interval %s) and rolled out",
		run.Release2Compatible.Round(time.Millisecond), run.Release2Ready.Round(time.Millisecond), rs.cfg.RecheckInterval)

	run.RollbackNeedsNoSchemaChange = true
	for _, rg := range regions {
		if err := pipeline.Gate(ctx, rg.admin, 1, apply.ModeCompatible); err != nil {
			run.RollbackNeedsNoSchemaChange = false
			rs.progress("%s: release 1 cannot run on the new schema: %v", rg.name, err)
		}
	}
	if run.RollbackNeedsNoSchemaChange {
		rs.progress("schemagate verify --dir release1 passes on the new schema: rolling back needs no schema change")
	}
	return nil
}

// rollbackLeg is issue 7's leg: release 2 misbehaves for a reason that has
// nothing to do with the schema (it answers slowly), and the team rolls
// back to release 1 in one deploy with no schema change, without failing
// a request.
//
// The compatibility window is computed here with the gate, per release.
// Hook for issue 7: once `schemagate status` reports the window from the
// releases the guards registered, read it from there instead (it needs no
// migration directory), and assert the rollback refused when a release is
// outside it.
func rollbackLeg(ctx context.Context, rs *runSettings, regions []*region, rec *recorder, out *Rollback) error {
	if err := sleep(ctx, rs.cfg.Settle); err != nil {
		return err
	}
	slowFrom := time.Now()
	for _, rg := range regions {
		for _, in := range rg.instances {
			in.slow.Store(true)
		}
	}
	rs.progress("release 2 misbehaves for an unrelated reason: its answers are 40 ms slower")
	if err := sleep(ctx, rs.cfg.Settle); err != nil {
		return err
	}
	slow := rec.tally(slowFrom, time.Time{})
	out.SlowMedian = slow.median()

	// The on-call engineer's first question: can release 1 run on the
	// live schema?
	ref := regions[0]
	for _, release := range migrations.Releases {
		err := pipeline.Gate(ctx, ref.admin, release, apply.ModeCompatible)
		e := WindowEntry{Release: release, CanRun: err == nil}
		if err != nil {
			e.Reason = err.Error()
		}
		out.Window = append(out.Window, e)
	}
	for _, e := range out.Window {
		if e.Release == 1 && !e.CanRun {
			return fmt.Errorf("release 1 cannot run on the live schema: %s", e.Reason)
		}
	}
	rs.progress("compatibility window: %s", windowText(out.Window))

	fingerprints := make([]string, len(regions))
	for i, rg := range regions {
		fp, err := liveFingerprint(ctx, rg.admin)
		if err != nil {
			return err
		}
		fingerprints[i] = fp
	}
	out.start = time.Now()
	rs.progress("roll back to release 1: one deploy, no migration")
	if err := eachRegion(regions, func(rg *region) error {
		_, err := rg.rollTo(ctx, 1, 10*time.Second)
		return err
	}); err != nil {
		return err
	}
	out.Duration = time.Since(out.start)
	out.Deploys = 1
	for i, rg := range regions {
		fp, err := liveFingerprint(ctx, rg.admin)
		if err != nil {
			return err
		}
		if fp != fingerprints[i] {
			out.SchemaChanges++
		}
	}
	rs.progress("release 1 serves again in every region (%s); schema changes: %d", out.Duration.Round(time.Millisecond), out.SchemaChanges)
	return nil
}

func liveFingerprint(ctx context.Context, db dialect.Database) (string, error) {
	s, err := dialect.Inspect(ctx, db, nil)
	if err != nil {
		return "", err
	}
	return s.Fingerprint(), nil
}

func windowText(w []WindowEntry) string {
	var parts []string
	for _, e := range w {
		verdict := "can run"
		if !e.CanRun {
			verdict = "cannot run"
		}
		parts = append(parts, fmt.Sprintf("release %d %s", e.Release, verdict))
	}
	return strings.Join(parts, ", ") + " on the live schema"
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
