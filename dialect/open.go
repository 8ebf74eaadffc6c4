package dialect

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/schemagate/schemagate"
)

// Options tune how a database is opened.
type Options struct {
	// Create allows an embedded engine (SQLite) to create a database file
	// that does not exist yet. Commands that only read (status, verify)
	// leave it false, so a mistyped path is an error rather than a new,
	// empty database that looks "behind".
	Create bool
	// Schema is the namespace to work in, for engines that have one
	// (PostgreSQL); empty means the engine's default ("public").
	Schema string
}

// Opener connects to the database a URL names. It must return errors that
// never contain the URL's credentials.
type Opener func(ctx context.Context, rawURL string, opts Options) (Database, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]Opener{}
)

// Register makes an engine available for the given URL schemes. Engines
// call it from init.
func Register(open Opener, schemes ...string) {
	registryMu.Lock()
	defer registryMu.Unlock()
	for _, s := range schemes {
		registry[s] = open
	}
}

// Schemes lists the registered URL schemes, sorted.
func Schemes() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for s := range registry {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Open connects to the database rawURL names, through the engine registered
// for its scheme.
func Open(ctx context.Context, rawURL string, opts Options) (Database, error) {
	if strings.TrimSpace(rawURL) == "" {
		return nil, schemagate.Errorf(schemagate.KindUsage, "url_missing", "no database URL given").
			WithHint("pass --url or set DATABASE_URL, e.g. postgres://user@host:5432/db or sqlite://app.db")
	}
	scheme, _, ok := strings.Cut(rawURL, "://")
	registryMu.RLock()
	open := registry[strings.ToLower(scheme)]
	registryMu.RUnlock()
	if !ok || open == nil {
		var examples []string
		for _, s := range Schemes() {
			examples = append(examples, s+"://")
		}
		return nil, schemagate.Errorf(schemagate.KindUsage, "url_unsupported",
			"unsupported database URL %s (supported schemes: %s)", Redact(rawURL), strings.Join(examples, ", ")).
			WithHint("write the URL as postgres://user@host:5432/db, mysql://user@host:3306/db or sqlite://path/to/file.db")
	}
	return open(ctx, rawURL, opts)
}

var (
	// userinfoPassword matches the password part of scheme://user:password@.
	userinfoPassword = regexp.MustCompile(`(://[^:/?#@\s]*):[^@/\s]*@`)
	// passwordParam matches password-like key=value pairs in query strings
	// and keyword/value connection strings.
	passwordParam = regexp.MustCompile(`(?i)((?:^|[?&;\s])(?:password|sslpassword|passwd|pass|pwd|secret|token)=)('[^']*'|[^&;\s]*)`)
)

// Redact returns s with every credential it may hold masked: the password
// of URL user info, password-like query parameters (password=, sslpassword=,
// …) and keyword/value pairs. It works on malformed URLs too, and is safe to
// apply to any text, such as an error message that may quote a URL.
func Redact(s string) string {
	s = userinfoPassword.ReplaceAllString(s, "${1}:xxxxx@")
	return passwordParam.ReplaceAllString(s, "${1}xxxxx")
}

// RedactSecret masks every occurrence of secret in s, for text produced by
// a driver that might quote a password verbatim. An empty or very short
// secret is left alone, since masking it would garble ordinary words.
func RedactSecret(s, secret string) string {
	if len(secret) < 3 {
		return Redact(s)
	}
	return Redact(strings.ReplaceAll(s, secret, "xxxxx"))
}

// ServerError is an error reported by the database server for a statement.
type ServerError struct {
	// Code is the engine's error code: SQLSTATE on PostgreSQL, the error
	// number on MySQL, the extended result code name on SQLite.
	Code string
	// CodeLabel names what Code is ("SQLSTATE", "error"), for messages.
	CodeLabel string
	Message   string
	// Detail and Hint carry the server's extra lines, when it sends them.
	Detail string
	Hint   string
	// Position is the 1-based character offset in the statement where the
	// server located the error; 0 when unknown.
	Position int
	// Line is the 1-based line of the statement where the server located
	// the error, for servers that report a line rather than an offset
	// (MySQL); 0 when unknown.
	Line int
	// Rejected is true when the server refused the statement before
	// running any of it (a syntax error), so it certainly had no effect.
	Rejected bool
}

func (e *ServerError) String() string {
	s := e.Message
	if e.Code != "" {
		s = fmt.Sprintf("%s (%s)", e.Message, strings.TrimSpace(e.CodeLabel+" "+e.Code))
	}
	if e.Detail != "" {
		s += "; " + e.Detail
	}
	return s
}
