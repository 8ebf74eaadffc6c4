package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
)

func (a *app) repairCommand() *cobra.Command {
	var (
		devURL string
		yes    bool
		done   int
	)
	cmd := &cobra.Command{
		Use:   "repair",
		Short: "Resolve a migration left in progress by looking at what really happened",
		Long: `A migration that runs without a transaction (a no-transaction file, or any
file on MySQL) can be interrupted part-way: a killed process, a lost
connection. The history then says "in progress" and every command but status
refuses to go on.

repair replays the migrations on a scratch database (see snapshot --help for
--dev-url) to learn the schema before the migration and after each of its
statements, compares the live schema with them, and says which one it is:

  finished     every statement took effect: record it as applied
  not started  nothing took effect: clear it, so apply runs it again
  partial      the first N statements took effect: apply resumes after them

When the live schema does not tell (it matches no allowed state, or a
statement changes no schema), repair says so and records nothing: nothing is
guessed. After checking by hand, record the answer with --statements-done N.

Without --yes, repair only prints its diagnosis.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			manual := -1
			if cmd.Flags().Changed("statements-done") {
				manual = done
			}
			return commandError(a.runRepair(cmd.Context(), devURL, yes, manual))
		},
	}
	cmd.Flags().StringVar(&devURL, "dev-url", "", "scratch database to replay on (not needed for SQLite)")
	cmd.Flags().BoolVar(&yes, "yes", false, "record the decision")
	cmd.Flags().IntVar(&done, "statements-done", 0, "record that this many statements took effect (after checking by hand)")
	return cmd
}

type repairDocument struct {
	SchemaVersion int           `json:"schema_version"`
	OK            bool          `json:"ok"`
	Database      string        `json:"database"`
	Recorded      bool          `json:"recorded"`
	Repair        *apply.Repair `json:"repair,omitempty"`
}

func (a *app) runRepair(ctx context.Context, devURL string, yes bool, manual int) error {
	dir, db, rep, err := a.openWithHistory(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	var d *apply.Repair
	if manual >= 0 {
		stuck := rep.Stuck()
		if stuck != nil && stuck.Migration != nil {
			stmts, err := db.Split(stuck.Migration.Up)
			if err != nil {
				return err
			}
			d, err = apply.ManualRepair(rep, manual, len(stmts))
			if err != nil {
				return err
			}
		}
	} else {
		dev, cleanup, err := dialect.OpenDev(ctx, db.Dialect(), devURL)
		if err != nil {
			return err
		}
		defer cleanup()
		if d, err = apply.DiagnoseRepair(ctx, db, dev, dir, rep); err != nil {
			return err
		}
	}
	doc := repairDocument{SchemaVersion: jsonSchemaVersion, OK: true, Database: db.Target(), Repair: d}
	if d == nil {
		if a.output == "json" {
			a.printJSON(doc)
		} else {
			a.printf("Nothing to repair: no migration is in progress in %s.\n", db.Target())
		}
		return nil
	}
	if d.Outcome == apply.OutcomeUndecided {
		if a.output != "json" {
			a.printf("%s: %s\n", d.ID, d.Reason)
			for _, diff := range d.Differences {
				a.printf("  %-28s %s\n", diff.Kind, diff.Message)
			}
		}
		return schemagate.Errorf(schemagate.KindIntegrity, "repair_undecided",
			"repair cannot tell what happened to %s; nothing was recorded", d.ID).
			WithHint("check the database by hand, then run `schemagate repair --statements-done N --yes`")
	}
	if yes {
		runner := &apply.Runner{DB: db, Dir: dir, Log: a.log}
		if err := runner.RecordRepair(ctx, d); err != nil {
			return err
		}
		doc.Recorded = true
	}
	if a.output == "json" {
		a.printJSON(doc)
		return nil
	}
	a.printf("%s: %s.\n", d.ID, d.Reason)
	switch {
	case !yes:
		a.printf("Decision: %s. Nothing recorded yet; run again with --yes to record it.\n", d.Outcome)
	case d.Outcome == apply.OutcomeFinished:
		a.printf("Recorded %s as applied.\n", d.ID)
	case d.Outcome == apply.OutcomeNotStarted:
		a.printf("Cleared %s: the next apply runs it from the start.\n", d.ID)
	default:
		a.printf("Marked %s partial: the next apply runs statements %d to %d only.\n", d.ID, d.Statements+1, d.Total)
	}
	return nil
}
