// Package guard keeps a service from running against a schema it cannot
// use. A service adopts it in five lines:
//
//	g, err := guard.New(db, guard.WithSnapshot(snapshot), guard.WithRelease("authsvc", version))
//	if err := g.Check(ctx); err != nil { log.Print(err) } // precise, human-readable differences
//	mux.Handle("/readyz", g.ReadyHandler())               // 503 with the reason until compatible
//	handler = g.Middleware(handler)                       // 503 + Retry-After, never a wrong answer
//	go g.Run(ctx)                                         // heartbeat + periodic re-check
//
// The snapshot (schemagate.snapshot.json, usually embedded with go:embed) is
// the schema the release needs. Check compares the live schema with it by
// the compatibility rules of package schema: everything the release needs
// must exist in a shape it can use; what a newer release added is fine. A
// failed Check does not stop the service: it stays not ready, and Run
// flips it to ready on its own once the schema catches up, or back to not
// ready within one interval when the schema changes under it.
//
// Run also records the instance in the database's instance registry, so
// that `schemagate status` shows which releases are live and `schemagate
// apply` can refuse a migration that would break one of them. The guard
// needs read access to the schema and write access to the registry tables
// only; with a read-only role it still checks, and reports that it cannot
// register.
//
// All methods are safe for concurrent use.
package guard

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	_ "github.com/schemagate/schemagate/dialect/mysql" // the engines the guard can read
	_ "github.com/schemagate/schemagate/dialect/postgres"
	_ "github.com/schemagate/schemagate/dialect/sqlite"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

const (
	// DefaultInterval is how often Run re-checks the schema and heartbeats.
	DefaultInterval = 10 * time.Second
	// ttlIntervals is how many intervals an instance may miss before the
	// registry counts it as gone.
	ttlIntervals = 3
	// errorGrace is how many intervals a compatible release stays ready
	// while its checks fail for reasons other than the schema.
	errorGrace = 3
	// expireAfter is how long a dead instance's row stays in the registry
	// before a live instance deletes it.
	expireAfter = 24 * time.Hour
)

// Guard checks one release against one database.
type Guard struct {
	db       *sql.DB
	engine   dialect.Database
	snapshot *schema.Snapshot
	snapData []byte
	app      string
	version  string
	dir      *migration.Dir
	interval time.Duration
	log      *slog.Logger
	metrics  *metrics

	instanceID string
	host       string
	started    time.Time

	mu        sync.RWMutex
	status    Status
	token     string // the schema token the status was computed at
	regFailed bool   // the last registration attempt failed (logged once)
	lastGood  time.Time
	// live is the schema the last full check read; its fingerprint goes
	// into the status when the status is first asked for, so that the
	// check itself does not pay for encoding it.
	live *schema.Schema
}

// Option configures a Guard. Options validate their arguments; New fails
// with the first invalid one.
type Option func(*config) error

type config struct {
	snapshot   []byte
	app        string
	version    string
	migrations fs.FS
	schemaName string
	interval   time.Duration
	log        *slog.Logger
	instanceID string
}

// WithSnapshot sets the schema the release needs: the content of its
// schemagate.snapshot.json. Required.
func WithSnapshot(data []byte) Option {
	return func(c *config) error {
		if len(data) == 0 {
			return errors.New("WithSnapshot: the snapshot is empty (embed schemagate.snapshot.json, built by `schemagate snapshot`)")
		}
		c.snapshot = data
		return nil
	}
}

// WithRelease names the application and its version, as the registry and
// the status endpoint show them. Required.
func WithRelease(app, version string) Option {
	return func(c *config) error {
		if strings.TrimSpace(app) == "" || strings.TrimSpace(version) == "" {
			return errors.New("WithRelease: both the application name and the version are required")
		}
		c.app, c.version = app, version
		return nil
	}
}

// WithMigrations gives the release's migration directory (usually
// embedded), so that each difference names the migration that would fix
// it: "column tenants.domain_verified is missing: migration
// 0007_verify_domains has not been applied".
func WithMigrations(fsys fs.FS) Option {
	return func(c *config) error {
		if fsys == nil {
			return errors.New("WithMigrations: nil file system")
		}
		c.migrations = fsys
		return nil
	}
}

