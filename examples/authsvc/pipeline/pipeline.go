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
	"strings"

	"github.com/schemagate/schemagate"
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
	if err := snap.CheckDialect(db.Dialect()); err != nil {
		return err
	}
	records, err := db.History().Records(ctx, db.DB())
	if err != nil {
		return schemagate.Errorf(schemagate.KindError, "database_error", "read history of %s: %w", db.Target(), err)
	}
	report := apply.Compare(dir, records)

	// The live structure first: it is the truth, and its message names
	// what is missing and the migration that brings it.
	live, err := dialect.Inspect(ctx, db, nil)
	if err != nil {
		return err
	}
	if err := structural(snap, live, report, mode); err != nil {
		return err
	}
	return report.VerifyError(mode)
}

func structural(snap *schema.Snapshot, live *schema.Schema, report *apply.Report, mode apply.Mode) error {
	var problems []schema.Difference
	if mode == apply.ModeExact {
		if live.Fingerprint() == snap.Fingerprint {
			return nil
		}
		problems = schema.Diff(snap.Schema, live)
	} else {
		rep := schema.Compatible(snap.Schema, live)
		if rep.Compatible {
			return nil
		}
		problems = rep.Problems
	}
	missingOnly := true
	lines := make([]string, len(problems))
	for i, p := range problems {
		missingOnly = missingOnly && p.Missing()
		lines[i] = report.Explain(p)
	}
	if missingOnly {
		return schemagate.Errorf(schemagate.KindBehind, "schema_behind",
			"the database lacks what this release needs:\n  %s", strings.Join(lines, "\n  ")).
			WithHint("apply the pending migrations (schemagate apply), then verify again")
	}
	return schemagate.Errorf(schemagate.KindIntegrity, "schema_incompatible",
		"the live schema contradicts what this release needs:\n  %s", strings.Join(lines, "\n  ")).
		WithHint("the schema was changed in a way this release cannot use; compare in full with `schemagate diff`")
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
