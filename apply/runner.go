package apply

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/user"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/sqlsplit"
)

// DefaultLockTimeout is how long a runner waits for another runner's lock.
// It is long because waiting is the right thing to do: when a deploy starts
// many runners at once, all but one wait, then find nothing to do.
const DefaultLockTimeout = 10 * time.Minute

// Runner applies the migrations of one directory to one database.
//
// Every method is safe to call from many processes at once against the
// same database: each migration is applied exactly once.
type Runner struct {
	DB  dialect.Database
	Dir *migration.Dir
	// LockTimeout bounds the wait for the migration lock; 0 means
	// DefaultLockTimeout.
	LockTimeout time.Duration
	// Log receives progress; nil discards it.
	Log *slog.Logger
	// AppliedBy is recorded in the history; empty means "user@host" of
	// this process.
	AppliedBy string
	// DDLLockTimeout bounds how long a statement waits for a table lock
	// (0: DefaultDDLLockTimeout, negative: no bound); a migration's
	// lock-timeout directive overrides it. LockRetries is how many times a
	// migration that gave up is retried (0: DefaultLockRetries, negative:
	// never).
	DDLLockTimeout time.Duration
	LockRetries    int
	// Contract, when set, refuses migrations that would break a live
	// release.
	Contract *Contract
}

// Options select what Apply does.
type Options struct {
	// To stops after this version; 0 applies everything pending.
	To int64
	// DryRun computes the plan and returns it without taking the lock or
	// changing anything.
	DryRun bool
}

// Step is one migration the runner applied or plans to apply.
type Step struct {
	Migration  *migration.Migration
	Statements []sqlsplit.Statement
	// Resume is the number of leading statements that already took effect
	// in an earlier run (a partial migration confirmed by repair); they are
	// skipped.
	Resume int
	// Transactional is false for no-transaction files and for engines
	// without transactional DDL.
	Transactional bool
	Duration      time.Duration
}

// Result says what Apply did.
type Result struct {
	// Steps are the migrations applied (or, for a dry run, planned), in
	// order.
	Steps []Step
	// AlreadyApplied is true when another runner applied everything while
	// this one waited for the lock.
	AlreadyApplied bool
	// LockWait is how long the runner waited for the lock.
	LockWait time.Duration
}

func (r *Runner) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

// Plan returns the migrations Apply would run, without taking the lock.
func (r *Runner) Plan(ctx context.Context, to int64) (*Report, []Step, error) {
	records, err := r.DB.History().Records(ctx, r.DB.DB())
	if err != nil {
		return nil, nil, r.dbError("read history", err)
	}
	rep := Compare(r.Dir, records)
	steps, err := r.steps(rep, to)
	return rep, steps, err
}

func (r *Runner) steps(rep *Report, to int64) ([]Step, error) {
	if to > 0 && r.Dir.Find(to) == nil && to > rep.LatestApplied() {
		return nil, schemagate.Errorf(schemagate.KindUsage, "unknown_version",
			"--to %d: no migration with that version in the directory", to).
			WithHint("pass a version listed by `schemagate status`")
	}
	var steps []Step
	for _, e := range rep.With(StatusPending, StatusPartial) {
		if to > 0 && e.Version > to {
			break
		}
		stmts, err := r.DB.Split(e.Migration.Up)
		if err != nil {
			return nil, schemagate.Errorf(schemagate.KindUsage, "migration_syntax",
				"%s: %w", e.Migration.UpFile, err).
				WithHint("fix the file, then run `schemagate hash`")
		}
		if len(stmts) == 0 {
			return nil, schemagate.Errorf(schemagate.KindUsage, "migration_empty",
				"%s holds no SQL statement", e.Migration.UpFile).
				WithHint("write the change, or delete the file and run `schemagate hash`")
		}
		step := Step{
			Migration:     e.Migration,
			Statements:    stmts,
			Transactional: r.DB.Capabilities().TransactionalDDL && !e.Migration.UpDirectives.NoTransaction,
		}
		if e.Status == StatusPartial {
			if e.Record.StatementsTotal != len(stmts) || e.Record.StatementsDone > len(stmts) {
				return nil, schemagate.Errorf(schemagate.KindIntegrity, "partial_mismatch",
					"%s was partly applied as %d statements, but the file now splits into %d",
					e.ID, e.Record.StatementsTotal, len(stmts)).
					WithHint("restore the file as it was when it ran, or run `schemagate repair` again")
			}
			step.Resume = e.Record.StatementsDone
			step.Transactional = false
		}
		steps = append(steps, step)
	}
	return steps, nil
}

