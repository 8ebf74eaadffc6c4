package apply

import (
	"context"
	"strings"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

// Gate is the deploy gate (`schemagate verify`): does the database satisfy
// a release? It asks the database itself, never a job's status, in two
// ways:
//   - by version, with the release's migration directory: every migration
//     applied with its recorded checksum, none in progress;
//   - by structure, with the release's snapshot: the live schema has
//     everything the release needs, in a shape it can use (ModeCompatible),
//     or is exactly the snapshot (ModeExact).
//
// Check only reads: it takes no lock and creates nothing, so it is safe in
// an init container with a read-only role.
type Gate struct {
	DB dialect.Database
	// Dir is the release's migrations; nil checks structure only.
	Dir *migration.Dir
	// Snapshot is the schema the release needs; nil checks versions only.
	Snapshot *schema.Snapshot
	Mode     Mode

	// Report and Warnings are what the last Check found.
	Report   *Report
	Warnings []schema.Difference
}

// Check returns nil when the database satisfies the release. Otherwise it
// returns a KindBehind error (exit 3) when something the release needs is
// missing — each missing object named with the migration that creates it
// — or a KindIntegrity error (exit 4) when the schema contradicts the
// release, a migration was edited or left in progress, or (ModeExact) the
// database has versions the release does not know or drifted from what the
// history recorded.
func (g *Gate) Check(ctx context.Context) error {
	if g.Dir != nil {
		rep, err := Load(ctx, g.DB, g.Dir)
		if err != nil {
			return err
		}
		g.Report = rep
	}
	// The live structure first: it is the truth, and its message names
	// what is missing and which migration brings it.
	if g.Snapshot != nil {
		if err := g.Snapshot.CheckDialect(g.DB.Dialect()); err != nil {
			return err
		}
		live, err := dialect.Inspect(ctx, g.DB, nil)
		if err != nil {
			return err
		}
		if err := g.structural(live); err != nil {
			return err
		}
	}
	if g.Report != nil {
		if err := g.Report.VerifyError(g.Mode); err != nil {
			return err
		}
		if g.Mode == ModeExact {
			drift, err := CheckDrift(ctx, g.DB, g.Report)
			if err != nil {
				return err
			}
			return drift.Err()
		}
	}
	return nil
}

func (g *Gate) structural(live *schema.Schema) error {
	var problems []schema.Difference
	g.Warnings = nil
	if g.Mode == ModeExact {
		if live.Fingerprint() == g.Snapshot.Fingerprint {
			return nil
		}
		problems = schema.Diff(g.Snapshot.Schema, live)
	} else {
		rep := schema.Compatible(g.Snapshot.Schema, live)
		g.Warnings = rep.Warnings
		if rep.Compatible {
			return nil
		}
		problems = rep.Problems
	}
	missingOnly := true
	lines := make([]string, len(problems))
	for i, p := range problems {
		missingOnly = missingOnly && p.Missing()
		lines[i] = p.Message
		if g.Report != nil {
			lines[i] = g.Report.Explain(p)
		}
	}
	if missingOnly {
		return schemagate.Errorf(schemagate.KindBehind, "schema_behind",
			"the database lacks what this release needs:\n  %s", strings.Join(lines, "\n  ")).
			WithHint("apply the pending migrations (schemagate apply), then verify again")
	}
	what := "the live schema contradicts what this release needs"
	if g.Mode == ModeExact {
		what = "the live schema is not exactly the release's snapshot"
	}
	return schemagate.Errorf(schemagate.KindIntegrity, "schema_incompatible", "%s:\n  %s", what, strings.Join(lines, "\n  ")).
		WithHint("the schema was changed in a way this release cannot use; compare in full with `schemagate diff SNAPSHOT URL`")
}
