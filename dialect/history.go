package dialect

import (
	"context"
	"fmt"
	"time"
)

// State is the state of a history row.
type State string

const (
	// StateApplied: the migration ran to its end and is recorded.
	StateApplied State = "applied"
	// StateInProgress: the migration started and has not been recorded as
	// finished. While a runner holds the lock this means it is running; with
	// no runner, it means a run died part-way and `repair` must decide.
	StateInProgress State = "in_progress"
	// StatePartial: a migration that runs without a transaction stopped
	// part-way, and `repair` confirmed from the live schema that exactly
	// StatementsDone statements took effect. The next apply resumes with
	// the statement after them and never runs those again.
	StatePartial State = "partial"
)

// Record is one row of the history table.
type Record struct {
	Version  int64
	Name     string
	Checksum string
	State    State
	// StartedAt is when the migration began; FinishedAt is zero while in
	// progress.
	StartedAt     time.Time
	FinishedAt    time.Time
	ExecutionTime time.Duration
	// AppliedBy is "user@host" of the process that ran the migration.
	AppliedBy string
	// StatementsDone counts statements that finished, for engines without
	// transactional DDL: after a failure it says exactly how far the file
	// got. StatementsTotal is the number of statements in the file.
	StatementsDone  int
	StatementsTotal int
	// Fingerprint is the live schema's fingerprint right after the
	// migration, for drift detection; empty when it was not computed.
	Fingerprint string
}

// ID is the migration's file stem, as the operator knows it.
func (r Record) ID() string { return FormatID(r.Version, r.Name) }

// History stores Records. Every method takes the Querier to run on, so a
// record can be written in the same transaction as the migration itself.
type History interface {
	// Ensure creates the history table if it does not exist. Call it while
	// holding the lock: concurrent CREATE TABLE IF NOT EXISTS races on some
	// engines.
	Ensure(ctx context.Context, q Querier) error
	// Records returns every row in ascending version order. A missing
	// history table yields no rows and no error, so read-only commands
	// work on a database schemagate never touched.
	Records(ctx context.Context, q Querier) ([]Record, error)
	// Insert adds a row.
	Insert(ctx context.Context, q Querier, r Record) error
	// Update rewrites the row with r.Version.
	Update(ctx context.Context, q Querier, r Record) error
	// Delete removes the row for version.
	Delete(ctx context.Context, q Querier, version int64) error
}

// FormatID formats a version and name the way migration files are named
// ("0002_add_email"), for records whose file is not at hand.
func FormatID(version int64, name string) string {
	return fmt.Sprintf("%04d_%s", version, name)
}
