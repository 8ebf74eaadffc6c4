package sqlite

import (
	"context"
	"strings"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
)

func init() {
	dialect.RegisterDev("sqlite", openDev)
}

// openDev replays in a private in-memory database. A --dev-url, if given,
// must be sqlite://:memory: — a file would outlive the replay.
func openDev(ctx context.Context, devURL string) (dialect.Database, func(), error) {
	if devURL != "" && !strings.HasSuffix(devURL, "://:memory:") {
		return nil, nil, schemagate.Errorf(schemagate.KindUsage, "dev_url_invalid",
			"SQLite replays migrations in memory; --dev-url %s is not needed", dialect.Redact(devURL)).
			WithHint("leave --dev-url out for SQLite")
	}
	db, err := Open(ctx, "sqlite://:memory:", dialect.Options{Create: true})
	if err != nil {
		return nil, nil, err
	}
	return db, func() { db.Close() }, nil
}
