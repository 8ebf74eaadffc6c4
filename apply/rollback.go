package apply

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/sqlsplit"
)

// RollbackStep is one down migration the runner ran or plans to run.
type RollbackStep struct {
	Migration     *migration.Migration
	Statements    []sqlsplit.Statement
	Transactional bool
	Duration      time.Duration
}

// PlanRollback returns the down migrations that take the database back to
// version to, newest first, without taking the lock. It refuses when an
// applied migration above to has no down file, or is not in the directory.
func (r *Runner) PlanRollback(ctx context.Context, q dialect.Querier, to int64) (*Report, []RollbackStep, error) {
	records, err := r.DB.History().Records(ctx, q)
	if err != nil {
		return nil, nil, r.dbError("read history", err)
	}
	rep := Compare(r.Dir, records)
	if err := rep.IntegrityError(); err != nil && schemagate.ReasonOf(err) != "out_of_order" {
		return rep, nil, err
	}
	if to > 0 && r.Dir.Find(to) == nil {
		return rep, nil, schemagate.Errorf(schemagate.KindUsage, "unknown_version",
			"--to %d: no migration with that version in the directory", to).
			WithHint("pass a version listed by `schemagate status`, or 0 to undo every migration")
	}
	var steps []RollbackStep
	var missing []string
	for i := len(rep.Entries) - 1; i >= 0; i-- {
		e := rep.Entries[i]
		if e.Version <= to || e.Record == nil {
			continue
		}
		switch {
		case e.Migration == nil:
			missing = append(missing, e.ID+": applied, but not in this directory")
			continue
		case !e.Migration.HasDown():
			missing = append(missing, strings.TrimSuffix(e.Migration.UpFile, ".up.sql")+".down.sql: missing")
			continue
		}
		stmts, err := r.DB.Split(e.Migration.Down)
		if err != nil {
			return rep, nil, schemagate.Errorf(schemagate.KindUsage, "migration_syntax", "%s: %w", e.Migration.DownFile, err)
		}
		steps = append(steps, RollbackStep{
			Migration:     e.Migration,
			Statements:    stmts,
			Transactional: r.DB.Capabilities().TransactionalDDL && !e.Migration.DownDirectives.NoTransaction,
		})
	}
	if len(missing) > 0 {
		return rep, nil, schemagate.Errorf(schemagate.KindUsage, "down_missing",
			"cannot roll back to version %d: %d %s cannot be undone:\n  %s", to, len(missing),
			pluralize(len(missing), "migration"), strings.Join(missing, "\n  ")).
			WithHint("write the missing down files (and run `schemagate hash`), or roll back to a later version")
	}
	return rep, steps, nil
}

