package replay

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop the regions' databases

	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/examples/authsvc/auth"
	"github.com/schemagate/schemagate/examples/authsvc/pipeline"
)

// region is one region of the deployment: its database, its router and
// the instances behind it.
type region struct {
	name   string
	url    string
	admin  dialect.Database // the pipeline's connection: migration job and gate
	router *router
	rs     *runSettings

	routerSrv *http.Server
	routerURL string

	instances []*instance // live, oldest first
	// pending is a new instance a stalled rollout is waiting for.
	pending *instance
	seq     int
	drop    func()
}

// instance is one copy of the service, as a pod would run it: its own
// connection pool and HTTP server.
type instance struct {
	name    string
	release int
	db      dialect.Database
	svc     *auth.Instance
	srv     *http.Server
	cancel  context.CancelFunc
	backend *backend
	started time.Time
	// startup is how long building the service took, the guard's
	// start-up check included.
	startup time.Duration
	// slow makes the instance answer 40 ms late: the unrelated bug of the
	// rollback leg.
	slow *atomic.Bool
}

// runSettings is what every region of a run shares.
type runSettings struct {
	cfg        Config
	guarded    bool
	sessionKey []byte
	log        *slog.Logger

	mu sync.Mutex // serializes progress lines
	t0 time.Time  // the run's start, for progress lines
}

// newRegion creates the region's empty database and its router.
func newRegion(ctx context.Context, rs *runSettings, run, name string) (*region, error) {
	rg := &region{name: name, rs: rs, router: newRouter(rs.cfg.HealthInterval)}
	var err error
	if rs.cfg.ServerURL != "" {
		rg.url, rg.drop, err = createPostgres(ctx, rs.cfg.ServerURL, fmt.Sprintf("authsvc_replay_%s_%s_%s", rs.cfg.id, run, name))
	} else {
		rg.url = "sqlite://" + filepath.Join(rs.cfg.SQLiteDir, fmt.Sprintf("%s-%s-%s.db", rs.cfg.id, run, name)) + "?_pragma=journal_mode(wal)"
		rg.drop = func() {}
	}
	if err != nil {
		return nil, err
	}
	if rg.admin, err = dialect.Open(ctx, rg.url, dialect.Options{Create: true}); err != nil {
		rg.drop()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		rg.close()
		return nil, err
	}
	rg.routerURL = "http://" + ln.Addr().String()
	rg.routerSrv = &http.Server{Handler: rg.router, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = rg.routerSrv.Serve(ln) }()
	return rg, nil
}

// prepare brings the database to release 1 with the demo tenants, and
// starts two release-1 instances.
func (rg *region) prepare(ctx context.Context) error {
	if _, err := pipeline.Migrate(ctx, rg.admin, 1, nil); err != nil {
		return fmt.Errorf("%s: release 1 migrations: %w", rg.name, err)
	}
	if err := auth.Seed(ctx, rg.admin.DB(), rg.admin.Dialect(), auth.DemoTenants[rg.name], rg.rs.cfg.BcryptCost); err != nil {
		return fmt.Errorf("%s: %w", rg.name, err)
	}
	for range 2 {
		in, err := rg.start(ctx, 1)
		if err != nil {
			return err
		}
		if !rg.router.waitReady(ctx, in.backend, 10*time.Second) {
			return fmt.Errorf("%s: release 1 instance %s did not become ready", rg.name, in.name)
		}
	}
	return nil
}

