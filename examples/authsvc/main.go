// Command authsvc is the example service of schemagate: a small multi-tenant
// auth service guarded against running on a schema it cannot use, and the
// replay of the outage that schemagate exists for.
//
//	authsvc migrate --release 2 --url URL     the migration job
//	authsvc verify  --release 2 --url URL     the deploy gate (exit 3 when behind)
//	authsvc seed    --url URL                 demo tenants and users
//	authsvc serve   --release 2 --url URL --listen :8080 [--guard=false]
//	authsvc replay  --server-url postgres://postgres@127.0.0.1:5432/
//
// URLs are schemagate's: postgres://user:pass@host:5432/db or
// sqlite://path/to/file.db; --url defaults to $DATABASE_URL.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"golang.org/x/crypto/bcrypt"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	_ "github.com/schemagate/schemagate/dialect/postgres" // registers postgres://
	_ "github.com/schemagate/schemagate/dialect/sqlite"   // registers sqlite://
	"github.com/schemagate/schemagate/examples/authsvc/auth"
	"github.com/schemagate/schemagate/examples/authsvc/pipeline"
	"github.com/schemagate/schemagate/examples/authsvc/replay"
)

const usage = `authsvc: the schemagate example service and incident replay

  authsvc migrate --release N [--url URL]     apply release N's migrations (the migration job)
  authsvc verify  --release N [--url URL]     the deploy gate: exit 3 when the database is behind
  authsvc seed    [--url URL]                 create the demo tenants and users
  authsvc serve   --release N [--url URL] [--listen :8080] [--guard=true]
  authsvc replay  [--server-url URL | --sqlite-dir DIR]

--url defaults to $DATABASE_URL (postgres://… or sqlite://path.db).
Run 'authsvc COMMAND -h' for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	var err error
	switch args[0] {
	case "migrate":
		err = migrateCommand(ctx, args[1:], stdout, stderr, log)
	case "verify":
		err = verifyCommand(ctx, args[1:], stdout, stderr)
	case "seed":
		err = seedCommand(ctx, args[1:], stdout, stderr)
	case "serve":
		err = serveCommand(ctx, args[1:], stderr, log)
	case "replay":
		err = replayCommand(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "authsvc: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err == nil {
		return 0
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	var usageErr usageError
	if errors.As(err, &usageErr) {
		fmt.Fprintf(stderr, "authsvc %s: %v\n", args[0], err)
		return 2
	}
	fmt.Fprintf(stderr, "authsvc %s: %v\n", args[0], err)
	if hint := schemagate.HintOf(err); hint != "" {
		fmt.Fprintf(stderr, "hint: %s\n", hint)
	}
	if code := schemagate.ExitCode(err); code > 1 {
		return code
	}
	return 1
}

type usageError struct{ error }

// commonFlags are the flags every database command takes.
type commonFlags struct {
	url     string
	release int
}

func (c *commonFlags) register(fs *flag.FlagSet, withRelease bool) {
	fs.StringVar(&c.url, "url", os.Getenv("DATABASE_URL"), "database URL: postgres://… or sqlite://path.db (default $DATABASE_URL)")
	if withRelease {
		fs.IntVar(&c.release, "release", 0, "release of the service: 1 or 2")
	}
}

func parse(fs *flag.FlagSet, args []string, stderr io.Writer) error {
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))}
	}
	return nil
}

func open(ctx context.Context, rawURL string, create bool) (dialect.Database, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return dialect.Open(ctx, rawURL, dialect.Options{Create: create})
}

func checkRelease(release int) error {
	if release != 1 && release != 2 {
		return usageError{fmt.Errorf("--release %d: use 1 or 2", release)}
	}
	return nil
}

func migrateCommand(ctx context.Context, args []string, stdout, stderr io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var c commonFlags
	c.register(fs, true)
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := checkRelease(c.release); err != nil {
		return err
	}
	db, err := open(ctx, c.url, true)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := pipeline.Migrate(ctx, db, c.release, log)
	if err != nil {
		return err
	}
	switch n := len(res.Steps); n {
	case 0:
		fmt.Fprintf(stdout, "%s: nothing to apply; the database has every migration of release %d\n", db.Target(), c.release)
	case 1:
		fmt.Fprintf(stdout, "%s: applied 1 migration of release %d\n", db.Target(), c.release)
	default:
		fmt.Fprintf(stdout, "%s: applied %d migrations of release %d\n", db.Target(), n, c.release)
	}
	return nil
}

func verifyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	var c commonFlags
	c.register(fs, true)
	mode := fs.String("mode", string(apply.ModeCompatible), "compatible or exact")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := checkRelease(c.release); err != nil {
		return err
	}
	m, err := apply.ParseMode(*mode)
	if err != nil {
		return err
	}
	db, err := open(ctx, c.url, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := pipeline.Gate(ctx, db, c.release, m); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "OK: %s can serve authsvc release %d (mode %s)\n", db.Target(), c.release, m)
	return nil
}

func seedCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	var c commonFlags
	c.register(fs, false)
	region := fs.String("region", "all", "which demo tenants: eu, us or all")
	cost := fs.Int("bcrypt-cost", bcrypt.DefaultCost, "bcrypt cost of the password hashes")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	var tenants []auth.Tenant
	for _, r := range []string{"eu", "us"} {
		if *region == "all" || *region == r {
			tenants = append(tenants, auth.DemoTenants[r]...)
		}
	}
	if tenants == nil {
		return usageError{fmt.Errorf("--region %q: use eu, us or all", *region)}
	}
	db, err := open(ctx, c.url, false)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := auth.Seed(ctx, db.DB(), db.Dialect(), tenants, *cost); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Seeded %s. Sign in with, for example:\n", db.Target())
	for _, t := range tenants {
		u := t.Users[0]
		fmt.Fprintf(stdout, "  curl -H 'Host: %s' -d '{\"email\":\"%s\",\"password\":\"%s\"}' localhost:8080/login\n", t.Domain, u.Email, u.Password)
	}
	return nil
}

func serveCommand(ctx context.Context, args []string, stderr io.Writer, log *slog.Logger) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c commonFlags
	c.register(fs, true)
	listen := fs.String("listen", ":8080", "address to serve HTTP on")
	guarded := fs.Bool("guard", true, "guard the service with schemagate (false: what most services do)")
	recheck := fs.Duration("recheck", 0, "how often the guard re-checks the schema (default the guard's, 10s)")
	key := fs.String("session-key", os.Getenv("AUTHSVC_SESSION_KEY"), "hex key that signs session tokens, at least 32 bytes (default $AUTHSVC_SESSION_KEY)")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	if err := checkRelease(c.release); err != nil {
		return err
	}
	sessionKey, err := decodeKey(*key)
	if err != nil {
		return usageError{err}
	}
	if sessionKey == nil {
		sessionKey = make([]byte, 32)
		_, _ = rand.Read(sessionKey)
		log.Warn("no --session-key: using a random one; tokens will not survive a restart or work on other instances")
	}
	db, err := open(ctx, c.url, false)
	if err != nil {
		return err
	}
	defer db.Close()

	inst, err := auth.NewInstance(ctx, auth.InstanceConfig{
		Config: auth.Config{
			DB: db.DB(), Dialect: db.Dialect(), Release: c.release, SessionKey: sessionKey,
			Logger: log,
		},
		Guard:           *guarded,
		RecheckInterval: *recheck,
	})
	if err != nil {
		return err
	}
	handler := inst.Handler
	if inst.Guard != nil {
		registry := prometheus.NewRegistry()
		registry.MustRegister(inst.Guard.Collector())
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
		mux.Handle("/", inst.Handler)
		handler = mux
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	log.Info("serving", "release", c.release, "guard", *guarded, "address", ln.Addr().String(), "database", db.Target())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

func decodeKey(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	key, err := hex.DecodeString(s)
	if err != nil || len(key) < 32 {
		return nil, errors.New("--session-key must be at least 64 hex digits (32 bytes), e.g. from `openssl rand -hex 32`")
	}
	return key, nil
}

func replayCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	cfg := replay.Config{}
	fs.StringVar(&cfg.ServerURL, "server-url", os.Getenv("AUTHSVC_REPLAY_SERVER_URL"),
		"PostgreSQL server URL (postgres://user@host:5432/); the replay creates its databases there and drops them")
	fs.StringVar(&cfg.SQLiteDir, "sqlite-dir", "", "replay on SQLite files in this directory instead (default: a temporary one when --server-url is empty)")
	fs.IntVar(&cfg.ClientsPerRegion, "clients", 0, "concurrent clients per region (default 4)")
	fs.DurationVar(&cfg.RecheckInterval, "recheck", 0, "the guard's re-check interval (default 500ms)")
	fs.DurationVar(&cfg.DiagnoseDelay, "diagnose-delay", 0, "unguarded run: how long people take to find the cause and start the rollback (default 2s, for the incident's 8 minutes)")
	rollback := fs.Bool("rollback", true, "after the guarded deploy, roll back to release 1 (release 2 misbehaving for another reason)")
	verbose := fs.Bool("v", false, "log the instances' and guards' messages")
	if err := parse(fs, args, stderr); err != nil {
		return err
	}
	cfg.RollbackLeg = *rollback
	cfg.Progress = stdout
	if *verbose {
		cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.ServerURL == "" && cfg.SQLiteDir == "" {
		dir, err := os.MkdirTemp("", "authsvc-replay-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.SQLiteDir = dir
	}
	res, err := replay.Run(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout)
	res.WriteTable(stdout)
	return nil
}