// Rollback runs the down migrations that take the database back to version
// to, newest first, each in a transaction with the removal of its history
// row where the engine allows, under the migration lock and the same gates
// as Apply: the DDL lock timeout with retries, and the contract, which
// refuses a down migration that removes what a live release needs.
func (r *Runner) Rollback(ctx context.Context, to int64, dryRun bool) ([]RollbackStep, error) {
	_, steps, err := r.PlanRollback(ctx, r.DB.DB(), to)
	if err != nil || dryRun || len(steps) == 0 {
		return steps, err
	}
	conn, unlock, err := r.locked(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	rep, steps, err := r.PlanRollback(ctx, conn, to)
	if err != nil {
		return nil, err
	}
	unbound, err := r.boundLockWaits(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer unbound()
	var done []RollbackStep
	for _, step := range steps {
		start := time.Now()
		if step.Transactional {
			err = r.retrying(ctx, step.Migration, func() error { return r.downInTransaction(ctx, conn, step) })
		} else {
			err = r.downStatementByStatement(ctx, conn, step, rep)
		}
		if err != nil {
			return done, err
		}
		step.Duration = time.Since(start)
		done = append(done, step)
		r.log().Info("rolled back", "migration", step.Migration.ID(), "duration", step.Duration.Round(time.Millisecond))
	}
	// Drift is measured against the newest migration still applied.
	if records, err := r.DB.History().Records(ctx, conn); err == nil && len(records) > 0 {
		r.recordFingerprint(ctx, conn, records[len(records)-1].Version)
	}
	return done, nil
}

func (r *Runner) downInTransaction(ctx context.Context, conn *sql.Conn, step RollbackStep) error {
	m := step.Migration
	return r.runInTransaction(ctx, conn, "roll back", m, step.Statements,
		func(i int, stmt sqlsplit.Statement, err error) error { return r.downError(m, i, stmt, err, true) },
		func(tx *sql.Tx) error { return r.DB.History().Delete(ctx, tx, m.Version) })
}

// downStatementByStatement undoes a migration that cannot run in a
// transaction. The contract is checked first on the schema of the version
// below, replayed on the dev database. If a statement fails, the history
// row is marked in progress with no statement done: `repair` then sees
// the schema before the migration (the down file finished), after it (the
// down file did nothing), or neither.
func (r *Runner) downStatementByStatement(ctx context.Context, conn *sql.Conn, step RollbackStep, rep *Report) error {
	m := step.Migration
	if r.Contract != nil && len(r.Contract.Live) > 0 {
		if r.Contract.Predict == nil {
			return schemagate.Errorf(schemagate.KindRefused, "contract_unchecked",
				"%s's down file runs without a transaction, and there is no dev database to predict its effect on the live releases", m.ID()).
				WithHint("pass --dev-url, or accept the risk with --allow-breaking for each live release")
		}
		var below int64
		for _, e := range rep.Entries {
			if e.Version < m.Version && e.Record != nil {
				below = e.Version
			}
		}
		after, err := r.Contract.Predict(ctx, &migration.Migration{Version: below})
		if err != nil {
			return err
		}
		if err := r.Contract.Check(m, step.Statements, after); err != nil {
			return err
		}
	}
	restore, err := r.migrationLockWaits(ctx, conn, m, false)
	if err != nil {
		return err
	}
	defer restore()
	for i, stmt := range step.Statements {
		err := r.retrying(ctx, m, func() error {
			if _, err := conn.ExecContext(ctx, stmt.Text); err != nil {
				return r.downError(m, i, stmt, err, false)
			}
			return nil
		})
		if err != nil {
			for _, e := range rep.Entries {
				if e.Version == m.Version && e.Record != nil {
					rec := *e.Record
					rec.State, rec.StatementsDone = dialect.StateInProgress, 0
					_ = r.DB.History().Update(context.WithoutCancel(ctx), conn, rec)
				}
			}
			return err
		}
	}
	if err := r.DB.History().Delete(ctx, conn, m.Version); err != nil {
		return r.dbError("roll back "+m.ID(), err)
	}
	return nil
}

func (r *Runner) downError(m *migration.Migration, i int, stmt sqlsplit.Statement, err error, rolledBack bool) error {
	what := err.Error()
	if se := r.DB.DescribeError(err); se != nil {
		what = se.String()
	}
	outcome := "the down migration was rolled back; the migration stays applied"
	hint := "fix the down file in a new commit, run `schemagate hash`, and roll back again"
	if !rolledBack {
		outcome = fmt.Sprintf("%d earlier statements of the down file had taken effect; the migration is marked in progress", i)
		hint = "run `schemagate repair` to see where the schema stands before anything else"
	}
	return &schemagate.Error{Kind: schemagate.KindError, Reason: "statement_failed", Op: "roll back " + m.ID(),
		Err: &causedError{
			msg: fmt.Sprintf("statement %d (%s line %d) failed: %s\n  %s\n%s",
				i+1, m.DownFile, stmt.Line, what, excerpt(stmt.Text), outcome),
			cause: err,
		},
		Hint: hint}
}