// Apply applies the pending migrations, up to opts.To, under the migration
// lock. A runner that gets the lock after another one finished finds nothing
// pending and returns an empty Result.
func (r *Runner) Apply(ctx context.Context, opts Options) (*Result, error) {
	rep, steps, err := r.Plan(ctx, opts.To)
	if err != nil {
		return nil, err
	}
	// A migration in progress may belong to a live runner; only under the
	// lock does it mean a dead one. Everything else is decided now.
	if err := blockingBeforeLock(rep); err != nil {
		return nil, err
	}
	if opts.DryRun {
		return &Result{Steps: steps}, nil
	}
	if len(steps) == 0 && rep.Count(StatusInProgress) == 0 {
		return &Result{}, nil
	}

	conn, err := r.DB.DB().Conn(ctx)
	if err != nil {
		return nil, r.dbError("connect", err)
	}
	defer conn.Close()

	r.log().Info("taking the migration lock", "database", r.DB.Target(), "pending", len(steps))
	start := time.Now()
	lock, err := r.lockUnlessDone(ctx, conn, r.lockTimeout(), opts.To)
	if errors.Is(err, errDoneByAnother) {
		return &Result{AlreadyApplied: true, LockWait: time.Since(start)}, nil
	}
	if err != nil {
		return nil, r.dbError("take the migration lock", err)
	}
	defer func() {
		if err := lock.Release(context.WithoutCancel(ctx)); err != nil {
			r.log().Warn("releasing the migration lock failed; it is released when the connection closes", "error", err)
		}
	}()
	res := &Result{LockWait: time.Since(start)}
	if res.LockWait > time.Second {
		r.log().Info("took the migration lock", "waited", res.LockWait.Round(time.Millisecond))
	}

	if err := r.DB.History().Ensure(ctx, conn); err != nil {
		return nil, r.dbError("prepare history table", err)
	}
	// The instance registry is created here, by the role that migrates,
	// so that guarded services need no privilege beyond writing to it.
	if reg, ok := r.DB.(dialect.Registrar); ok {
		if err := reg.Registry().Ensure(ctx, conn); err != nil {
			return nil, r.dbError("prepare instance registry", err)
		}
	}
	records, err := r.DB.History().Records(ctx, conn)
	if err != nil {
		return nil, r.dbError("read history", err)
	}
	unbound, err := r.boundLockWaits(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer unbound()
	rep = Compare(r.Dir, records)
	if err := rep.IntegrityError(); err != nil {
		return nil, err
	}
	steps, err = r.steps(rep, opts.To)
	if err != nil {
		return nil, err
	}
	if len(steps) == 0 {
		res.AlreadyApplied = true
		return res, nil
	}
	for _, step := range steps {
		d, err := r.applyOne(ctx, conn, step)
		if err != nil {
			return res, err
		}
		step.Duration = d
		res.Steps = append(res.Steps, step)
	}
	r.recordFingerprint(ctx, conn, steps[len(steps)-1].Migration.Version)
	if n, ok := r.DB.(dialect.Notifier); ok {
		if err := n.NotifyApplied(ctx); err != nil {
			r.log().Warn("could not notify waiting verifiers; they will notice at their next poll", "error", err)
		}
	}
	return res, nil
}

func (r *Runner) lockTimeout() time.Duration {
	if r.LockTimeout <= 0 {
		return DefaultLockTimeout
	}
	return r.LockTimeout
}

// locked takes the migration lock on a connection of its own and returns
// the connection and what releases both.
func (r *Runner) locked(ctx context.Context) (*sql.Conn, func(), error) {
	conn, err := r.DB.DB().Conn(ctx)
	if err != nil {
		return nil, nil, r.dbError("connect", err)
	}
	lock, err := r.DB.Lock(ctx, conn, r.lockTimeout())
	if err != nil {
		conn.Close()
		return nil, nil, r.dbError("take the migration lock", err)
	}
	return conn, func() {
		if err := lock.Release(context.WithoutCancel(ctx)); err != nil {
			r.log().Warn("releasing the migration lock failed; it is released when the connection closes", "error", err)
		}
		conn.Close()
	}, nil
}

// errDoneByAnother says that while this runner waited for the lock,
// another one applied everything it was going to.
var errDoneByAnother = errors.New("another runner applied the pending migrations")

// lockUnlessDone takes the migration lock, but gives up waiting as soon as
// the history shows that another runner applied everything up to to: when
// a deploy starts many runners at once, the ones that lost the race then
// all finish as soon as the winner does, instead of taking the lock one
// after the other only to find nothing to do.
func (r *Runner) lockUnlessDone(ctx context.Context, conn *sql.Conn, timeout time.Duration, to int64) (dialect.Lock, error) {
	lockCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	finished := make(chan bool, 1)
	go func() {
		defer close(finished)
		tick := time.NewTicker(lockPeekInterval)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
			}
			records, err := r.DB.History().Records(lockCtx, r.DB.DB())
			if err != nil {
				continue
			}
			rep := Compare(r.Dir, records)
			if steps, err := r.steps(rep, to); err == nil && len(steps) == 0 && rep.Count(StatusInProgress) == 0 {
				finished <- true
				cancel()
				return
			}
		}
	}()
	lock, err := r.DB.Lock(lockCtx, conn, timeout)
	close(done)
	if <-finished {
		if lock != nil {
			lock.Release(context.WithoutCancel(ctx))
		}
		return nil, errDoneByAnother
	}
	return lock, err
}

