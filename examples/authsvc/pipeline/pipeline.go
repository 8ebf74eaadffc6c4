// Package pipeline holds the two schema steps of the auth service's deploy
// pipeline, written against the schemagate library: the migration job
// (`schemagate apply`) and the deploy gate (`schemagate verify`).
//
// They take the release's embedded migration directory and snapshot, so
// the pipeline checks exactly what the release carries.
package pipeline

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/examples/authsvc/migrations"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

// Migrate is the migration job: it applies the release's pending
// migrations under schemagate's lock (any number of copies may run at
// once; one applies, the others find nothing to do).
func Migrate(ctx context.Context, db dialect.Database, release int, log *slog.Logger) (*apply.Result, error) {
	dir, err := loadDir(release)
	if err != nil {
		return nil, err
	}
	return (&apply.Runner{DB: db, Dir: dir, Log: log, AppliedBy: fmt.Sprintf("authsvc release %d migration job", release)}).
		Apply(ctx, apply.Options{})
}

// Gate is the deploy gate: `schemagate verify` for the release's embedded
// migrations and snapshot. It returns nil when the database can serve the
// release, else a *schemagate.Error whose exit code (schemagate.ExitCode)
// is the CLI's: 3 when the database is behind, with a message that names
// each missing object and the migration that creates it; 4 when the
// schema contradicts the release.
//
// In ModeCompatible (what a rollout uses) a schema that a newer release
// extended passes: this is the check that says an application rollback
// needs no schema change. The gate only reads.
func Gate(ctx context.Context, db dialect.Database, release int, mode apply.Mode) error {
	dir, err := loadDir(release)
	if err != nil {
		return err
	}
	data, err := migrations.Snapshot(release, db.Dialect())
	if err != nil {
		return err
	}
	snap, err := schema.DecodeSnapshot(data)
	if err != nil {
		return err
	}
	return (&apply.Gate{DB: db, Dir: dir, Snapshot: snap, Mode: mode}).Check(ctx)
}

func loadDir(release int) (*migration.Dir, error) {
	fsys, err := migrations.Dir(release)
	if err != nil {
		return nil, err
	}
	dir, err := migration.Load(fsys)
	if err != nil {
		return nil, fmt.Errorf("release %d migrations: %w", release, err)
	}
	return dir, nil
}
