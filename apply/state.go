// Package apply is the migration runner: it compares a migration directory
// with a database's history, applies what is pending exactly once under the
// database's migration lock, and answers whether a database is where a
// release needs it (the deploy gate).
package apply

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
)

// Status is where one migration stands in one database.
type Status string

const (
	// StatusApplied: recorded as applied, with the checksum of the file.
	StatusApplied Status = "applied"
	// StatusPending: in the directory, not yet applied.
	StatusPending Status = "pending"
	// StatusInProgress: started and never recorded as finished.
	StatusInProgress Status = "in_progress"
	// StatusPartial: stopped part-way, confirmed by repair; apply resumes
	// it after the statements that took effect.
	StatusPartial Status = "partial"
	// StatusChanged: applied, but the file was edited since.
	StatusChanged Status = "changed"
	// StatusUnknown: applied, but not in this directory (a newer release
	// applied it, or the file was deleted).
	StatusUnknown Status = "unknown"
)

// Entry is one version seen in the directory, the history, or both.
type Entry struct {
	Version int64
	// ID is the migration's file stem, e.g. "0002_add_email".
	ID     string
	Status Status
	// Migration is nil for StatusUnknown; Record is nil for StatusPending.
	Migration *migration.Migration
	Record    *dialect.Record
}

// Report compares a directory with a history, one Entry per version in
// ascending order.
type Report struct {
	Entries []Entry
}

// Load reads db's history and compares it with dir.
func Load(ctx context.Context, db dialect.Database, dir *migration.Dir) (*Report, error) {
	records, err := db.History().Records(ctx, db.DB())
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindError, "database_error", "read history of %s: %w", db.Target(), err)
	}
	return Compare(dir, records), nil
}

// Compare builds the Report for dir against the history records.
func Compare(dir *migration.Dir, records []dialect.Record) *Report {
	byVersion := make(map[int64]*dialect.Record, len(records))
	for i := range records {
		byVersion[records[i].Version] = &records[i]
	}
	rep := &Report{}
	for _, m := range dir.Migrations {
		e := Entry{Version: m.Version, ID: m.ID(), Migration: m, Status: StatusPending}
		if r := byVersion[m.Version]; r != nil {
			e.Record = r
			delete(byVersion, m.Version)
			switch {
			case r.State == dialect.StateInProgress:
				e.Status = StatusInProgress
			case r.Checksum != m.Checksum:
				e.Status = StatusChanged
			case r.State == dialect.StatePartial:
				e.Status = StatusPartial
			default:
				e.Status = StatusApplied
			}
		}
		rep.Entries = append(rep.Entries, e)
	}
	for _, r := range byVersion {
		e := Entry{Version: r.Version, ID: r.ID(), Record: r, Status: StatusUnknown}
		if r.State != dialect.StateApplied {
			// Unfinished, and its file is not here to finish it with.
			e.Status = StatusInProgress
		}
		rep.Entries = append(rep.Entries, e)
	}
	sort.Slice(rep.Entries, func(i, j int) bool { return rep.Entries[i].Version < rep.Entries[j].Version })
	return rep
}

// With returns the entries with one of the given statuses.
func (r *Report) With(statuses ...Status) []Entry {
	var out []Entry
	for _, e := range r.Entries {
		for _, s := range statuses {
			if e.Status == s {
				out = append(out, e)
				break
			}
		}
	}
	return out
}

// Count returns how many entries have status s.
func (r *Report) Count(s Status) int { return len(r.With(s)) }

// LatestApplied is the highest version recorded in the history, 0 if none.
func (r *Report) LatestApplied() int64 {
	var v int64
	for _, e := range r.Entries {
		if e.Record != nil && e.Version > v {
			v = e.Version
		}
	}
	return v
}

// OutOfOrder returns pending migrations older than a version already
// applied: typically a branch merged after a newer migration shipped.
func (r *Report) OutOfOrder() []Entry {
	latest := r.LatestApplied()
	var out []Entry
	for _, e := range r.With(StatusPending) {
		if e.Version < latest {
			out = append(out, e)
		}
	}
	return out
}

// IntegrityError returns the KindIntegrity error that blocks every command
// but status: a migration left in progress, or an applied file that was
// edited. It returns nil when there is none.
func (r *Report) IntegrityError() error {
	if stuck := r.With(StatusInProgress); len(stuck) > 0 {
		e := stuck[0]
		rec := e.Record
		progress := ""
		if rec.StatementsTotal > 0 {
			progress = fmt.Sprintf("; %d of %d statements had finished", rec.StatementsDone, rec.StatementsTotal)
		}
		return schemagate.Errorf(schemagate.KindIntegrity, "migration_in_progress",
			"migration %s was left in progress: started %s by %s and never recorded as finished%s",
			e.ID, rec.StartedAt.Format("2006-01-02 15:04:05Z07:00"), rec.AppliedBy, progress).
			WithHint("the run that started it died or lost its connection; run `schemagate repair` to compare the live schema with the migration and record what really happened")
	}
	if changed := r.With(StatusChanged); len(changed) > 0 {
		var lines []string
		for _, e := range changed {
			lines = append(lines, fmt.Sprintf("%s: applied with %s, file now %s", e.Migration.UpFile, short(e.Record.Checksum), short(e.Migration.Checksum)))
		}
		return schemagate.Errorf(schemagate.KindIntegrity, "checksum_mismatch",
			"applied migrations were edited after they ran:\n  %s", strings.Join(lines, "\n  ")).
			WithHint("restore the applied files from version control (git log -p -- FILE shows the change); to change the schema further, add a new migration")
	}
	if ooo := r.OutOfOrder(); len(ooo) > 0 {
		var ids []string
		for _, e := range ooo {
			ids = append(ids, e.ID)
		}
		return schemagate.Errorf(schemagate.KindIntegrity, "out_of_order",
			"pending migrations are older than version %d, which is already applied: %s",
			r.LatestApplied(), strings.Join(ids, ", ")).
			WithHint("renumber them after the newest applied version (rename the files, then `schemagate hash`)")
	}
	return nil
}

func short(checksum string) string {
	c := strings.TrimPrefix(checksum, "sha256:")
	if len(c) > 12 {
		c = c[:12]
	}
	return c
}