// lockPeekInterval is how often a runner waiting for the lock looks at the
// history to see whether there is anything left for it to do.
const lockPeekInterval = 100 * time.Millisecond

// recordFingerprint stores the live schema's fingerprint on the history
// row of the last migration this run applied: the state the run left the
// schema in, against which status and verify detect drift later. It is
// bookkeeping, so a failure is logged, never fatal: the migrations are
// already committed.
func (r *Runner) recordFingerprint(ctx context.Context, conn *sql.Conn, version int64) {
	if _, ok := r.DB.(dialect.Inspector); !ok {
		return
	}
	live, err := dialect.Inspect(ctx, r.DB, conn)
	if err == nil {
		var records []dialect.Record
		records, err = r.DB.History().Records(ctx, conn)
		for _, rec := range records {
			if rec.Version == version {
				rec.Fingerprint = live.Fingerprint()
				err = r.DB.History().Update(ctx, conn, rec)
			}
		}
	}
	if err != nil {
		r.log().Warn("could not record the schema fingerprint; drift detection starts at the next apply", "error", err)
	}
}

// blockingBeforeLock returns the integrity errors that no lock can resolve.
func blockingBeforeLock(rep *Report) error {
	tmp := &Report{}
	for _, e := range rep.Entries {
		if e.Status != StatusInProgress {
			tmp.Entries = append(tmp.Entries, e)
		}
	}
	return tmp.IntegrityError()
}

// applyOne runs one migration and records it, retrying when a statement
// gives up waiting for a table lock.
func (r *Runner) applyOne(ctx context.Context, conn *sql.Conn, step Step) (time.Duration, error) {
	m := step.Migration
	r.log().Info("applying", "migration", m.ID(), "statements", len(step.Statements), "transaction", step.Transactional)
	rec := dialect.Record{
		Version:         m.Version,
		Name:            m.Name,
		Checksum:        m.Checksum,
		State:           dialect.StateInProgress,
		StartedAt:       time.Now().UTC(),
		AppliedBy:       r.appliedBy(),
		StatementsTotal: len(step.Statements),
	}
	if step.Transactional {
		err := r.retrying(ctx, m, func() error { return r.applyInTransaction(ctx, conn, step, &rec) })
		return rec.ExecutionTime, err
	}
	err := r.applyStatementByStatement(ctx, conn, step, &rec)
	return rec.ExecutionTime, err
}

