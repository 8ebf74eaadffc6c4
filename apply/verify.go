package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
)

// Mode is how strictly Verify compares.
type Mode string

const (
	// ModeCompatible accepts versions in the database that the directory
	// does not know: a newer release applied them, and this release can
	// still run. This is what makes rolling the application back possible
	// without touching the schema.
	ModeCompatible Mode = "compatible"
	// ModeExact requires the database's history to be exactly the
	// directory's migrations.
	ModeExact Mode = "exact"
)

// ParseMode validates a --mode value.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case ModeCompatible, ModeExact:
		return Mode(s), nil
	}
	return "", schemagate.Errorf(schemagate.KindUsage, "invalid_mode",
		"unknown mode %q (use compatible or exact)", s)
}

// Verify answers the deploy gate's question at version level: is every
// migration of dir applied to db, with its recorded checksum, and none in
// progress? It returns the comparison and nil when satisfied; otherwise an
// error of KindIntegrity (edited migration, migration in progress, or in
// exact mode versions the directory does not know) or KindBehind (pending
// migrations, each named). Verify only reads: it takes no lock and creates
// nothing, so it is safe in an init container with a read-only role.
func Verify(ctx context.Context, db dialect.Database, dir *migration.Dir, mode Mode) (*Report, error) {
	rep, err := Load(ctx, db, dir)
	if err != nil {
		return nil, err
	}
	return rep, rep.VerifyError(mode)
}

// VerifyError is the verdict of Verify for an already built Report.
func (r *Report) VerifyError(mode Mode) error {
	if err := (&Report{Entries: r.integrityEntries()}).IntegrityError(); err != nil {
		return err
	}
	if mode == ModeExact {
		if unknown := r.With(StatusUnknown); len(unknown) > 0 {
			var ids []string
			for _, e := range unknown {
				ids = append(ids, e.ID)
			}
			return schemagate.Errorf(schemagate.KindIntegrity, "unknown_versions",
				"the database has migrations this release does not know: %s", strings.Join(ids, ", ")).
				WithHint("a newer release applied them; deploy that release, or verify with --mode compatible if this release can run on a newer schema")
		}
	}
	if pending := r.With(StatusPending, StatusPartial); len(pending) > 0 {
		var lines []string
		for _, e := range pending {
			line := e.Migration.UpFile
			if e.Status == StatusPartial {
				line += fmt.Sprintf(" (partly applied: %d of %d statements; apply resumes it)", e.Record.StatementsDone, e.Record.StatementsTotal)
			}
			lines = append(lines, line)
		}
		noun := "1 migration has"
		if len(pending) > 1 {
			noun = fmt.Sprintf("%d migrations have", len(pending))
		}
		return schemagate.Errorf(schemagate.KindBehind, "pending_migrations",
			"the database is behind this release: %s not been applied:\n  %s", noun, strings.Join(lines, "\n  ")).
			WithHint("run `schemagate apply` (the migration job did not run or failed), then verify again")
	}
	return nil
}

// integrityEntries drops pending entries, which are "behind", not an
// integrity problem, when Verify asks for the integrity verdict.
func (r *Report) integrityEntries() []Entry {
	var out []Entry
	for _, e := range r.Entries {
		if e.Status != StatusPending && e.Status != StatusPartial {
			out = append(out, e)
		}
	}
	return out
}

// WaitOptions tune Wait.
type WaitOptions struct {
	// Timeout bounds the whole wait.
	Timeout time.Duration
	// Poll is the interval between checks when the engine cannot notify;
	// 0 means one second.
	Poll time.Duration
}

// Wait repeats check until it passes, fails for a reason waiting cannot
// fix, or opts.Timeout runs out (a KindTimeout error that quotes the last
// verdict). Behind and in-progress verdicts are worth waiting on; anything
// else returns at once. On engines that notify (PostgreSQL), a runner's
// NOTIFY wakes the wait immediately.
func Wait(ctx context.Context, db dialect.Database, check func(ctx context.Context) error, opts WaitOptions) error {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	poll := opts.Poll
	if poll <= 0 {
		poll = time.Second
	}
	var listener dialect.Listener
	if n, ok := db.(dialect.Notifier); ok {
		if l, err := n.ListenApplied(ctx); err == nil {
			listener = l
			defer l.Close()
		}
	}
	for {
		err := check(ctx)
		if err == nil || !worthWaiting(err) || ctx.Err() != nil {
			if err != nil && ctx.Err() != nil && worthWaiting(err) {
				return timedOut(opts.Timeout, err)
			}
			return err
		}
		pollCtx, pollCancel := context.WithTimeout(ctx, poll)
		if listener != nil {
			_ = listener.Wait(pollCtx)
		} else {
			<-pollCtx.Done()
		}
		pollCancel()
		if ctx.Err() != nil {
			// One last look: the change may have landed just now.
			final, fcancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			err = check(final)
			fcancel()
			if err == nil || !worthWaiting(err) {
				return err
			}
			return timedOut(opts.Timeout, err)
		}
	}
}

func worthWaiting(err error) bool {
	switch schemagate.ReasonOf(err) {
	case "pending_migrations", "migration_in_progress", "schema_behind":
		return true
	}
	return false
}

func timedOut(d time.Duration, last error) error {
	e := schemagate.Errorf(schemagate.KindTimeout, "wait_timeout",
		"gave up after waiting %s; the last check said: %w", d, last)
	var inner *schemagate.Error
	if errors.As(last, &inner) {
		e.Hint = inner.Hint
	}
	return e
}
