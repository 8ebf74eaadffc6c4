package guard_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/guard"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

var release2 = map[string]string{
	"0001_create_tenants.up.sql": "CREATE TABLE tenants (id INTEGER PRIMARY KEY, domain TEXT NOT NULL UNIQUE);\n",
	"0002_create_users.up.sql":   "CREATE TABLE users (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants (id), email TEXT NOT NULL);\n",
	"0007_verify_domains.up.sql": "ALTER TABLE tenants ADD COLUMN domain_verified BOOLEAN NOT NULL DEFAULT TRUE;\n",
}

// fixture is a database at release 1, the release-2 migrations and the
// release-2 snapshot.
type fixture struct {
	url      string
	db       *sql.DB
	target   dialect.Database
	dir      *migration.Dir
	fsys     fstest.MapFS
	snapshot []byte
}

func newFixture(t *testing.T, engine string) *fixture {
	t.Helper()
	ctx := context.Background()
	fsys := fstest.MapFS{}
	for name, content := range release2 {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	dir, err := migration.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	fsys[migration.SumFile] = &fstest.MapFile{Data: dir.ComputeSum().Encode()}

	f := &fixture{fsys: fsys, dir: dir}
	var devURL string
	switch engine {
	case "postgres":
		f.url = testdb.Postgres(t)
		u, _ := url.Parse(testdb.PostgresServerURL(t))
		u.Path = "/"
		devURL = u.String()
	case "mysql":
		f.url = testdb.MySQL(t)
		u, _ := url.Parse(testdb.MySQLServerURL(t))
		u.Path = "/"
		devURL = u.String()
	default:
		f.url = testdb.SQLite(t)
	}
	dev, cleanup, err := dialect.OpenDev(ctx, engine, devURL)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	s, err := apply.Replay(ctx, dev, dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.snapshot = schema.EncodeSnapshot(s)

	f.target, err = dialect.Open(ctx, f.url, dialect.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.target.Close() })
	f.db = f.target.DB()
	f.apply(t, 2) // release 1's migrations only
	return f
}

func (f *fixture) apply(t *testing.T, to int64) {
	t.Helper()
	if _, err := (&apply.Runner{DB: f.target, Dir: f.dir}).Apply(context.Background(), apply.Options{To: to}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) guard(t *testing.T, opts ...guard.Option) *guard.Guard {
	t.Helper()
	opts = append([]guard.Option{guard.WithSnapshot(f.snapshot), guard.WithRelease("authsvc", "2"),
		guard.WithMigrations(f.fsys), guard.WithInterval(50 * time.Millisecond)}, opts...)
	g, err := guard.New(f.db, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func forEngine(t *testing.T, test func(t *testing.T, engine string)) {
	for _, engine := range []string{"postgres", "sqlite", "mysql"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			test(t, engine)
		})
	}
}

func get(t *testing.T, h http.Handler) (int, http.Header, map[string]any) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, rec.Body.String())
	}
	return rec.Code, rec.Header(), body
}

func TestCheckNamesTheMigrationThatWouldFixEachDifference(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		g := f.guard(t)
		err := g.Check(context.Background())
		var inc *guard.IncompatibleError
		if !errorsAs(err, &inc) {
			t.Fatalf("want an IncompatibleError, got %v", err)
		}
		want := "column tenants.domain_verified is missing: migration 0007_verify_domains has not been applied"
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
		if g.Compatible() {
			t.Error("Compatible() is true")
		}
		f.apply(t, 0)
		if err := g.Check(context.Background()); err != nil {
			t.Errorf("after the migration: %v", err)
		}
	})
}

func TestHandlersAndMiddlewareFollowTheSchema(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		g := f.guard(t)
		called := 0
		app := g.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { called++ }))

		// Before any check: not ready.
		if code, _, _ := get(t, g.ReadyHandler()); code != http.StatusServiceUnavailable {
			t.Errorf("ready before any check: %d", code)
		}
		_ = g.Check(context.Background())
		code, hdr, body := get(t, g.ReadyHandler())
		if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" {
			t.Errorf("ready while behind: %d, Retry-After %q", code, hdr.Get("Retry-After"))
		}
		if body["compatible"] != false || !strings.Contains(body["reason"].(string), "0007_verify_domains") {
			t.Errorf("ready body: %v", body)
		}
		code, hdr, _ = get(t, app)
		if code != http.StatusServiceUnavailable || hdr.Get("Retry-After") == "" || called != 0 {
			t.Errorf("middleware while behind: %d, Retry-After %q, next called %d times", code, hdr.Get("Retry-After"), called)
		}
		code, _, body = get(t, g.StatusHandler())
		diffs, _ := body["differences"].([]any)
		if code != 200 || body["release"] != "authsvc 2" || body["fingerprint"] == "" || len(diffs) != 1 {
			t.Errorf("status endpoint: %d %v", code, body)
		}

		f.apply(t, 0)
		if err := g.Recheck(context.Background()); err != nil {
			t.Fatal(err)
		}
		if code, _, _ := get(t, g.ReadyHandler()); code != http.StatusOK {
			t.Errorf("ready after the migration: %d", code)
		}
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
		if called != 1 {
			t.Errorf("middleware did not call next once compatible (%d)", called)
		}
	})
}

func TestRunFlipsReadinessWhenTheSchemaChangesUnderIt(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.apply(t, 0)
		g := f.guard(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		done := make(chan struct{})
		go func() { g.Run(ctx); close(done) }()
		waitFor(t, "ready", func() bool { return g.Compatible() })

		if _, err := f.db.Exec("DROP TABLE users"); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "not ready after DROP TABLE", func() bool { return !g.Compatible() })
		if !strings.Contains(g.Status().Reason, "users") {
			t.Errorf("reason: %q", g.Status().Reason)
		}
		cancel()
		<-done
	})
}