// applyInTransaction runs the whole migration, checks the contract on the
// schema it produced, and commits it with its history row; or leaves
// nothing behind.
func (r *Runner) applyInTransaction(ctx context.Context, conn *sql.Conn, step Step, rec *dialect.Record) error {
	m := step.Migration
	// Without a contract to check before the commit or a lock timeout of
	// its own, the migration can go to the server in one round trip.
	p, ok := r.DB.(dialect.Pipeliner)
	if ok && (r.Contract == nil || len(r.Contract.Live) == 0) && m.UpDirectives.LockTimeout == 0 {
		texts := make([]string, len(step.Statements))
		for i, s := range step.Statements {
			texts[i] = s.Text
		}
		failed, err := p.ApplyPipelined(ctx, conn, texts, *rec)
		if err != nil {
			if failed >= 0 {
				return r.statementError(m, failed, step.Statements[failed], err, rolledBack)
			}
			return r.dbError("apply "+m.ID(), err)
		}
		finish(rec, len(step.Statements))
		return nil
	}
	return r.runInTransaction(ctx, conn, "apply", m, step.Statements,
		func(i int, stmt sqlsplit.Statement, err error) error {
			return r.statementError(m, i, stmt, err, rolledBack)
		},
		func(tx *sql.Tx) error {
			finish(rec, len(step.Statements))
			return r.DB.History().Insert(ctx, tx, *rec)
		})
}

// runInTransaction runs stmts in one transaction on conn, checks the
// contract on the schema they produce, lets record write the history in
// the same transaction, and commits; or leaves nothing behind. op ("apply",
// "roll back") names the work in errors; failed describes a failed
// statement.
func (r *Runner) runInTransaction(ctx context.Context, conn *sql.Conn, op string, m *migration.Migration, stmts []sqlsplit.Statement,
	failed func(i int, stmt sqlsplit.Statement, err error) error, record func(tx *sql.Tx) error) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return r.dbError(op+" "+m.ID()+": begin transaction", err)
	}
	defer tx.Rollback()
	if _, err := r.migrationLockWaits(ctx, tx, m, true); err != nil {
		return err
	}
	for i, stmt := range stmts {
		if _, err := tx.ExecContext(ctx, stmt.Text); err != nil {
			return failed(i, stmt, err)
		}
	}
	if r.Contract != nil && len(r.Contract.Live) > 0 {
		after, err := dialect.Inspect(ctx, r.DB, tx)
		if err != nil {
			return err
		}
		if err := r.Contract.Check(m, stmts, after); err != nil {
			return err
		}
	}
	if err := record(tx); err != nil {
		return r.dbError(op+" "+m.ID(), err)
	}
	if err := tx.Commit(); err != nil {
		return r.dbError(op+" "+m.ID()+": commit", err)
	}
	return nil
}

