package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/schemagate/schemagate/dialect"
	_ "github.com/schemagate/schemagate/dialect/postgres"
	_ "github.com/schemagate/schemagate/dialect/sqlite"
	"github.com/schemagate/schemagate/examples/authsvc/auth"
	"github.com/schemagate/schemagate/examples/authsvc/pipeline"
	"github.com/schemagate/schemagate/internal/testdb"
)

var engines = []struct {
	name string
	url  func(testing.TB) string
}{
	{"postgres", testdb.Postgres},
	{"sqlite", testdb.SQLite},
}

var sessionKey = bytes.Repeat([]byte("k"), 32)

// database returns a database of the engine migrated to release and
// seeded with the demo tenants of both regions.
func database(t *testing.T, url func(testing.TB) string, release int) dialect.Database {
	t.Helper()
	ctx := context.Background()
	db, err := dialect.Open(ctx, url(t), dialect.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := pipeline.Migrate(ctx, db, release, nil); err != nil {
		t.Fatalf("migrate to release %d: %v", release, err)
	}
	tenants := append(append([]auth.Tenant(nil), auth.DemoTenants["eu"]...), auth.DemoTenants["us"]...)
	if err := auth.Seed(ctx, db.DB(), db.Dialect(), tenants, bcrypt.MinCost); err != nil {
		t.Fatal(err)
	}
	return db
}

// serve runs an instance of release against db.
func serve(t *testing.T, db dialect.Database, release int, guarded bool) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	inst, err := auth.NewInstance(ctx, auth.InstanceConfig{
		Config:          auth.Config{DB: db.DB(), Dialect: db.Dialect(), Release: release, SessionKey: sessionKey},
		Guard:           guarded,
		RecheckInterval: 100 * time.Millisecond,
	})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	srv := httptest.NewServer(inst.Handler)
	t.Cleanup(func() {
		srv.Close()
		cancel()
	})
	return srv
}

type response struct {
	status int
	header http.Header
	body   map[string]any
}

func call(t *testing.T, srv *httptest.Server, method, path, host, token string, body any) response {
	t.Helper()
	var r io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := response{status: resp.StatusCode, header: resp.Header}
	_ = json.NewDecoder(resp.Body).Decode(&out.body)
	return out
}

func login(t *testing.T, srv *httptest.Server, host, email, password string) response {
	t.Helper()
	return call(t, srv, http.MethodPost, "/login", host, "", map[string]string{"email": email, "password": password})
}

func TestService(t *testing.T) {
	acme, hooli := auth.DemoTenants["eu"][0], auth.DemoTenants["eu"][1]
	alice := acme.Users[0]
	for _, engine := range engines {
		for _, release := range []int{1, 2} {
			t.Run(engine.name+"/release"+string(rune('0'+release)), func(t *testing.T) {
				t.Parallel()
				srv := serve(t, database(t, engine.url, release), release, true)

				ok := login(t, srv, acme.Domain, alice.Email, alice.Password)
				if ok.status != http.StatusOK {
					t.Fatalf("login: %d %v, want 200", ok.status, ok.body)
				}
				token, _ := ok.body["token"].(string)
				me := call(t, srv, http.MethodGet, "/me", acme.Domain, token, nil)
				if me.status != http.StatusOK || me.body["email"] != alice.Email || me.body["tenant"] != acme.Name ||
					me.body["release"] != float64(release) {
					t.Errorf("/me: %d %v, want 200 for %s of %s on release %d", me.status, me.body, alice.Email, acme.Name, release)
				}
				// The Host header chooses the tenant; a port does not matter.
				if r := login(t, srv, strings.ToUpper(acme.Domain)+":443", alice.Email, alice.Password); r.status != http.StatusOK {
					t.Errorf("login with Host %s:443: %d, want 200", acme.Domain, r.status)
				}

				for _, tc := range []struct {
					name         string
					got          response
					status       int
					errorMessage string
				}{
					{"wrong password", login(t, srv, acme.Domain, alice.Email, "wrong"), 401, "invalid credentials"},
					{"unknown user", login(t, srv, acme.Domain, "nobody@acme.example", alice.Password), 401, "invalid credentials"},
					{"user of another tenant", login(t, srv, hooli.Domain, alice.Email, alice.Password), 401, "invalid credentials"},
					{"unknown host", login(t, srv, "login.unknown.example", alice.Email, alice.Password), 404, "unknown tenant"},
					{"no body", call(t, srv, http.MethodPost, "/login", acme.Domain, "", nil), 400, ""},
					{"/me without token", call(t, srv, http.MethodGet, "/me", acme.Domain, "", nil), 401, "missing bearer token"},
					{"/me with a forged token", call(t, srv, http.MethodGet, "/me", acme.Domain, token+"x", nil), 401, ""},
					{"/me on another tenant's domain", call(t, srv, http.MethodGet, "/me", hooli.Domain, token, nil), 401, "invalid session"},
				} {
					if tc.got.status != tc.status || (tc.errorMessage != "" && tc.got.body["error"] != tc.errorMessage) {
						t.Errorf("%s: %d %v, want %d %q", tc.name, tc.got.status, tc.got.body, tc.status, tc.errorMessage)
					}
				}
				if r := call(t, srv, http.MethodGet, "/healthz", "", "", nil); r.status != http.StatusOK {
					t.Errorf("/healthz: %d, want 200", r.status)
				}
				if r := call(t, srv, http.MethodGet, "/readyz", "", "", nil); r.status != http.StatusOK {
					t.Errorf("/readyz: %d %v, want 200", r.status, r.body)
				}
			})
		}
	}
}