func TestRegistryHeartbeat(t *testing.T) {
	forEngine(t, func(t *testing.T, engine string) {
		f := newFixture(t, engine)
		f.apply(t, 0)
		g := f.guard(t, guard.WithInstanceID("pod-a"))
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { g.Run(ctx); close(done) }()
		reg := f.target.(dialect.Registrar).Registry()
		var instances []dialect.Instance
		waitFor(t, "registered", func() bool {
			instances, _ = reg.Instances(context.Background(), f.db)
			return len(instances) == 1
		})
		in := instances[0]
		if in.ID != "pod-a" || in.App != "authsvc" || in.Release != "2" || !strings.HasPrefix(in.Fingerprint, "sha256:") {
			t.Errorf("instance row: %+v", in)
		}
		// The release row is written right after the instance row.
		var releases []dialect.Release
		waitFor(t, "release stored", func() bool {
			releases, _ = reg.Releases(context.Background(), f.db)
			return len(releases) == 1
		})
		if snap, err := schema.DecodeSnapshot(releases[0].Snapshot); err != nil || snap.Fingerprint != in.Fingerprint {
			t.Errorf("stored snapshot does not decode to the release's fingerprint: %v", err)
		}
		first := in.LastSeen
		waitFor(t, "heartbeat advances", func() bool {
			instances, _ = reg.Instances(context.Background(), f.db)
			return len(instances) == 1 && instances[0].LastSeen.After(first)
		})
		if !g.Status().Registered {
			t.Errorf("status says not registered: %+v", g.Status())
		}
		cancel()
		<-done
		if instances, _ = reg.Instances(context.Background(), f.db); len(instances) != 0 {
			t.Errorf("the row stayed after an orderly shutdown: %+v", instances)
		}
	})
}

func TestReadOnlyRoleStillChecks(t *testing.T) {
	f := newFixture(t, "postgres")
	f.apply(t, 0)
	role := "sgt_guard_ro_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	for _, stmt := range []string{
		`CREATE ROLE "` + role + `" LOGIN`,
		`GRANT USAGE ON SCHEMA public TO "` + role + `"`,
		`GRANT SELECT ON ALL TABLES IN SCHEMA public TO "` + role + `"`,
	} {
		if _, err := f.db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		f.db.Exec(`DROP OWNED BY "` + role + `"`)
		f.db.Exec(`DROP ROLE IF EXISTS "` + role + `"`)
	})
	u, _ := url.Parse(f.url)
	u.User = url.User(role)
	ro, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	g, err := guard.New(ro, guard.WithSnapshot(f.snapshot), guard.WithRelease("authsvc", "2"), guard.WithInterval(50*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { g.Run(ctx); close(done) }()
	waitFor(t, "checked", func() bool { return !g.Status().CheckedAt.IsZero() && g.Status().RegistrationError != "" })
	s := g.Status()
	if !s.Compatible || s.Registered || !strings.Contains(s.RegistrationError, "permission denied") {
		t.Errorf("read-only guard: %+v", s)
	}
	cancel()
	<-done
}

func TestMetrics(t *testing.T) {
	f := newFixture(t, "sqlite")
	g := f.guard(t)
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(g.Collector())
	_ = g.Check(context.Background())
	if err := testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP schemagate_schema_compatible 1 when the live database schema can serve this release, else 0.
# TYPE schemagate_schema_compatible gauge
schemagate_schema_compatible 0
# HELP schemagate_check_failures_total Schema checks that found the schema incompatible or could not be made.
# TYPE schemagate_check_failures_total counter
schemagate_check_failures_total 1
`), "schemagate_schema_compatible", "schemagate_check_failures_total"); err != nil {
		t.Error(err)
	}
	f.apply(t, 0)
	_ = g.Check(context.Background())
	if v := testutil.ToFloat64(collectorGauge(t, reg)); v != 1 {
		t.Errorf("schemagate_schema_compatible = %v after the migration", v)
	}
	if n, err := testutil.GatherAndCount(reg, "schemagate_check_duration_seconds"); err != nil || n != 1 {
		t.Errorf("duration histogram: %d series, %v", n, err)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	db, _ := sql.Open("sqlite", ":memory:")
	defer db.Close()
	for name, opts := range map[string][]guard.Option{
		"no snapshot":      {guard.WithRelease("a", "1")},
		"no release":       {guard.WithSnapshot([]byte(`{}`))},
		"garbage snapshot": {guard.WithSnapshot([]byte(`{"format_version": 1}`)), guard.WithRelease("a", "1")},
		"empty version":    {guard.WithRelease("a", "")},
		"tiny interval":    {guard.WithInterval(time.Microsecond)},
	} {
		if _, err := guard.New(db, opts...); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestACompatibleReleaseRidesOutABriefCheckFailure(t *testing.T) {
	f := newFixture(t, "sqlite")
	f.apply(t, 0)
	g := f.guard(t) // interval 50ms: the grace is three intervals
	if err := g.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.db.Close() // the database becomes unreachable
	if err := g.Check(context.Background()); err == nil {
		t.Fatal("a check on a closed database succeeded")
	}
	if !g.Compatible() {
		t.Error("one failed check turned a compatible release unready: a database blip would take every instance out")
	}
	time.Sleep(200 * time.Millisecond)
	_ = g.Check(context.Background())
	if g.Compatible() {
		t.Error("still ready after the grace period with no successful check")
	}
	if !strings.Contains(g.Status().Reason, "closed") {
		t.Errorf("reason: %q", g.Status().Reason)
	}
}