// applyStatementByStatement runs a migration that cannot be rolled back as
// a whole. The history says how far the file got: the row is written
// first, advanced after each statement, and marked applied at the end. A
// resumed migration keeps its row and skips the statements that already
// took effect. The contract is checked before the first statement, on the
// schema the migration is predicted to produce.
func (r *Runner) applyStatementByStatement(ctx context.Context, conn *sql.Conn, step Step, rec *dialect.Record) error {
	m := step.Migration
	if r.Contract != nil && len(r.Contract.Live) > 0 {
		if r.Contract.Predict == nil {
			return schemagate.Errorf(schemagate.KindRefused, "contract_unchecked",
				"%s runs without a transaction, so schemagate must predict its effect to protect the %d live %s, and has no dev database to do it on",
				m.ID(), len(r.Contract.Live), pluralize(len(r.Contract.Live), "release")).
				WithHint("pass --dev-url so the migration can be replayed first, or accept the risk with --allow-breaking for each live release")
		}
		after, err := r.Contract.Predict(ctx, m)
		if err != nil {
			return err
		}
		if err := r.Contract.Check(m, step.Statements, after); err != nil {
			return err
		}
	}
	history := r.DB.History()
	if step.Resume > 0 {
		rec.StatementsDone = step.Resume
		r.log().Info("resuming a partly applied migration", "migration", m.ID(), "skipping", step.Resume)
		if err := history.Update(ctx, conn, *rec); err != nil {
			return r.dbError("apply "+m.ID(), err)
		}
	} else if err := history.Insert(ctx, conn, *rec); err != nil {
		return r.dbError("apply "+m.ID(), err)
	}
	restore, err := r.migrationLockWaits(ctx, conn, m, false)
	if err != nil {
		return err
	}
	defer restore()
	for i, stmt := range step.Statements {
		if i < step.Resume {
			continue
		}
		err := r.retrying(ctx, m, func() error {
			if _, err := conn.ExecContext(ctx, stmt.Text); err != nil {
				return r.statementError(m, i, stmt, err, leftInProgress)
			}
			return nil
		})
		if se := r.DB.DescribeError(err); se != nil && se.Rejected && i == 0 {
			// The first statement never ran: forget the migration, so that
			// a fixed file simply applies.
			if derr := history.Delete(context.WithoutCancel(ctx), conn, rec.Version); derr == nil {
				var cause *causedError
				errors.As(err, &cause)
				return r.statementError(m, i, stmt, cause.cause, nothingRan)
			}
		}
		if schemagate.ReasonOf(err) == "ddl_lock_timeout" {
			// A statement that never got its lock never ran: the history
			// can say exactly where the file stands, and the next apply
			// carries on without a repair.
			r.settleAfterLockTimeout(context.WithoutCancel(ctx), conn, *rec, i)
		}
		if err != nil {
			return err
		}
		rec.StatementsDone = i + 1
		if i+1 < len(step.Statements) {
			if err := history.Update(ctx, conn, *rec); err != nil {
				return r.dbError("apply "+m.ID()+": record progress", err)
			}
		}
	}
	finish(rec, len(step.Statements))
	if err := history.Update(ctx, conn, *rec); err != nil {
		return r.dbError("apply "+m.ID()+": record completion", err)
	}
	return nil
}

// settleAfterLockTimeout records a statement-by-statement migration whose
// statement i gave up waiting for its lock: as partial after the i
// statements that ran, or, when none did, as never started.
func (r *Runner) settleAfterLockTimeout(ctx context.Context, conn *sql.Conn, rec dialect.Record, i int) {
	var err error
	if i == 0 {
		err = r.DB.History().Delete(ctx, conn, rec.Version)
	} else {
		rec.State, rec.StatementsDone = dialect.StatePartial, i
		err = r.DB.History().Update(ctx, conn, rec)
	}
	if err != nil {
		r.log().Warn("could not record where the migration stopped; run `schemagate repair`", "migration", rec.ID(), "error", err)
	}
}

// DefaultDDLLockTimeout bounds how long a migration statement may wait for
// a table lock before it gives up (and the runner retries): short, because
// while it waits, every later query on the table waits behind it.
const DefaultDDLLockTimeout = 2 * time.Second

// DefaultLockRetries is how many times a migration that gave up on a table
// lock is retried.
const DefaultLockRetries = 5

func (r *Runner) ddlLockTimeout(m *migration.Migration) time.Duration {
	if d := m.UpDirectives.LockTimeout; d > 0 {
		return d
	}
	if r.DDLLockTimeout < 0 {
		return 0
	}
	if r.DDLLockTimeout == 0 {
		return DefaultDDLLockTimeout
	}
	return r.DDLLockTimeout
}

// boundLockWaits sets the runner's statement lock timeout on conn for the
// whole run, and returns what undoes it. Setting it once, rather than per
// migration, saves a round trip per migration.
func (r *Runner) boundLockWaits(ctx context.Context, conn *sql.Conn) (func(), error) {
	lt, ok := r.DB.(dialect.LockTimeouter)
	d := r.ddlLockTimeout(&migration.Migration{})
	if !ok || d <= 0 {
		return func() {}, nil
	}
	if err := lt.SetLockTimeout(ctx, conn, d, false); err != nil {
		return nil, r.dbError("set the lock timeout", err)
	}
	return func() { _ = lt.ResetLockTimeout(context.WithoutCancel(ctx), conn) }, nil
}

