package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/registry"
	"github.com/schemagate/schemagate/schema"
)

func (a *app) verifyCommand() *cobra.Command {
	var (
		mode, snapshotFlag string
		releaseFingerprint string
		plan               bool
		wait               time.Duration
		guards             contractFlags
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "The deploy gate: fail unless the database is where this release needs it",
		Long: `verify exits 0 only when the database satisfies this release. Put it in the
deploy pipeline before the new release takes traffic, and in an init
container: it only reads, takes no lock, and never creates anything.

Two checks, both from the database itself:
  - versions: every migration in the directory is applied with its recorded
    checksum, and none is in progress;
  - structure (with --snapshot, or when DIR/schemagate.snapshot.json exists):
    the live schema has everything the release's snapshot needs, in a shape
    it can use. Each missing object is named with the migration that
    creates it.

  exit 3  behind: migrations not applied, or objects the release needs missing
  exit 4  contradiction: an applied migration was edited, one is in progress,
          a column exists with another type, the schema drifted from what the
          history recorded (--mode exact), or versions this release does not
          know (--mode exact)
  exit 5  --wait ran out

--mode compatible (default) accepts what a newer release added, so an
application rollback passes the gate; --mode exact requires the schema to be
exactly the snapshot. --wait D keeps checking until the database catches up
or D passes; on PostgreSQL a finishing apply wakes it at once.

--release-fingerprint F answers "can the release with snapshot F run on the
live schema?" from the snapshot its guarded instances stored in the database,
without deploying it: the question before an application rollback.

--plan answers "would applying the pending migrations break a release that is
still running?" by replaying them on the dev database (--dev-url) and
checking every live release's snapshot: exit 6 when one would break.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case plan:
				return commandError(a.runVerifyPlan(cmd.Context(), guards))
			case releaseFingerprint != "":
				return commandError(a.runVerifyRelease(cmd.Context(), releaseFingerprint, guards.ttl))
			}
			return commandError(a.runVerify(cmd.Context(), mode, snapshotFlag, wait))
		},
	}
	cmd.Flags().StringVar(&releaseFingerprint, "release-fingerprint", "", "check the registered release with this snapshot fingerprint (a unique prefix will do)")
	cmd.Flags().BoolVar(&plan, "plan", false, "check that the pending migrations would not break a live release")
	cmd.Flags().StringVar(&guards.devURL, "dev-url", "", "scratch database for --plan (see snapshot --help)")
	cmd.Flags().StringArrayVar(&guards.allowBreaking, "allow-breaking", nil, `with --plan: accept breaking this live release ("APP VERSION")`)
	cmd.Flags().DurationVar(&guards.ttl, "instance-ttl", registry.DefaultTTL, "an instance is live if it heartbeated within this long")
	cmd.Flags().StringVar(&mode, "mode", string(apply.ModeCompatible), "compatible or exact")
	cmd.Flags().StringVar(&snapshotFlag, "snapshot", "", "snapshot file the release needs (default DIR/schemagate.snapshot.json when present)")
	cmd.Flags().DurationVar(&wait, "wait", 0, "keep checking until satisfied or this long has passed (e.g. 5m)")
	return cmd
}

type verifyDocument struct {
	SchemaVersion int                 `json:"schema_version"`
	OK            bool                `json:"ok"`
	Status        string              `json:"status"`
	Database      string              `json:"database"`
	Mode          string              `json:"mode"`
	Applied       int                 `json:"applied"`
	Latest        string              `json:"latest,omitempty"`
	Snapshot      string              `json:"snapshot,omitempty"`
	Fingerprint   string              `json:"fingerprint,omitempty"`
	Warnings      []schema.Difference `json:"warnings,omitempty"`
}

// gate is one verify run's inputs; check is what --wait repeats.
type gate struct {
	db       dialect.Database
	dir      *migration.Dir // nil when there is no migration directory
	snapshot *schema.Snapshot
	mode     apply.Mode

	// Set by the last check, for the success message.
	report   *apply.Report
	warnings []schema.Difference
}

func (g *gate) check(ctx context.Context) error {
	var records []dialect.Record
	var err error
	if g.dir != nil {
		records, err = g.db.History().Records(ctx, g.db.DB())
		if err != nil {
			return schemagate.Errorf(schemagate.KindError, "database_error", "read history of %s: %w", g.db.Target(), err)
		}
		g.report = apply.Compare(g.dir, records)
	}
	// The live structure first: it is the truth, and its message names
	// what is missing and which migration brings it.
	if g.snapshot != nil {
		live, err := dialect.Inspect(ctx, g.db, nil)
		if err != nil {
			return err
		}
		if err := g.structural(live); err != nil {
			return err
		}
	}
	if g.report != nil {
		if err := g.report.VerifyError(g.mode); err != nil {
			return err
		}
		if g.mode == apply.ModeExact {
			drift, err := apply.CheckDrift(ctx, g.db, g.report)
			if err != nil {
				return err
			}
			if err := drift.Err(); err != nil {
				return err
			}
		}
	}
	return nil
}

// structural compares the live schema with the snapshot.
func (g *gate) structural(live *schema.Schema) error {
	var problems []schema.Difference
	if g.mode == apply.ModeExact {
		if live.Fingerprint() == g.snapshot.Fingerprint {
			return nil
		}
		problems = schema.Diff(g.snapshot.Schema, live)
	} else {
		rep := schema.Compatible(g.snapshot.Schema, live)
		g.warnings = rep.Warnings
		if rep.Compatible {
			return nil
		}
		problems = rep.Problems
	}
	missingOnly := true
	var lines []string
	for _, p := range problems {
		if !p.Missing() {
			missingOnly = false
		}
		line := p.Message
		if g.report != nil {
			line = g.report.Explain(p)
		}
		lines = append(lines, line)
	}
	if missingOnly {
		return schemagate.Errorf(schemagate.KindBehind, "schema_behind",
			"the database lacks what this release needs:\n  %s", strings.Join(lines, "\n  ")).
			WithHint("apply the pending migrations (schemagate apply), then verify again")
	}
	what := "the live schema contradicts what this release needs"
	if g.mode == apply.ModeExact {
		what = "the live schema is not exactly the release's snapshot"
	}
	return schemagate.Errorf(schemagate.KindIntegrity, "schema_incompatible", "%s:\n  %s", what, strings.Join(lines, "\n  ")).
		WithHint("the schema was changed in a way this release cannot use; compare in full with `schemagate diff SNAPSHOT URL`")
}

func (a *app) runVerify(ctx context.Context, modeFlag, snapshotFlag string, wait time.Duration) error {
	mode, err := apply.ParseMode(modeFlag)
	if err != nil {
		return err
	}
	g := &gate{mode: mode}
	// The directory is optional when a snapshot is given: a pipeline may
	// hold only the release's snapshot.
	if st, err := os.Stat(a.dir); err == nil && st.IsDir() {
		if g.dir, err = a.loadDir(); err != nil {
			return err
		}
	} else if snapshotFlag == "" {
		if _, err := a.loadDir(); err != nil {
			return err
		}
	}
	path := a.snapshotPath(snapshotFlag)
	if _, err := os.Stat(path); err == nil || snapshotFlag != "" {
		if g.snapshot, err = readSnapshot(path); err != nil {
			return err
		}
	}
	db, err := a.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	g.db = db
	if g.snapshot != nil {
		if err := g.snapshot.CheckDialect(db.Dialect()); err != nil {
			return err
		}
	}

	if wait > 0 {
		a.log.Debug("waiting for the database to satisfy this release", "timeout", wait)
		err = apply.Wait(ctx, db, g.check, apply.WaitOptions{Timeout: wait, Poll: time.Second})
	} else {
		err = g.check(ctx)
	}
	if err != nil {
		return err
	}
	return a.printVerified(g, path)
}

func (a *app) printVerified(g *gate, snapshotPath string) error {
	doc := verifyDocument{SchemaVersion: jsonSchemaVersion, OK: true, Status: "ok", Database: g.db.Target(),
		Mode: string(g.mode), Warnings: g.warnings}
	var parts []string
	if g.dir != nil {
		doc.Applied = g.report.Count(apply.StatusApplied)
		if n := len(g.dir.Migrations); n > 0 {
			doc.Latest = g.dir.Migrations[n-1].ID()
		}
		parts = append(parts, fmt.Sprintf("%d of %d migrations applied, latest %s", doc.Applied, len(g.dir.Migrations), doc.Latest))
	}
	if g.snapshot != nil {
		doc.Snapshot, doc.Fingerprint = snapshotPath, g.snapshot.Fingerprint
		relation := "has everything"
		if g.mode == apply.ModeExact {
			relation = "is exactly"
		}
		parts = append(parts, fmt.Sprintf("the live schema %s %s needs", relation, snapshotPath))
	}
	if a.output == "json" {
		a.printJSON(doc)
		return nil
	}
	a.printf("OK: %s satisfies this release (%s; mode %s).\n", g.db.Target(), strings.Join(parts, "; "), g.mode)
	for _, w := range g.warnings {
		a.printf("warning: %s\n", w.Message)
	}
	return nil
}

// runVerifyRelease checks a registered release, found by its snapshot's
// fingerprint, against the live schema.
func (a *app) runVerifyRelease(ctx context.Context, fingerprint string, ttl time.Duration) error {
	db, err := a.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	releases, err := registry.Load(ctx, db, ttl, time.Now())
	if err != nil {
		return schemagate.Errorf(schemagate.KindError, "database_error", "read the instance registry: %w", err)
	}
	var found []registry.Release
	for _, r := range releases {
		if strings.HasPrefix(r.Fingerprint, fingerprint) || strings.HasPrefix(strings.TrimPrefix(r.Fingerprint, "sha256:"), fingerprint) {
			found = append(found, r)
		}
	}
	switch {
	case len(found) == 0:
		return schemagate.Errorf(schemagate.KindUsage, "release_unknown",
			"no release with fingerprint %s has registered in %s", fingerprint, db.Target()).
			WithHint("`schemagate status` lists the releases this database has seen; or pass the release's snapshot with --snapshot")
	case len(found) > 1:
		return schemagate.Errorf(schemagate.KindUsage, "release_ambiguous",
			"fingerprint prefix %s matches %d releases; give more of it", fingerprint, len(found))
	case found[0].Snapshot == nil:
		return schemagate.Errorf(schemagate.KindUsage, "release_unreadable",
			"the stored snapshot of %s cannot be read: %s", found[0].Name(), found[0].SnapshotError)
	}
	g := &gate{db: db, snapshot: found[0].Snapshot, mode: apply.ModeCompatible}
	if err := g.check(ctx); err != nil {
		return err
	}
	if a.output == "json" {
		a.printJSON(verifyDocument{SchemaVersion: jsonSchemaVersion, OK: true, Status: "ok", Database: db.Target(),
			Mode: string(g.mode), Fingerprint: found[0].Fingerprint, Warnings: g.warnings})
		return nil
	}
	a.printf("OK: %s can run on the live schema of %s: deploying or rolling back to it needs no schema change.\n",
		found[0].Name(), db.Target())
	return nil
}

// runVerifyPlan predicts the schema after the pending migrations and
// checks every live release against it.
func (a *app) runVerifyPlan(ctx context.Context, guards contractFlags) error {
	dir, err := a.loadDir()
	if err != nil {
		return err
	}
	db, err := a.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	contract, cleanup, err := a.contract(ctx, db, dir, guards)
	if err != nil {
		return err
	}
	defer cleanup()
	if contract == nil {
		a.printf("Nothing to check: no registered release has live instances in %s.\n", db.Target())
		return nil
	}
	records, err := db.History().Records(ctx, db.DB())
	if err != nil {
		return schemagate.Errorf(schemagate.KindError, "database_error", "read history of %s: %w", db.Target(), err)
	}
	pending := apply.Compare(dir, records).With(apply.StatusPending)
	for _, e := range pending {
		after, err := contract.Predict(ctx, e.Migration)
		if err != nil {
			return err
		}
		stmts, _ := db.Split(e.Migration.Up)
		if err := contract.Check(e.Migration, stmts, after); err != nil {
			return err
		}
	}
	a.printf("OK: the %d pending %s keep every live release running (%d %s checked).\n",
		len(pending), plural(len(pending), "migration"), len(contract.Live), plural(len(contract.Live), "release"))
	return nil
}
