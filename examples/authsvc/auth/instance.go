package auth

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"time"

	"github.com/schemagate/schemagate/examples/authsvc/migrations"
	"github.com/schemagate/schemagate/guard"
)

// InstanceConfig configures one running copy of the service.
type InstanceConfig struct {
	Config
	// Guard puts the schema guard in front of the service. Without it the
	// instance is what most services are: ready as soon as the database
	// answers a ping, whatever its schema.
	Guard bool
	// RecheckInterval is how often the guard re-checks the schema; zero
	// means the guard's default (10 s).
	RecheckInterval time.Duration
	// InstanceID names the instance in the schemagate registry; empty
	// means the guard's default (host name and a random suffix).
	InstanceID string
}

// Instance is one running copy of the service: the application's routes
// and the probes.
//
//	/healthz  liveness: 200 while the process serves HTTP; never touches
//	          the database, so a database or schema problem never makes
//	          the orchestrator restart a healthy process.
//	/readyz   readiness: with the guard, 200 only when the live schema can
//	          serve this release (503 and the reason otherwise); without
//	          it, 200 when the database answers a ping.
//	/schemaz  with the guard: its status as JSON, for deploy tools.
type Instance struct {
	// Handler serves every route.
	Handler http.Handler
	// Guard is nil when the instance runs unguarded.
	Guard   *guard.Guard
	Service *Service
}

// NewInstance builds an instance of the release cfg names. With cfg.Guard
// it checks the schema at once, and keeps re-checking until ctx ends; a
// failed check does not fail NewInstance: the instance starts not ready
// and becomes ready on its own when the schema catches up.
func NewInstance(ctx context.Context, cfg InstanceConfig) (*Instance, error) {
	svc, err := New(cfg.Config)
	if err != nil {
		return nil, err
	}
	log := svc.log
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "alive"})
	})
	var app http.Handler = svc.Handler()
	inst := &Instance{Handler: mux, Service: svc}
	if !cfg.Guard {
		mux.Handle("GET /readyz", pingHandler(cfg.DB))
		mux.Handle("/", app)
		return inst, nil
	}

	snapshot, err := migrations.Snapshot(cfg.Release, cfg.Dialect)
	if err != nil {
		return nil, err
	}
	dir, err := migrations.Dir(cfg.Release)
	if err != nil {
		return nil, err
	}
	opts := []guard.Option{
		guard.WithSnapshot(snapshot),
		guard.WithRelease(App, strconv.Itoa(cfg.Release)),
		guard.WithMigrations(dir),
		guard.WithLogger(log),
	}
	if cfg.RecheckInterval > 0 {
		opts = append(opts, guard.WithInterval(cfg.RecheckInterval))
	}
	if cfg.InstanceID != "" {
		opts = append(opts, guard.WithInstanceID(cfg.InstanceID))
	}

	// The five lines a team adds to its own service:
	g, err := guard.New(cfg.DB, opts...)
	if err != nil {
		return nil, err
	}
	if err := g.Check(ctx); err != nil {
		log.Warn("starting not ready: the database schema cannot serve this release yet", "error", err)
	}
	mux.Handle("GET /readyz", g.ReadyHandler())
	mux.Handle("GET /schemaz", g.StatusHandler())
	mux.Handle("/", g.Middleware(app))
	go func() { _ = g.Run(ctx) }()

	inst.Guard = g
	return inst, nil
}

// pingHandler is the readiness probe of an unguarded service: ready when
// the database answers.
func pingHandler(db *sql.DB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			writeError(w, http.StatusServiceUnavailable, "database unreachable")
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}
