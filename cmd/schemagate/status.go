package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/registry"
	"github.com/schemagate/schemagate/schema"
)

func (a *app) statusCommand() *cobra.Command {
	var ttl time.Duration
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show applied, pending, in-progress, edited and unknown migrations",
		Long: `status compares the migration directory with the database's history. It
reports and does not gate: it exits 0 whatever it finds (use verify to gate a
deploy). It is the one command that works on a database with a migration left
in progress, so that you can see what happened.

It also lists the releases that guarded services registered (see package
guard): how many instances of each are live, and whether each can run on the
live schema now. That is the compatibility window: a release inside it can be
deployed, or rolled back to, with no schema change.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.runStatus(cmd.Context(), ttl))
		},
	}
	cmd.Flags().DurationVar(&ttl, "instance-ttl", registry.DefaultTTL, "an instance is live if it heartbeated within this long")
	return cmd
}

type statusDocument struct {
	SchemaVersion int            `json:"schema_version"`
	OK            bool           `json:"ok"`
	Database      string         `json:"database"`
	Dialect       string         `json:"dialect"`
	Verdict       verdict        `json:"verdict"`
	Summary       map[string]int `json:"summary"`
	Migrations    []statusEntry  `json:"migrations"`
	Drift         *driftEntry    `json:"drift,omitempty"`
	// Releases is the compatibility window: every release the database
	// has seen, and whether it can run on the live schema.
	Releases []registry.Verdict `json:"releases"`
}

type driftEntry struct {
	*apply.Drift
	Differences []schema.Difference `json:"differences,omitempty"`
}

// verdict is what verify would say, included so a script reading status
// does not have to repeat the rules.
type verdict struct {
	Status   string `json:"status"`
	Reason   string `json:"reason,omitempty"`
	ExitCode int    `json:"exit_code"`
	Message  string `json:"message,omitempty"`
}

type statusEntry struct {
	Version         int64  `json:"version"`
	ID              string `json:"id"`
	Status          string `json:"status"`
	File            string `json:"file,omitempty"`
	Checksum        string `json:"checksum,omitempty"`
	AppliedChecksum string `json:"applied_checksum,omitempty"`
	StartedAt       string `json:"started_at,omitempty"`
	FinishedAt      string `json:"finished_at,omitempty"`
	ExecutionMS     *int64 `json:"execution_ms,omitempty"`
	AppliedBy       string `json:"applied_by,omitempty"`
	StatementsDone  *int   `json:"statements_done,omitempty"`
	StatementsTotal *int   `json:"statements_total,omitempty"`
}

func (a *app) runStatus(ctx context.Context, ttl time.Duration) error {
	dir, db, rep, err := a.openWithHistory(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	v := verdictOf(rep.VerifyError(apply.ModeCompatible))
	drift := a.statusDrift(ctx, db, dir, rep)
	window := a.statusWindow(ctx, db, drift, ttl)

	if a.output == "json" {
		doc := statusDocument{SchemaVersion: jsonSchemaVersion, OK: true, Database: db.Target(), Dialect: db.Dialect(),
			Verdict: v, Summary: summary(rep), Migrations: []statusEntry{}, Drift: drift, Releases: window}
		if doc.Releases == nil {
			doc.Releases = []registry.Verdict{}
		}
		for _, e := range rep.Entries {
			doc.Migrations = append(doc.Migrations, statusEntryOf(e))
		}
		a.printJSON(doc)
		return nil
	}

	a.printf("Database:   %s\nMigrations: %s (%d %s, schemagate.sum verified)\n\n", db.Target(), a.dir, len(dir.Migrations), plural(len(dir.Migrations), "migration"))
	if len(rep.Entries) == 0 {
		a.printf("No migrations yet. Create one with `schemagate new NAME`.\n")
		return nil
	}
	tw := tabwriter.NewWriter(&printfWriter{a}, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tMIGRATION\tSTATUS\tAPPLIED AT\tBY\tDURATION")
	for _, e := range rep.Entries {
		at, by, dur := "-", "-", "-"
		if r := e.Record; r != nil {
			at = r.StartedAt.Format("2006-01-02 15:04:05Z07:00")
			by = r.AppliedBy
			if r.State == "applied" {
				dur = roundDuration(r.ExecutionTime)
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", e.Version, e.ID, statusLabel(e), at, by, dur)
	}
	tw.Flush()
	a.printf("\n%s\n", summaryLine(rep))
	if drift != nil && drift.Checked {
		if drift.Drifted {
			a.printf("\nDRIFT: the live schema was changed outside the migrations since %s\n  (recorded %s, live %s)\n", drift.ID, drift.Recorded, drift.Live)
			for _, d := range drift.Differences {
				a.printf("  %-28s %s\n", d.Kind, d.Message)
			}
		} else {
			a.printf("No drift: the live schema is the one recorded after %s (%s).\n", drift.ID, drift.Live)
		}
	}
	a.printWindow(window, ttl)
	if v.Message != "" {
		a.printf("\n%s\n", v.Message)
	}
	return nil
}

// statusWindow judges every release the registry has seen against the live
// schema. Failures are logged: status reports, it does not fail.
func (a *app) statusWindow(ctx context.Context, db dialect.Database, drift *driftEntry, ttl time.Duration) []registry.Verdict {
	releases, err := registry.Load(ctx, db, ttl, time.Now())
	if err != nil {
		a.log.Warn("could not read the instance registry", "error", err)
		return nil
	}
	if len(releases) == 0 {
		return nil
	}
	var live *schema.Schema
	if drift != nil && drift.Schema != nil {
		live = drift.Schema
	} else if live, err = dialect.Inspect(ctx, db, nil); err != nil {
		a.log.Warn("could not read the live schema", "error", err)
		return nil
	}
	return registry.Window(releases, live)
}

func (a *app) printWindow(window []registry.Verdict, ttl time.Duration) {
	if len(window) == 0 {
		a.printf("\nNo guarded service has registered in this database (see package guard).\n")
		return
	}
	a.printf("\nReleases (live: heartbeat within %s) and whether each can run on the live schema:\n", ttl)
	tw := tabwriter.NewWriter(&printfWriter{a}, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  APP\tRELEASE\tLIVE INSTANCES\tLAST SEEN\tCAN RUN NOW")
	for _, v := range window {
		verdict := "yes: deploying or rolling back to it needs no schema change"
		switch {
		case !v.Judged:
			verdict = "unknown: " + v.SnapshotError
		case !v.Compatible:
			verdict = "NO: " + v.Problems[0].Message
			if n := len(v.Problems) - 1; n > 0 {
				verdict += fmt.Sprintf(" (and %d more)", n)
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%d\t%s ago\t%s\n", v.App, v.Release.Release, v.LiveInstances,
			time.Since(v.LastSeen).Round(time.Second), verdict)
	}
	tw.Flush()
}

func statusLabel(e apply.Entry) string {
	switch e.Status {
	case apply.StatusInProgress:
		if r := e.Record; r != nil && r.StatementsTotal > 0 {
			return fmt.Sprintf("IN PROGRESS (%d/%d statements)", r.StatementsDone, r.StatementsTotal)
		}
		return "IN PROGRESS"
	case apply.StatusPartial:
		return fmt.Sprintf("PARTIAL (%d/%d statements, apply resumes)", e.Record.StatementsDone, e.Record.StatementsTotal)
	case apply.StatusChanged:
		return "EDITED AFTER APPLY"
	case apply.StatusUnknown:
		return "applied (not in this directory)"
	}
	return string(e.Status)
}

func summary(rep *apply.Report) map[string]int {
	m := map[string]int{}
	for _, s := range []apply.Status{apply.StatusApplied, apply.StatusPending, apply.StatusInProgress, apply.StatusPartial, apply.StatusChanged, apply.StatusUnknown} {
		m[string(s)] = rep.Count(s)
	}
	return m
}

func summaryLine(rep *apply.Report) string {
	parts := []string{fmt.Sprintf("%d applied", rep.Count(apply.StatusApplied)), fmt.Sprintf("%d pending", rep.Count(apply.StatusPending))}
	if n := rep.Count(apply.StatusInProgress); n > 0 {
		parts = append(parts, fmt.Sprintf("%d in progress", n))
	}
	if n := rep.Count(apply.StatusChanged); n > 0 {
		parts = append(parts, fmt.Sprintf("%d edited after apply", n))
	}
	if n := rep.Count(apply.StatusUnknown); n > 0 {
		parts = append(parts, fmt.Sprintf("%d unknown to this directory", n))
	}
	return strings.Join(parts, ", ") + "."
}

func verdictOf(err error) verdict {
	if err == nil {
		return verdict{Status: "ok"}
	}
	return verdict{
		Status:   schemagate.KindOf(err).String(),
		Reason:   schemagate.ReasonOf(err),
		ExitCode: schemagate.ExitCode(err),
		Message:  err.Error(),
	}
}

func statusEntryOf(e apply.Entry) statusEntry {
	s := statusEntry{Version: e.Version, ID: e.ID, Status: string(e.Status)}
	if m := e.Migration; m != nil {
		s.File = m.UpFile
		s.Checksum = m.Checksum
	}
	if r := e.Record; r != nil {
		s.AppliedChecksum = r.Checksum
		s.StartedAt = r.StartedAt.Format(time.RFC3339Nano)
		if !r.FinishedAt.IsZero() {
			s.FinishedAt = r.FinishedAt.Format(time.RFC3339Nano)
		}
		ms := r.ExecutionTime.Milliseconds()
		s.ExecutionMS = &ms
		s.AppliedBy = r.AppliedBy
		done, total := r.StatementsDone, r.StatementsTotal
		s.StatementsDone, s.StatementsTotal = &done, &total
	}
	return s
}

// printfWriter lets a tabwriter write through app.printf (and its
// redaction).
type printfWriter struct{ a *app }

func (w *printfWriter) Write(p []byte) (int, error) {
	w.a.printf("%s", p)
	return len(p), nil
}

// statusDrift checks the live schema against the recorded fingerprint. When
// the database is at the directory's latest version and the directory has a
// snapshot, the differences are listed too. A failure to check is logged:
// status reports, it does not fail.
func (a *app) statusDrift(ctx context.Context, db dialect.Database, dir *migration.Dir, rep *apply.Report) *driftEntry {
	drift, err := apply.CheckDrift(ctx, db, rep)
	if err != nil {
		a.log.Warn("could not check for drift", "error", err)
		return nil
	}
	out := &driftEntry{Drift: drift}
	atLatest := rep.Count(apply.StatusPending) == 0 && len(dir.Migrations) > 0
	if drift.Drifted && atLatest {
		if snap, err := readSnapshot(a.snapshotPath("")); err == nil && snap.Dialect == db.Dialect() {
			out.Differences = schema.Diff(snap.Schema, drift.Schema)
		}
	}
	return out
}