// WithSchema sets the PostgreSQL schema the release uses; default "public".
func WithSchema(name string) Option {
	return func(c *config) error { c.schemaName = name; return nil }
}

// WithInterval sets how often Run re-checks and heartbeats; each wait is
// jittered by ±20% so that a fleet does not check in lockstep.
func WithInterval(d time.Duration) Option {
	return func(c *config) error {
		if d < 10*time.Millisecond {
			return fmt.Errorf("WithInterval: %s is too short", d)
		}
		c.interval = d
		return nil
	}
}

// WithLogger sets where the guard logs; default slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error { c.log = l; return nil }
}

// WithInstanceID sets the instance's registry id; default host name plus
// a random suffix.
func WithInstanceID(id string) Option {
	return func(c *config) error {
		if id == "" {
			return errors.New("WithInstanceID: empty id")
		}
		c.instanceID = id
		return nil
	}
}

// New returns a Guard for the release described by opts, checking against
// db. It does not touch the database; call Check.
func New(db *sql.DB, opts ...Option) (*Guard, error) {
	if db == nil {
		return nil, errors.New("guard.New: nil *sql.DB")
	}
	c := &config{interval: DefaultInterval}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("guard.New: %w", err)
		}
	}
	if c.snapshot == nil {
		return nil, errors.New("guard.New: WithSnapshot is required")
	}
	if c.app == "" {
		return nil, errors.New("guard.New: WithRelease is required")
	}
	snap, err := schema.DecodeSnapshot(c.snapshot)
	if err != nil {
		return nil, fmt.Errorf("guard.New: %w", err)
	}
	engine, err := dialect.FromDB(snap.Dialect, db, dialect.Options{Schema: c.schemaName})
	if err != nil {
		return nil, fmt.Errorf("guard.New: %w", err)
	}
	g := &Guard{
		db: db, engine: engine, snapshot: snap, snapData: c.snapshot,
		app: c.app, version: c.version, interval: c.interval, log: c.log,
		instanceID: c.instanceID, started: time.Now().UTC(),
	}
	if g.log == nil {
		g.log = slog.Default()
	}
	g.log = g.log.With("component", "schemagate.guard", "schemagate_release", g.Release())
	if c.migrations != nil {
		if g.dir, err = migration.Load(c.migrations); err != nil {
			return nil, fmt.Errorf("guard.New: migrations: %w", err)
		}
	}
	g.host, _ = os.Hostname()
	if g.instanceID == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		g.instanceID = g.host + "-" + hex.EncodeToString(b[:])
	}
	g.metrics = newMetrics()
	g.status = Status{
		App: g.app, Version: g.version, Release: g.Release(), Fingerprint: snap.Fingerprint,
		Instance: g.instanceID, Reason: "the schema has not been checked yet",
	}
	return g, nil
}

// Release is "app version", as the registry and messages name it.
func (g *Guard) Release() string { return g.app + " " + g.version }

// Difference is one way the live schema fails the release, or a warning.
type Difference struct {
	schema.Difference
	// Explanation says it in a sentence, naming the migration that would
	// fix it when the migrations were given.
	Explanation string `json:"explanation"`
}

// Status is the guard's last verdict. Its JSON form is a stable contract
// (the status endpoint serves it to deploy tools).
type Status struct {
	Compatible bool `json:"compatible"`
	// Release is "app version".
	Release string `json:"release"`
	App     string `json:"app"`
	Version string `json:"version"`
	// Fingerprint identifies the snapshot the release needs;
	// LiveFingerprint the live schema at the last full read.
	Fingerprint     string       `json:"fingerprint"`
	LiveFingerprint string       `json:"live_fingerprint,omitempty"`
	Differences     []Difference `json:"differences"`
	Warnings        []Difference `json:"warnings,omitempty"`
	// Reason is one line for people: why the release cannot run, or "".
	Reason    string    `json:"reason,omitempty"`
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// Instance is this instance's id in the registry; Registered says
	// whether its last heartbeat was recorded, RegistrationError why not.
	Instance          string `json:"instance"`
	Registered        bool   `json:"registered"`
	RegistrationError string `json:"registration_error,omitempty"`
}

