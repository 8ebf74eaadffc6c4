package main

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
)

func (a *app) rollbackCommand() *cobra.Command {
	var (
		to          int64
		dryRun      bool
		lockTimeout time.Duration
		guards      contractFlags
	)
	cmd := &cobra.Command{
		Use:   "rollback --to VERSION",
		Short: "Undo migrations down to a version by running their .down.sql files",
		Long: `rollback runs the down files of every migration applied above --to, newest
first, each in a transaction together with the removal of its history row
where the engine allows, under the migration lock.

Most incidents need no schema rollback at all: status shows which releases
can run on the live schema, and rolling the application back to one of them
is enough. When the schema must go back, rollback refuses (exit 6) to remove
what a release with live instances still needs (same overrides as apply),
and refuses (exit 2) when a down file is missing, naming it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("to") {
				return schemagate.Errorf(schemagate.KindUsage, "usage", "rollback needs --to VERSION (0 undoes every migration)")
			}
			return commandError(a.runRollback(cmd.Context(), to, dryRun, lockTimeout, guards))
		},
	}
	cmd.Flags().Int64Var(&to, "to", 0, "the version to return to (it stays applied)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plan and change nothing")
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", apply.DefaultLockTimeout, "how long to wait for another runner's lock")
	guards.register(cmd)
	return cmd
}

type rollbackDocument struct {
	SchemaVersion int              `json:"schema_version"`
	OK            bool             `json:"ok"`
	Database      string           `json:"database"`
	DryRun        bool             `json:"dry_run"`
	To            int64            `json:"to"`
	RolledBack    []rolledBackItem `json:"rolled_back"`
}

type rolledBackItem struct {
	Version    int64    `json:"version"`
	ID         string   `json:"id"`
	Statements int      `json:"statements"`
	DurationMS int64    `json:"duration_ms"`
	SQL        []string `json:"sql,omitempty"`
}

func (a *app) runRollback(ctx context.Context, to int64, dryRun bool, lockTimeout time.Duration, guards contractFlags) error {
	dir, err := a.loadDir()
	if err != nil {
		return err
	}
	db, err := a.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()
	runner := &apply.Runner{DB: db, Dir: dir, LockTimeout: lockTimeout, Log: a.log}
	guards.configure(runner)
	if !dryRun {
		contract, cleanup, err := a.contract(ctx, db, dir, guards)
		if err != nil {
			return err
		}
		defer cleanup()
		runner.Contract = contract
	}
	steps, err := runner.Rollback(ctx, to, dryRun)
	if err != nil {
		return err
	}
	if a.output == "json" {
		doc := rollbackDocument{SchemaVersion: jsonSchemaVersion, OK: true, Database: db.Target(), DryRun: dryRun, To: to, RolledBack: []rolledBackItem{}}
		for _, s := range steps {
			item := rolledBackItem{Version: s.Migration.Version, ID: s.Migration.ID(), Statements: len(s.Statements), DurationMS: s.Duration.Milliseconds()}
			if dryRun {
				for _, st := range s.Statements {
					item.SQL = append(item.SQL, st.Text)
				}
			}
			doc.RolledBack = append(doc.RolledBack, item)
		}
		a.printJSON(doc)
		return nil
	}
	switch {
	case len(steps) == 0:
		a.printf("Nothing to roll back: no migration above version %d is applied to %s.\n", to, db.Target())
	case dryRun:
		a.printf("Plan for %s (dry run, nothing changed):\n", db.Target())
		for _, s := range steps {
			a.printf("\n%s (down): %d %s\n", s.Migration.ID(), len(s.Statements), plural(len(s.Statements), "statement"))
			for _, st := range s.Statements {
				a.printf("  %s;\n", strings.ReplaceAll(st.Text, "\n", "\n  "))
			}
		}
	default:
		a.printf("Rolled back on %s:\n", db.Target())
		for _, s := range steps {
			a.printf("  %-40s %3d %-10s  %s\n", s.Migration.ID(), len(s.Statements), plural(len(s.Statements), "statement"), roundDuration(s.Duration))
		}
		a.printf("%d %s rolled back; the database is at version %d.\n", len(steps), plural(len(steps), "migration"), to)
	}
	return nil
}