// start runs a new instance of release and adds it to the router, which
// sends it traffic once it is ready.
func (rg *region) start(ctx context.Context, release int) (*instance, error) {
	rg.seq++
	in := &instance{name: fmt.Sprintf("%s-r%d-%d", rg.name, release, rg.seq), release: release, started: time.Now(), slow: new(atomic.Bool)}
	var err error
	if in.db, err = dialect.Open(ctx, rg.url, dialect.Options{}); err != nil {
		return nil, fmt.Errorf("%s: %w", in.name, err)
	}
	in.db.DB().SetMaxOpenConns(8)
	ictx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	in.cancel = cancel
	building := time.Now()
	in.svc, err = auth.NewInstance(ictx, auth.InstanceConfig{
		Config: auth.Config{
			DB: in.db.DB(), Dialect: in.db.Dialect(), Release: release, SessionKey: rg.rs.sessionKey,
			Logger: rg.rs.log.With("instance", in.name),
		},
		Guard:           rg.rs.guarded,
		RecheckInterval: rg.rs.cfg.RecheckInterval,
		InstanceID:      in.name,
	})
	in.startup = time.Since(building)
	if err != nil {
		cancel()
		in.db.Close()
		return nil, fmt.Errorf("%s: %w", in.name, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		in.db.Close()
		return nil, err
	}
	handler := in.svc.Handler
	in.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in.slow.Load() && r.URL.Path != "/readyz" && r.URL.Path != "/healthz" {
			time.Sleep(40 * time.Millisecond)
		}
		handler.ServeHTTP(w, r)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = in.srv.Serve(ln) }()
	in.backend = rg.router.add(in.name, "http://"+ln.Addr().String())
	rg.instances = append(rg.instances, in)
	rg.rs.progress("%s: started %s", rg.name, in.name)
	return in, nil
}

// stop takes the instance out of rotation, lets its requests finish, and
// shuts it down.
func (rg *region) stop(in *instance) {
	rg.shutdown(in)
	rg.rs.progress("%s: stopped %s", rg.name, in.name)
}

func (rg *region) shutdown(in *instance) {
	rg.router.remove(in.backend)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = in.srv.Shutdown(ctx)
	in.cancel()
	in.db.Close()
	for i, x := range rg.instances {
		if x == in {
			rg.instances = append(rg.instances[:i], rg.instances[i+1:]...)
			break
		}
	}
}

// rollTo is a rolling deploy of release with maxSurge 1 and
// maxUnavailable 0: start a new instance, wait until it is ready, stop an
// old one, repeat. When a new instance is not ready within readyTimeout
// the rollout stalls, as a Kubernetes rollout does, leaving the old
// instances serving; calling rollTo again resumes it.
func (rg *region) rollTo(ctx context.Context, release int, readyTimeout time.Duration) (stalled bool, err error) {
	for {
		var old *instance
		for _, in := range rg.instances {
			if in.release != release {
				old = in
				break
			}
		}
		if old == nil {
			return false, nil
		}
		if rg.pending == nil {
			if rg.pending, err = rg.start(ctx, release); err != nil {
				return false, err
			}
		}
		if !rg.router.waitReady(ctx, rg.pending.backend, readyTimeout) {
			return true, ctx.Err()
		}
		_, since := rg.router.ready(rg.pending.backend)
		rg.rs.progress("%s: %s is ready (%s after it started)", rg.name, rg.pending.name, since.Sub(rg.pending.started).Round(time.Millisecond))
		rg.pending = nil
		rg.stop(old)
	}
}

func (rg *region) close() {
	for len(rg.instances) > 0 {
		rg.shutdown(rg.instances[0])
	}
	if rg.routerSrv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = rg.routerSrv.Shutdown(ctx)
		cancel()
	}
	if rg.admin != nil {
		rg.admin.Close()
	}
	rg.drop()
}

// createPostgres creates a database on the server and returns its URL and
// a function that drops it.
func createPostgres(ctx context.Context, serverURL, name string) (string, func(), error) {
	u, err := url.Parse(serverURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", nil, errors.New("--server-url must be a postgres:// URL, e.g. postgres://postgres@127.0.0.1:5432/")
	}
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		return "", nil, fmt.Errorf("create database %s on %s: %w", name, u.Redacted(), err)
	}
	drop := func() {
		db, err := sql.Open("pgx", serverURL)
		if err != nil {
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = db.ExecContext(ctx, `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`)
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}