// migrationLockWaits applies a migration's own lock-timeout directive, for
// its transaction (inTx) or until the returned function restores the
// runner's timeout.
func (r *Runner) migrationLockWaits(ctx context.Context, q dialect.Querier, m *migration.Migration, inTx bool) (func(), error) {
	lt, ok := r.DB.(dialect.LockTimeouter)
	if !ok || m.UpDirectives.LockTimeout <= 0 && m.DownDirectives.LockTimeout <= 0 {
		return func() {}, nil
	}
	d := m.UpDirectives.LockTimeout
	if d <= 0 {
		d = m.DownDirectives.LockTimeout
	}
	if err := lt.SetLockTimeout(ctx, q, d, inTx); err != nil {
		return nil, r.dbError("apply "+m.ID()+": set the lock timeout", err)
	}
	if inTx {
		return func() {}, nil
	}
	return func() {
		if base := r.ddlLockTimeout(&migration.Migration{}); base > 0 {
			_ = lt.SetLockTimeout(context.WithoutCancel(ctx), q, base, false)
		} else {
			_ = lt.ResetLockTimeout(context.WithoutCancel(ctx), q)
		}
	}, nil
}

// retrying runs attempt, and again with growing pauses while it fails
// because a statement gave up waiting for a lock, at most r.LockRetries
// more times. Each retry is logged.
func (r *Runner) retrying(ctx context.Context, m *migration.Migration, attempt func() error) error {
	lt, ok := r.DB.(dialect.LockTimeouter)
	retries := r.LockRetries
	switch {
	case retries == 0:
		retries = DefaultLockRetries
	case retries < 0:
		retries = 0
	}
	pause := 500 * time.Millisecond
	for n := 0; ; n++ {
		err := attempt()
		if err == nil || !ok || !lt.IsLockTimeout(err) {
			return err
		}
		if n >= retries {
			return &schemagate.Error{Kind: schemagate.KindTimeout, Reason: "ddl_lock_timeout", Op: "apply " + m.ID(),
				Err: fmt.Errorf("gave up after %d attempts: a statement could not get its table lock within %s each time: %w",
					n+1, r.ddlLockTimeout(m), err),
				Hint: "a long transaction holds the table; find it (pg_stat_activity / SHOW PROCESSLIST) and let it finish, then apply again; or raise the wait with `-- schemagate:lock-timeout 10s` in the file"}
		}
		wait := pause + time.Duration(rand.Int64N(int64(pause/5)+1))
		r.log().Warn("a statement gave up waiting for a table lock; retrying the migration",
			"migration", m.ID(), "attempt", n+1, "of", retries+1, "lock_timeout", r.ddlLockTimeout(m), "retry_in", wait.Round(time.Millisecond))
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		if pause < 8*time.Second {
			pause *= 2
		}
	}
}

// finish marks rec as applied now, with all n statements done.
func finish(rec *dialect.Record, n int) {
	rec.State = dialect.StateApplied
	rec.StatementsDone = n
	rec.FinishedAt = time.Now().UTC()
	rec.ExecutionTime = rec.FinishedAt.Sub(rec.StartedAt)
}

// statementError reports a failed statement with everything an operator
// needs to find it: file, statement number, line, and the server's words.
// statementOutcome says what a failed statement left behind.
type statementOutcome int

const (
	// rolledBack: the migration's transaction was rolled back.
	rolledBack statementOutcome = iota
	// leftInProgress: earlier statements took effect; repair decides.
	leftInProgress
	// nothingRan: the server rejected the file's first statement before
	// running it, so nothing took effect and nothing is recorded.
	nothingRan
)