// Status returns the last verdict.
func (g *Guard) Status() Status {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.status.LiveFingerprint == "" && g.live != nil {
		g.status.LiveFingerprint = g.live.Fingerprint()
	}
	s := g.status
	s.Differences = append([]Difference(nil), s.Differences...)
	s.Warnings = append([]Difference(nil), s.Warnings...)
	return s
}

// Compatible reports the last verdict.
func (g *Guard) Compatible() bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.status.Compatible
}

// IncompatibleError is returned by Check when the live schema cannot serve
// the release.
type IncompatibleError struct {
	Release     string
	Differences []Difference
}

func (e *IncompatibleError) Error() string {
	lines := make([]string, len(e.Differences))
	for i, d := range e.Differences {
		lines[i] = d.Explanation
	}
	return fmt.Sprintf("the database schema cannot serve %s:\n  %s", e.Release, strings.Join(lines, "\n  "))
}

// Check reads the live schema, compares it with the release's snapshot and
// records the verdict. It returns nil when the release can run, an
// *IncompatibleError listing each difference, or the error that prevented
// the check (then the release counts as not ready: it cannot know).
func (g *Guard) Check(ctx context.Context) error {
	start := time.Now()
	err := g.check(ctx)
	g.metrics.observe(time.Since(start), g.Compatible())
	return err
}

func (g *Guard) check(ctx context.Context) error {
	token := ""
	if t, ok := g.engine.(dialect.ChangeTokener); ok {
		var err error
		if token, err = t.SchemaToken(ctx, g.db); err != nil {
			return g.failed(fmt.Errorf("read the schema version: %w", err))
		}
	}
	live, err := dialect.Inspect(ctx, g.engine, g.db)
	if err != nil {
		return g.failed(err)
	}
	rep := schema.Compatible(g.snapshot.Schema, live)
	explain := func(d schema.Difference) string { return d.Message }
	if g.dir != nil && !rep.Compatible {
		// The history only serves to name migrations; without it the
		// differences still stand.
		if records, err := g.engine.History().Records(ctx, g.db); err == nil {
			explain = apply.Compare(g.dir, records).Explain
		}
	}
	g.mu.RLock()
	s := g.status // the fields a check does not set (instance, registration)
	g.mu.RUnlock()
	s.Compatible = rep.Compatible
	s.LiveFingerprint = "" // computed when first asked for: see Status
	s.Differences, s.Warnings = explained(rep.Problems, explain), explained(rep.Warnings, explain)
	s.CheckedAt = time.Now().UTC()
	s.Reason = ""
	var result error
	if !rep.Compatible {
		s.Reason = s.Differences[0].Explanation
		if n := len(s.Differences) - 1; n > 0 {
			s.Reason += fmt.Sprintf(" (and %d more)", n)
		}
		result = &IncompatibleError{Release: g.Release(), Differences: s.Differences}
	}
	g.mu.Lock()
	was := g.status.Compatible
	g.status, g.token, g.live = s, token, live
	if s.Compatible {
		g.lastGood = s.CheckedAt
	}
	g.mu.Unlock()
	if was != s.Compatible || result != nil && was {
		if s.Compatible {
			g.log.Info("the database schema can serve this release; ready")
		} else {
			g.log.Warn("the database schema cannot serve this release; not ready", "reason", s.Reason)
		}
	}
	return result
}

// failed records a check that could not be made. A release that was
// found compatible stays ready through a short outage of the check (a
// database blip, a failover): otherwise every instance of every release
// would turn unready at the same moment and the service would go dark,
// which is worse than serving on a schema that was fine seconds ago. Past
// the grace period, or if the release was never found compatible, it is
// not ready.
func (g *Guard) failed(err error) error {
	err = fmt.Errorf("check the schema for %s: %w", g.Release(), err)
	now := time.Now().UTC()
	g.mu.Lock()
	was := g.status.Compatible
	if g.lastGood.IsZero() || now.Sub(g.lastGood) > errorGrace*g.interval {
		g.status.Compatible = false
	}
	still := g.status.Compatible
	g.status.Reason = err.Error()
	g.status.CheckedAt = now
	g.token = ""
	g.mu.Unlock()
	switch {
	case was && !still:
		g.log.Warn("cannot check the database schema; not ready", "error", err)
	case still:
		g.log.Warn("cannot check the database schema; staying ready on the last good check", "error", err)
	}
	return err
}