// TestReleaseTwoOnTheOldSchema is the outage in miniature: without the
// guard, release 2 on release 1's schema is "ready" and answers 404 and
// 401, not errors.
func TestReleaseTwoOnTheOldSchema(t *testing.T) {
	acme := auth.DemoTenants["eu"][0]
	alice := acme.Users[0]
	for _, engine := range engines {
		t.Run(engine.name, func(t *testing.T) {
			t.Parallel()
			db := database(t, engine.url, 1)
			old := serve(t, db, 1, false)
			token, _ := login(t, old, acme.Domain, alice.Email, alice.Password).body["token"].(string)
			if token == "" {
				t.Fatal("release 1 did not sign in")
			}

			srv := serve(t, db, 2, false)
			if r := call(t, srv, http.MethodGet, "/readyz", "", "", nil); r.status != http.StatusOK {
				t.Errorf("/readyz: %d, want 200 (an unguarded service only pings the database)", r.status)
			}
			if r := login(t, srv, acme.Domain, alice.Email, alice.Password); r.status != http.StatusNotFound {
				t.Errorf("login: %d %v, want the outage's wrong 404", r.status, r.body)
			}
			if r := call(t, srv, http.MethodGet, "/me", acme.Domain, token, nil); r.status != http.StatusUnauthorized {
				t.Errorf("/me: %d %v, want the outage's wrong 401", r.status, r.body)
			}
		})
	}
}

// TestGuardedReleaseWaitsForItsMigration: guarded, release 2 on the old
// schema starts, stays not ready and answers 503 (never a wrong answer),
// with a liveness probe that stays green; once the migration runs it
// becomes ready on its own. Release 1 then still runs on the new schema.
func TestGuardedReleaseWaitsForItsMigration(t *testing.T) {
	acme := auth.DemoTenants["eu"][0]
	alice := acme.Users[0]
	for _, engine := range engines {
		t.Run(engine.name, func(t *testing.T) {
			t.Parallel()
			db := database(t, engine.url, 1)
			srv := serve(t, db, 2, true)

			if r := call(t, srv, http.MethodGet, "/healthz", "", "", nil); r.status != http.StatusOK {
				t.Errorf("/healthz: %d, want 200: liveness must not depend on the schema", r.status)
			}
			ready := call(t, srv, http.MethodGet, "/readyz", "", "", nil)
			if reason, _ := ready.body["reason"].(string); ready.status != http.StatusServiceUnavailable ||
				!strings.Contains(reason, "tenants.domain_verified") || !strings.Contains(reason, "0003_verify_domains") {
				t.Errorf("/readyz: %d %v, want 503 naming tenants.domain_verified and 0003_verify_domains", ready.status, ready.body)
			}
			r := login(t, srv, acme.Domain, alice.Email, alice.Password)
			if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
				t.Errorf("login: %d (Retry-After %q), want 503 with Retry-After", r.status, r.header.Get("Retry-After"))
			}
			if s := call(t, srv, http.MethodGet, "/schemaz", "", "", nil); s.status != http.StatusOK || s.body["compatible"] != false {
				t.Errorf("/schemaz: %d %v, want 200 with compatible false", s.status, s.body)
			}

			if _, err := pipeline.Migrate(context.Background(), db, 2, nil); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for call(t, srv, http.MethodGet, "/readyz", "", "", nil).status != http.StatusOK {
				if time.Now().After(deadline) {
					t.Fatal("release 2 did not become ready after its migration")
				}
				time.Sleep(20 * time.Millisecond)
			}
			if r := login(t, srv, acme.Domain, alice.Email, alice.Password); r.status != http.StatusOK {
				t.Errorf("login after the migration: %d %v, want 200", r.status, r.body)
			}

			// The change is additive: release 1 runs on release 2's schema.
			old := serve(t, db, 1, true)
			if r := call(t, old, http.MethodGet, "/readyz", "", "", nil); r.status != http.StatusOK {
				t.Errorf("release 1 on the new schema: /readyz %d %v, want 200", r.status, r.body)
			}
			if r := login(t, old, acme.Domain, alice.Email, alice.Password); r.status != http.StatusOK {
				t.Errorf("release 1 on the new schema: login %d, want 200", r.status)
			}
		})
	}
}
