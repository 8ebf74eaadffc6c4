package main

import (
	"context"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate/apply"
)

func (a *app) applyCommand() *cobra.Command {
	var (
		to          int64
		dryRun      bool
		lockTimeout time.Duration
		guards      contractFlags
	)
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Apply pending migrations, exactly once, under the migration lock",
		Long: `apply runs the pending migrations in version order, each with its history row
in one transaction where the engine allows. Any number of copies may start at
once: one applies, the others wait for the lock (--lock-timeout) and then find
nothing left to do. All of them exit 0.

Two safeguards protect the running application:
  - each statement waits at most --ddl-lock-timeout for a table lock (a DDL
    statement queued behind a long transaction blocks every later query on
    the table); a migration that gives up is retried with growing pauses,
    up to --ddl-retries times, and each retry is reported;
  - when guarded services registered in the database (see package guard),
    a migration that would break a release with live instances is refused
    (exit 6) before it commits, naming the release, what it needs and the
    statement that removes it. Migrations that cannot be rolled back are
    checked beforehand on the dev database (--dev-url; SQLite needs none).
    An approval, or --allow-breaking "APP VERSION", overrides.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.runApply(cmd.Context(), apply.Options{To: to, DryRun: dryRun}, lockTimeout, guards))
		},
	}
	cmd.Flags().Int64Var(&to, "to", 0, "apply up to and including this version (default: all)")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plan and change nothing")
	cmd.Flags().DurationVar(&lockTimeout, "lock-timeout", apply.DefaultLockTimeout, "how long to wait for another runner's lock")
	guards.register(cmd)
	return cmd
}

type applyDocument struct {
	SchemaVersion  int            `json:"schema_version"`
	OK             bool           `json:"ok"`
	Database       string         `json:"database"`
	DryRun         bool           `json:"dry_run"`
	AlreadyApplied bool           `json:"already_applied_by_another_runner"`
	LockWaitMS     int64          `json:"lock_wait_ms"`
	Migrations     []appliedEntry `json:"migrations"`
}

type appliedEntry struct {
	Version       int64    `json:"version"`
	ID            string   `json:"id"`
	Statements    int      `json:"statements"`
	Transactional bool     `json:"transactional"`
	DurationMS    int64    `json:"duration_ms"`
	SQL           []string `json:"sql,omitempty"`
}

func (a *app) runApply(ctx context.Context, opts apply.Options, lockTimeout time.Duration, guards contractFlags) error {
	dir, err := a.loadDir()
	if err != nil {
		return err
	}
	db, err := a.open(ctx, !opts.DryRun)
	if err != nil {
		return err
	}
	defer db.Close()
	runner := &apply.Runner{DB: db, Dir: dir, LockTimeout: lockTimeout, Log: a.log}
	guards.configure(runner)
	if !opts.DryRun {
		if err := a.lintGate(ctx, runner, opts.To); err != nil {
			return err
		}
		contract, cleanup, err := a.contract(ctx, db, dir, guards)
		if err != nil {
			return err
		}
		defer cleanup()
		runner.Contract = contract
	}
	start := time.Now()
	res, err := runner.Apply(ctx, opts)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)

	if a.output == "json" {
		doc := applyDocument{SchemaVersion: jsonSchemaVersion, OK: true, Database: db.Target(), DryRun: opts.DryRun,
			AlreadyApplied: res.AlreadyApplied, LockWaitMS: res.LockWait.Milliseconds(), Migrations: []appliedEntry{}}
		for _, s := range res.Steps {
			e := appliedEntry{Version: s.Migration.Version, ID: s.Migration.ID(), Statements: len(s.Statements),
				Transactional: s.Transactional, DurationMS: s.Duration.Milliseconds()}
			if opts.DryRun {
				for _, st := range s.Statements {
					e.SQL = append(e.SQL, st.Text)
				}
			}
			doc.Migrations = append(doc.Migrations, e)
		}
		a.printJSON(doc)
		return nil
	}

	switch {
	case opts.DryRun && len(res.Steps) == 0:
		a.printf("Nothing to apply to %s: the database is up to date.\n", db.Target())
	case opts.DryRun:
		a.printf("Plan for %s (dry run, nothing changed):\n", db.Target())
		for _, s := range res.Steps {
			mode := "in one transaction"
			if !s.Transactional {
				mode = "without a transaction, statement by statement"
			}
			a.printf("\n%s: %d %s, %s\n", s.Migration.ID(), len(s.Statements), plural(len(s.Statements), "statement"), mode)
			for _, st := range s.Statements {
				a.printf("  %s;\n", strings.ReplaceAll(st.Text, "\n", "\n  "))
			}
		}
	case res.AlreadyApplied:
		a.printf("Nothing left to apply to %s: another runner applied the pending migrations while this one waited %s for the lock.\n",
			db.Target(), res.LockWait.Round(time.Millisecond))
	case len(res.Steps) == 0:
		a.printf("Nothing to apply to %s: the database is up to date.\n", db.Target())
	default:
		a.printf("Applied to %s:\n", db.Target())
		for _, s := range res.Steps {
			a.printf("  %-40s %3d %-10s  %s\n", s.Migration.ID(), len(s.Statements), plural(len(s.Statements), "statement"), roundDuration(s.Duration))
		}
		last := res.Steps[len(res.Steps)-1].Migration
		a.printf("%d %s applied in %s; the database is at %s.\n", len(res.Steps), plural(len(res.Steps), "migration"),
			roundDuration(elapsed), last.ID())
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// roundDuration shows a duration to the millisecond, and "<1ms" below.
func roundDuration(d time.Duration) string {
	if d < time.Millisecond {
		return "<1ms"
	}
	return d.Round(time.Millisecond).String()
}
