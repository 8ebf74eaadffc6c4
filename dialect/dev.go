package dialect

import (
	"context"
	"slices"
	"strings"

	"github.com/schemagate/schemagate"
)

// DevOpener opens a dev database for an engine: an empty, throw-away
// database in which schemagate replays migrations to learn the schema they
// produce. devURL is what the operator passed as --dev-url (possibly empty).
// The returned cleanup removes everything the replay created; callers must
// always call it.
type DevOpener func(ctx context.Context, devURL string) (db Database, cleanup func(), err error)

type devEngine struct {
	open DevOpener
	// schemes are the URL schemes a --dev-url must have; none for an
	// engine that needs no URL (SQLite).
	schemes []string
}

var devOpeners = map[string]devEngine{}

// RegisterDev makes a dev database available for the engine named dialect
// ("postgres", "sqlite", …). A server engine lists the URL schemes of its
// dev URLs; OpenDev then refuses a missing URL or one of another engine
// before open sees it. Engines call it from init.
func RegisterDev(dialect string, open DevOpener, schemes ...string) {
	registryMu.Lock()
	defer registryMu.Unlock()
	devOpeners[dialect] = devEngine{open: open, schemes: schemes}
}

// OpenDev opens a dev database for the engine named dialect.
//
// SQLite needs no URL: it replays in memory. Server engines accept either a
// server URL without a database name, where schemagate creates a throw-away
// database and always drops it, or the URL of an empty database, where the
// replay happens in a scratch namespace that is dropped afterwards. A
// database that is not empty is refused, so that a mistyped --dev-url never
// touches a real database.
func OpenDev(ctx context.Context, dialect, devURL string) (Database, func(), error) {
	registryMu.RLock()
	engine, ok := devOpeners[dialect]
	registryMu.RUnlock()
	if !ok {
		return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_unsupported",
			"no dev database support for %s", dialect)
	}
	if len(engine.schemes) > 0 {
		example := engine.schemes[0] + "://user@host/"
		if devURL == "" {
			return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_url_missing",
				"replaying %s migrations needs a dev database: pass --dev-url", dialect).
				WithHint("give a server URL without a database name (%s) where schemagate may create and drop a throw-away database, or the URL of an empty database", example)
		}
		scheme, _, _ := strings.Cut(devURL, "://")
		if !slices.Contains(engine.schemes, strings.ToLower(scheme)) {
			return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_url_invalid",
				"--dev-url %s is not a %s:// URL", Redact(devURL), engine.schemes[0])
		}
	}
	return engine.open(ctx, devURL)
}
