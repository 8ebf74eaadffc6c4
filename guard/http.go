package guard

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
)

// ReadyHandler answers 200 while the release can run on the live schema
// and 503 otherwise, with the Status as JSON in both cases. Use it as the
// readiness and startup probe, and as a Flagger webhook (which passes on
// any 2xx). Never use it as the liveness probe: a schema that is behind is
// not a reason to restart the process.
func (g *Guard) ReadyHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := g.Status()
		code := http.StatusOK
		if !s.Compatible {
			code = http.StatusServiceUnavailable
			w.Header().Set("Retry-After", g.retryAfter())
		}
		writeJSON(w, code, s)
	})
}

// StatusHandler always answers 200 with the Status as JSON:
//
//	{"compatible":true,"release":"authsvc 2","fingerprint":"sha256:…","differences":[…],…}
//
// for tools that read a field rather than a status code, such as an Argo
// Rollouts web metric with successCondition "result.compatible == true".
func (g *Guard) StatusHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, g.Status())
	})
}

// Middleware answers 503 with Retry-After, without calling next, while the
// release cannot run on the live schema: a client gets an honest "try
// again" instead of a wrong answer computed against the wrong schema.
func (g *Guard) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.Compatible() {
			next.ServeHTTP(w, r)
			return
		}
		s := g.Status()
		w.Header().Set("Retry-After", g.retryAfter())
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"error":   "service_unavailable",
			"message": "this release cannot run on the current database schema yet",
			"reason":  s.Reason,
			"release": s.Release,
		})
	})
}

// retryAfter is the re-check interval in whole seconds, at least 1.
func (g *Guard) retryAfter() string {
	return strconv.Itoa(int(math.Max(1, math.Ceil(g.interval.Seconds()))))
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
