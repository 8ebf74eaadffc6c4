package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

// Outcome is what repair concluded about a migration left in progress.
type Outcome string

const (
	// OutcomeFinished: every statement took effect; record it as applied.
	OutcomeFinished Outcome = "finished"
	// OutcomeNotStarted: nothing took effect; clear the record so the next
	// apply runs the migration from the start.
	OutcomeNotStarted Outcome = "not_started"
	// OutcomePartial: exactly the first Statements statements took effect;
	// mark it partial so the next apply resumes after them.
	OutcomePartial Outcome = "partial"
	// OutcomeUndecided: the live schema does not tell; nothing is recorded.
	OutcomeUndecided Outcome = "undecided"
)

// Repair is the diagnosis of one migration left in progress.
type Repair struct {
	Entry   Entry   `json:"-"`
	ID      string  `json:"migration"`
	Outcome Outcome `json:"outcome"`
	// Statements is how many statements took effect (for partial), out of
	// Total.
	Statements int `json:"statements_done"`
	Total      int `json:"statements_total"`
	// Reason explains the outcome in plain words.
	Reason string `json:"reason"`
	// Differences, when undecided, are how the live schema differs from
	// the state the history points at.
	Differences []schema.Difference `json:"differences,omitempty"`
	live        *schema.Schema
}

// Stuck returns the migration left in progress, or nil.
func (r *Report) Stuck() *Entry {
	for i := range r.Entries {
		if r.Entries[i].Status == StatusInProgress {
			return &r.Entries[i]
		}
	}
	return nil
}

// DiagnoseRepair decides what happened to the migration left in progress
// in db by comparing the live schema with the schemas before it and after
// each of its statements, replayed on dev. Nothing is guessed: when the
// live schema matches no state the history allows, or two that the
// schema cannot tell apart, the outcome is undecided.
//
// The history's count of finished statements, k, is written after each
// statement, so the truth is k or k+1 (the run may have died between a
// statement and its record). Only those two states are candidates.
func DiagnoseRepair(ctx context.Context, db, dev dialect.Database, dir *migration.Dir, rep *Report) (*Repair, error) {
	e := rep.Stuck()
	if e == nil {
		return nil, nil
	}
	if e.Migration == nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "repair_needs_file",
			"migration %s is in progress but its file is not in this directory", e.ID).
			WithHint("run repair with the migration directory of the release that applied it")
	}
	states, err := ReplayStatements(ctx, dev, dir, e.Version)
	if err != nil {
		return nil, err
	}
	live, err := dialect.Inspect(ctx, db, nil)
	if err != nil {
		return nil, err
	}
	total := len(states) - 1
	k := e.Record.StatementsDone
	if k > total {
		k = total
	}
	d := &Repair{Entry: *e, ID: e.ID, Total: total, live: live}
	fp := live.Fingerprint()
	var candidates []int
	for _, j := range []int{k, k + 1} {
		if j <= total && states[j].Fingerprint() == fp {
			candidates = append(candidates, j)
		}
	}
	switch {
	case len(candidates) == 1:
		d.Statements = candidates[0]
		switch d.Statements {
		case total:
			d.Outcome = OutcomeFinished
			d.Reason = fmt.Sprintf("the live schema is the schema after all %d statements: the migration finished but its completion was not recorded", total)
		case 0:
			d.Outcome = OutcomeNotStarted
			d.Reason = "the live schema is the schema before the migration: none of its statements took effect"
		default:
			d.Outcome = OutcomePartial
			d.Reason = fmt.Sprintf("the live schema is the schema after statement %d of %d: statements 1 to %d took effect; apply resumes with statement %d",
				d.Statements, total, d.Statements, d.Statements+1)
		}
	case len(candidates) == 2:
		d.Outcome = OutcomeUndecided
		d.Statements = k
		d.Reason = fmt.Sprintf("the history says %d statements finished; statement %d does not change the schema, so the live schema cannot tell whether it ran. Check by hand whether its effect is there, then record the answer with --statements-done %d or %d",
			k, k+1, k, k+1)
	default:
		d.Outcome = OutcomeUndecided
		d.Statements = k
		for j, s := range states {
			if s.Fingerprint() == fp {
				d.Reason = fmt.Sprintf("the live schema is the schema after statement %d, but the history says %d statements finished: the history and the schema disagree. Check by hand, then record the answer with --statements-done", j, k)
				return d, nil
			}
		}
		d.Reason = fmt.Sprintf("the live schema matches no state of the migration (before it, after statement %d or after statement %d): something else changed it. Fix the schema by hand to one of those states, or record what is true with --statements-done", k, min(k+1, total))
		d.Differences = schema.Diff(states[k], live)
	}
	return d, nil
}

// ManualRepair records an operator's answer for a migration left in
// progress: done statements took effect.
func ManualRepair(rep *Report, done int, total int) (*Repair, error) {
	e := rep.Stuck()
	if e == nil {
		return nil, nil
	}
	if done < 0 || done > total {
		return nil, schemagate.Errorf(schemagate.KindUsage, "invalid_statements_done",
			"--statements-done %d: migration %s has %d statements", done, e.ID, total)
	}
	d := &Repair{Entry: *e, ID: e.ID, Total: total, Statements: done, Reason: "recorded by the operator (--statements-done)"}
	switch done {
	case 0:
		d.Outcome = OutcomeNotStarted
	case total:
		d.Outcome = OutcomeFinished
	default:
		d.Outcome = OutcomePartial
	}
	return d, nil
}

// RecordRepair writes a decided repair into the history under the
// migration lock, after checking that the row is still the one diagnosed.
func (r *Runner) RecordRepair(ctx context.Context, d *Repair) error {
	if d.Outcome == OutcomeUndecided {
		return schemagate.Errorf(schemagate.KindIntegrity, "repair_undecided", "%s: %s", d.ID, d.Reason)
	}
	conn, unlock, err := r.locked(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	records, err := r.DB.History().Records(ctx, conn)
	if err != nil {
		return r.dbError("read history", err)
	}
	var rec *dialect.Record
	for i := range records {
		if records[i].Version == d.Entry.Version {
			rec = &records[i]
		}
	}
	if rec == nil || rec.State != dialect.StateInProgress || rec.StatementsDone != d.Entry.Record.StatementsDone {
		return schemagate.Errorf(schemagate.KindIntegrity, "repair_raced",
			"the history row of %s changed while repair looked at it", d.ID).
			WithHint("run `schemagate status`, then repair again")
	}
	history := r.DB.History()
	switch d.Outcome {
	case OutcomeNotStarted:
		err = history.Delete(ctx, conn, rec.Version)
	case OutcomeFinished:
		rec.State = dialect.StateApplied
		rec.StatementsDone, rec.StatementsTotal = d.Total, d.Total
		rec.FinishedAt = time.Now().UTC()
		if d.live != nil {
			rec.Fingerprint = d.live.Fingerprint()
		}
		err = history.Update(ctx, conn, *rec)
	case OutcomePartial:
		rec.State = dialect.StatePartial
		rec.StatementsDone, rec.StatementsTotal = d.Statements, d.Total
		err = history.Update(ctx, conn, *rec)
	}
	if err != nil {
		return r.dbError("record repair of "+d.ID, err)
	}
	return nil
}