func explained(ds []schema.Difference, explain func(schema.Difference) string) []Difference {
	out := make([]Difference, len(ds))
	for i, d := range ds {
		out[i] = Difference{Difference: d, Explanation: explain(d)}
	}
	return out
}

// Recheck is the cheap periodic check: when the engine can tell that the
// schema has not changed since the last full check, it keeps the verdict
// after one small query; otherwise it runs Check.
func (g *Guard) Recheck(ctx context.Context) error {
	start := time.Now()
	if t, ok := g.engine.(dialect.ChangeTokener); ok {
		g.mu.RLock()
		last, checked := g.token, !g.status.CheckedAt.IsZero()
		g.mu.RUnlock()
		if checked && last != "" {
			token, err := t.SchemaToken(ctx, g.db)
			if err == nil && token == last {
				g.mu.Lock()
				g.status.CheckedAt = time.Now().UTC()
				compatible := g.status.Compatible
				if compatible {
					g.lastGood = g.status.CheckedAt
				}
				g.mu.Unlock()
				g.metrics.observe(time.Since(start), compatible)
				if !compatible {
					return &IncompatibleError{Release: g.Release(), Differences: g.Status().Differences}
				}
				return nil
			}
		}
	}
	return g.Check(ctx)
}

// Run re-checks the schema and heartbeats into the instance registry every
// interval (jittered) until ctx ends; then it removes the instance's row
// and returns. It checks at once if Check was never called.
func (g *Guard) Run(ctx context.Context) error {
	if g.Status().CheckedAt.IsZero() {
		_ = g.Check(ctx)
	}
	g.heartbeat(ctx)
	for {
		jitter := time.Duration(float64(g.interval) * (0.8 + 0.4*mrand.Float64()))
		select {
		case <-ctx.Done():
			g.deregister()
			return nil
		case <-time.After(jitter):
		}
		_ = g.Recheck(ctx)
		g.heartbeat(ctx)
	}
}

// heartbeat records this instance (and, once, its release's snapshot) in
// the registry. Failures are reported in Status and logged once, never
// fatal: a read-only role still gets the schema check.
func (g *Guard) heartbeat(ctx context.Context) {
	reg, ok := g.engine.(dialect.Registrar)
	if !ok {
		return
	}
	now := time.Now().UTC()
	r := reg.Registry()
	err := r.Heartbeat(ctx, g.db, dialect.Instance{
		ID: g.instanceID, App: g.app, Release: g.version, Fingerprint: g.snapshot.Fingerprint,
		Host: g.host, StartedAt: g.started, LastSeen: now,
	})
	if err == nil {
		err = r.SaveRelease(ctx, g.db, dialect.Release{
			Fingerprint: g.snapshot.Fingerprint, App: g.app, Release: g.version,
			Snapshot: g.snapData, FirstSeen: now, LastSeen: now,
		})
	}
	if err == nil {
		_ = r.Expire(ctx, g.db, now.Add(-expireAfter))
	}
	if ctx.Err() != nil {
		return // shutting down: an interrupted heartbeat says nothing
	}
	g.mu.Lock()
	g.status.Registered = err == nil
	g.status.RegistrationError = ""
	if err != nil {
		g.status.RegistrationError = "cannot register this instance: " + err.Error()
	}
	logIt := (err != nil) != g.regFailed
	g.regFailed = err != nil
	g.mu.Unlock()
	if logIt && err != nil {
		g.log.Warn("cannot register this instance in the schemagate registry; schema checks go on", "error", err,
			"hint", "grant INSERT, UPDATE, DELETE on "+dialect.InstancesTable+" and "+dialect.ReleasesTable+" to this role")
	}
}

// deregister removes the instance's row on an orderly shutdown. A crash
// leaves the row, which expires: nothing depends on this.
func (g *Guard) deregister() {
	reg, ok := g.engine.(dialect.Registrar)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = reg.Registry().Remove(ctx, g.db, g.instanceID)
}

// TTL is how long after its last heartbeat an instance counts as live.
func TTL(interval time.Duration) time.Duration { return ttlIntervals * interval }
