// Package auth is a small multi-tenant authentication service: tenants are
// reached on custom domains of their own (the tenant is found by the Host
// header), users sign in with a password checked against a bcrypt hash,
// and a signed session token proves the sign-in to later requests.
//
// Release 1 and release 2 of the service live side by side in this package,
// so that the incident replay can roll from one to the other in one
// process; in a real repository they would be two commits. Release 2 serves
// a custom domain only once it is verified, and reads the column its
// migration 0003_verify_domains adds.
//
// The handlers are written the ordinary way: a failed tenant lookup answers
// 404 "unknown tenant" and a failed user lookup 401 "invalid credentials",
// whether the row is absent or the query itself failed. Against a schema it
// does not expect, such code gives wrong answers rather than errors, which
// is how the outage behind schemagate produced 401s and 404s for 18
// minutes. The guard (see NewInstance) is what keeps it from serving then.
package auth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// App is the application's name, as the guard registers it.
const App = "authsvc"

// Config configures the service.
type Config struct {
	// DB is the connection pool.
	DB *sql.DB
	// Dialect is the engine behind DB, "postgres" or "sqlite"; it decides
	// the query placeholders.
	Dialect string
	// Release is the release to run: 1 or 2.
	Release int
	// SessionKey signs session tokens; at least 32 bytes, the same on
	// every instance.
	SessionKey []byte
	// SessionTTL is how long a session lasts; default one hour.
	SessionTTL time.Duration
	// Logger receives the service's logs; default slog.Default().
	Logger *slog.Logger
}

// queries are the statements one release runs, written with ? and rebound
// for the engine.
type queries struct {
	tenantByDomain string
	userByEmail    string
	sessionUser    string
}

var releaseQueries = map[int]queries{
	1: {
		tenantByDomain: `SELECT id, name FROM tenants WHERE domain = ?`,
		userByEmail:    `SELECT id, password_hash FROM users WHERE tenant_id = ? AND email = ?`,
		sessionUser: `SELECT u.email, t.name, t.domain FROM users u JOIN tenants t ON t.id = u.tenant_id
			WHERE u.id = ? AND t.id = ?`,
	},
	2: {
		tenantByDomain: `SELECT id, name FROM tenants WHERE domain = ? AND domain_verified`,
		userByEmail:    `SELECT id, password_hash FROM users WHERE tenant_id = ? AND email = ?`,
		sessionUser: `SELECT u.email, t.name, t.domain FROM users u JOIN tenants t ON t.id = u.tenant_id
			WHERE u.id = ? AND t.id = ? AND t.domain_verified`,
	},
}

// Service serves the application's routes: POST /login and GET /me.
type Service struct {
	db      *sql.DB
	q       queries
	signer  *Signer
	ttl     time.Duration
	release int
	log     *slog.Logger
	// dummyHash is compared against when the user does not exist, so that
	// an unknown e-mail address takes as long as a wrong password.
	dummyHash []byte
}

// New returns the service for cfg.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil {
		return nil, errors.New("auth: no database")
	}
	q, ok := releaseQueries[cfg.Release]
	if !ok {
		return nil, fmt.Errorf("auth: release %d does not exist (releases: 1, 2)", cfg.Release)
	}
	if cfg.Dialect != "postgres" && cfg.Dialect != "sqlite" {
		return nil, fmt.Errorf("auth: unsupported engine %q (postgres or sqlite)", cfg.Dialect)
	}
	if cfg.Dialect == "postgres" {
		q = queries{
			tenantByDomain: rebind(q.tenantByDomain),
			userByEmail:    rebind(q.userByEmail),
			sessionUser:    rebind(q.sessionUser),
		}
	}
	signer, err := NewSigner(cfg.SessionKey)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	s := &Service{db: cfg.DB, q: q, signer: signer, ttl: cfg.SessionTTL, release: cfg.Release, log: cfg.Logger}
	if s.ttl <= 0 {
		s.ttl = time.Hour
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.dummyHash, _ = bcrypt.GenerateFromPassword([]byte("no such user"), bcrypt.MinCost)
	return s, nil
}

// Release is the release the service runs.
func (s *Service) Release() int { return s.release }

// Handler returns the application's routes.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /me", s.me)
	return mux
}

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

// LoginResponse is the answer to a successful POST /login.
type LoginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// MeResponse is the answer to GET /me.
type MeResponse struct {
	UserID  string `json:"user_id"`
	Email   string `json:"email"`
	Tenant  string `json:"tenant"`
	Domain  string `json:"domain"`
	Release int    `json:"release"`
}

func (s *Service) login(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&req); err != nil || req.Email == "" || req.Password == "" {
		writeError(w, http.StatusBadRequest, "send a JSON body with email and password")
		return
	}
	ctx := r.Context()
	var tenantID, tenantName string
	if err := s.db.QueryRowContext(ctx, s.q.tenantByDomain, requestDomain(r)).Scan(&tenantID, &tenantName); err != nil {
		s.logLookup(ctx, "tenant", err)
		writeError(w, http.StatusNotFound, "unknown tenant")
		return
	}
	var userID, hash string
	err := s.db.QueryRowContext(ctx, s.q.userByEmail, tenantID, strings.ToLower(req.Email)).Scan(&userID, &hash)
	if err != nil {
		s.logLookup(ctx, "user", err)
		_ = bcrypt.CompareHashAndPassword(s.dummyHash, []byte(req.Password))
		writeError(w, http.StatusUnauthorized, "invalid credentials")
		return
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(req.Password)) != nil {
		writeError(w, http.StatusUnauthorized, "invalid credentials")
		return
	}
	session := Session{UserID: userID, TenantID: tenantID, Expires: time.Now().Add(s.ttl).UTC().Truncate(time.Second)}
	writeJSON(w, http.StatusOK, LoginResponse{Token: s.signer.Sign(session), ExpiresAt: session.Expires})
}

func (s *Service) me(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		writeError(w, http.StatusUnauthorized, "missing bearer token")
		return
	}
	session, err := s.signer.Verify(token, time.Now())
	if err != nil {
		writeError(w, http.StatusUnauthorized, err.Error())
		return
	}
	ctx := r.Context()
	var me MeResponse
	err = s.db.QueryRowContext(ctx, s.q.sessionUser, session.UserID, session.TenantID).Scan(&me.Email, &me.Tenant, &me.Domain)
	if err != nil {
		s.logLookup(ctx, "session user", err)
		writeError(w, http.StatusUnauthorized, "invalid session")
		return
	}
	// A token is good only on its own tenant's domain.
	if me.Domain != requestDomain(r) {
		writeError(w, http.StatusUnauthorized, "invalid session")
		return
	}
	me.UserID, me.Release = session.UserID, s.release
	writeJSON(w, http.StatusOK, me)
}

// logLookup logs a failed lookup the way such code usually does: quietly,
// because "not found" is routine.
func (s *Service) logLookup(ctx context.Context, what string, err error) {
	if errors.Is(err, sql.ErrNoRows) || ctx.Err() != nil {
		return
	}
	s.log.Debug(what+" lookup failed", "error", err)
}

// requestDomain is the host the client asked for, without the port.
func requestDomain(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return strings.ToLower(strings.TrimSuffix(host, "."))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, …. The service's
// queries hold no ? inside literals.
func rebind(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
