package dialect

import (
	"context"

	"github.com/schemagate/schemagate"
)

// DevOpener opens a dev database for an engine: an empty, throw-away
// database in which schemagate replays migrations to learn the schema they
// produce. devURL is what the operator passed as --dev-url (possibly empty).
// The returned cleanup removes everything the replay created; callers must
// always call it.
type DevOpener func(ctx context.Context, devURL string) (db Database, cleanup func(), err error)

var devOpeners = map[string]DevOpener{}

// RegisterDev makes a dev database available for the engine named dialect
// ("postgres", "sqlite", …). Engines call it from init.
func RegisterDev(dialect string, open DevOpener) {
	registryMu.Lock()
	defer registryMu.Unlock()
	devOpeners[dialect] = open
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
	open := devOpeners[dialect]
	registryMu.RUnlock()
	if open == nil {
		return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_unsupported",
			"no dev database support for %s", dialect)
	}
	return open(ctx, devURL)
}
