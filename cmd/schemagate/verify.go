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

func (a *app) runVerify(ctx context.Context, modeFlag, snapshotFlag string, wait time.Duration) error {
	mode, err := apply.ParseMode(modeFlag)
	if err != nil {
		return err
	}
	g := &apply.Gate{Mode: mode}
	// The directory is optional when a snapshot is given: a pipeline may
	// hold only the release's snapshot.
	if st, err := os.Stat(a.dir); err == nil && st.IsDir() {
		if g.Dir, err = a.loadDir(); err != nil {
			return err
		}
	} else if snapshotFlag == "" {
		if _, err := a.loadDir(); err != nil {
			return err
		}
	}
	path := a.snapshotPath(snapshotFlag)
	if _, err := os.Stat(path); err == nil || snapshotFlag != "" {
		if g.Snapshot, err = readSnapshot(path); err != nil {
			return err
		}
	}
	db, err := a.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	g.DB = db

	if wait > 0 {
		a.log.Debug("waiting for the database to satisfy this release", "timeout", wait)
		err = apply.Wait(ctx, db, g.Check, apply.WaitOptions{Timeout: wait, Poll: time.Second})
	} else {
		err = g.Check(ctx)
	}
	if err != nil {
		return err
	}
	return a.printVerified(g, path)
}

func (a *app) printVerified(g *apply.Gate, snapshotPath string) error {
	doc := verifyDocument{SchemaVersion: jsonSchemaVersion, OK: true, Status: "ok", Database: g.DB.Target(),
		Mode: string(g.Mode), Warnings: g.Warnings}
	var parts []string
	if g.Dir != nil {
		doc.Applied = g.Report.Count(apply.StatusApplied)
		if n := len(g.Dir.Migrations); n > 0 {
			doc.Latest = g.Dir.Migrations[n-1].ID()
		}
		parts = append(parts, fmt.Sprintf("%d of %d migrations applied, latest %s", doc.Applied, len(g.Dir.Migrations), doc.Latest))
	}
	if g.Snapshot != nil {
		doc.Snapshot, doc.Fingerprint = snapshotPath, g.Snapshot.Fingerprint
		relation := "has everything"
		if g.Mode == apply.ModeExact {
			relation = "is exactly"
		}
		parts = append(parts, fmt.Sprintf("the live schema %s %s needs", relation, snapshotPath))
	}
	if a.output == "json" {
		a.printJSON(doc)
		return nil
	}
	a.printf("OK: %s satisfies this release (%s; mode %s).\n", g.DB.Target(), strings.Join(parts, "; "), g.Mode)
	for _, w := range g.Warnings {
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
	g := &apply.Gate{DB: db, Snapshot: found[0].Snapshot, Mode: apply.ModeCompatible}
	if err := g.Check(ctx); err != nil {
		return err
	}
	if a.output == "json" {
		a.printJSON(verifyDocument{SchemaVersion: jsonSchemaVersion, OK: true, Status: "ok", Database: db.Target(),
			Mode: string(g.Mode), Fingerprint: found[0].Fingerprint, Warnings: g.Warnings})
		return nil
	}
	a.printf("OK: %s can run on the live schema of %s: deploying or rolling back to it needs no schema change.\n",
		found[0].Name(), db.Target())
	return nil
}

// runVerifyPlan predicts the schema after the pending migrations and
// checks every live release against it.
func (a *app) runVerifyPlan(ctx context.Context, guards contractFlags) error {
	dir, db, rep, err := a.openWithHistory(ctx)
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
	pending := rep.With(apply.StatusPending)
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