func (r *Runner) statementError(m *migration.Migration, i int, stmt sqlsplit.Statement, err error, outcome statementOutcome) error {
	line := stmt.Line
	what := err.Error()
	code := ""
	if se := r.DB.DescribeError(err); se != nil {
		what = se.String()
		code = se.Code
		switch {
		case se.Position > 0:
			line += strings.Count(prefixRunes(stmt.Text, se.Position-1), "\n")
		case se.Line > 0:
			line += se.Line - 1
		}
	}
	var said, hint string
	switch outcome {
	case rolledBack, nothingRan:
		said = "the migration was rolled back and left no trace; earlier migrations stay applied"
		if outcome == nothingRan {
			said = "the server rejected it before running it, so nothing of the migration took effect or is recorded; earlier migrations stay applied"
		}
		hint = "fix the statement in a new commit (the file is not applied yet, so editing it is safe), run `schemagate hash`, and apply again"
	default:
		said = fmt.Sprintf("%d earlier %s of this file had finished and %s recorded; the migration is marked in progress",
			i, pluralize(i, "statement"), map[bool]string{true: "is", false: "are"}[i == 1])
		hint = "run `schemagate repair` to compare the live schema with the migration before anything else"
	}
	reason := "statement_failed"
	if isPrivilegeError(code) {
		hint = "the database user lacks a privilege this statement needs; grant it, or run migrations as the schema owner"
		reason = "insufficient_privilege"
	}
	return &schemagate.Error{
		Kind:   schemagate.KindError,
		Reason: reason,
		Op:     "apply " + m.ID(),
		Err: &causedError{
			msg: fmt.Sprintf("statement %d (%s line %d) failed: %s\n  %s\n%s",
				i+1, m.UpFile, line, what, excerpt(stmt.Text), said),
			cause: err,
		},
		Hint: hint,
	}
}

// isPrivilegeError reports whether an engine error code means the user may
// not do this: PostgreSQL insufficient_privilege and read-only transaction,
// MySQL access denied, SQLite read-only.
func isPrivilegeError(code string) bool {
	switch code {
	case "42501", "25006", "1044", "1045", "1142", "1227", "1290", "SQLITE_READONLY":
		return true
	}
	return strings.HasPrefix(code, "SQLITE_READONLY")
}

// dbError wraps an error from the database with what was being done, and
// a hint for the errors an operator can fix.
func (r *Runner) dbError(op string, err error) error {
	var sgErr *schemagate.Error
	if errors.As(err, &sgErr) {
		if sgErr.Op == "" {
			sgErr.Op = op
		}
		return sgErr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return schemagate.Errorf(schemagate.KindError, "interrupted", "%s: %w", op, err)
	}
	e := &schemagate.Error{Kind: schemagate.KindError, Reason: "database_error", Op: op, Err: err}
	if se := r.DB.DescribeError(err); se != nil {
		e.Err = &causedError{msg: se.String(), cause: err}
		if isPrivilegeError(se.Code) {
			e.Reason = "insufficient_privilege"
			e.Hint = "schemagate needs to create and write its table " + dialect.HistoryTable +
				"; run migrations as a user that may, e.g. the schema owner"
		}
	}
	return e
}

func (r *Runner) appliedBy() string {
	if r.AppliedBy != "" {
		return r.AppliedBy
	}
	return DefaultAppliedBy()
}

// DefaultAppliedBy is "user@host" of this process.
func DefaultAppliedBy() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	if name == "" {
		name = fmt.Sprintf("uid%d", os.Getuid())
	}
	host, _ := os.Hostname()
	return name + "@" + host
}

// prefixRunes returns the first n runes of s.
func prefixRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// excerpt is the statement's first line, shortened for a message.
func excerpt(stmt string) string {
	line, _, more := strings.Cut(stmt, "\n")
	if utf8.RuneCountInString(line) > 100 {
		line = prefixRunes(line, 100)
		more = true
	}
	if more {
		line += " …"
	}
	return line
}

// causedError is a message written for people that keeps the error it
// describes in the chain, for errors.As.
type causedError struct {
	msg   string
	cause error
}

func (e *causedError) Error() string { return e.msg }
func (e *causedError) Unwrap() error { return e.cause }
