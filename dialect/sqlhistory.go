package dialect

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SQLHistory implements History with portable SQL. An engine supplies the
// table's DDL, how to ask whether the table exists, and its placeholder
// style; the rest is shared so that every engine records the same facts the
// same way.
type SQLHistory struct {
	// CreateTable is the engine's CREATE TABLE IF NOT EXISTS statement for
	// HistoryTable with the columns listed in historyColumns.
	CreateTable string
	// TableExists reports whether HistoryTable exists.
	TableExists func(ctx context.Context, q Querier) (bool, error)
	// Placeholder returns the n-th (1-based) bind parameter: "$1" or "?".
	Placeholder func(n int) string
	// TimeValue converts a time to the value the engine stores, e.g. a
	// string for SQLite; nil means pass time.Time through.
	TimeValue func(time.Time) any
}

// historyColumns are the history table's columns, in the order every query
// here reads and writes them.
var historyColumns = []string{
	"version", "name", "checksum", "state", "started_at", "finished_at",
	"execution_ms", "applied_by", "statements_done", "statements_total", "fingerprint",
}

// Ensure implements History.
func (h *SQLHistory) Ensure(ctx context.Context, q Querier) error {
	if _, err := q.ExecContext(ctx, h.CreateTable); err != nil {
		return fmt.Errorf("create history table %s: %w", HistoryTable, err)
	}
	return nil
}

// Records implements History.
func (h *SQLHistory) Records(ctx context.Context, q Querier) ([]Record, error) {
	exists, err := h.TableExists(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("look for history table %s: %w", HistoryTable, err)
	}
	if !exists {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT "+strings.Join(historyColumns, ", ")+
		" FROM "+HistoryTable+" ORDER BY version")
	if err != nil {
		return nil, fmt.Errorf("read history table %s: %w", HistoryTable, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var (
			r                 Record
			state             string
			started, finished dbTime
			execMS            int64
		)
		if err := rows.Scan(&r.Version, &r.Name, &r.Checksum, &state, &started, &finished,
			&execMS, &r.AppliedBy, &r.StatementsDone, &r.StatementsTotal, &r.Fingerprint); err != nil {
			return nil, fmt.Errorf("read history table %s: %w", HistoryTable, err)
		}
		r.State = State(state)
		r.StartedAt, r.FinishedAt = started.t, finished.t
		r.ExecutionTime = time.Duration(execMS) * time.Millisecond
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read history table %s: %w", HistoryTable, err)
	}
	return out, nil
}

// Insert implements History.
func (h *SQLHistory) Insert(ctx context.Context, q Querier, r Record) error {
	query, args := h.InsertStatement(r)
	if _, err := q.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("record migration %d in %s: %w", r.Version, HistoryTable, err)
	}
	return nil
}

// Update implements History.
func (h *SQLHistory) Update(ctx context.Context, q Querier, r Record) error {
	// Placeholders are numbered in order of appearance, so the version
	// (first of the values) moves to the end, after the SET list.
	cols := historyColumns[1:]
	sets := make([]string, len(cols))
	for i, c := range cols {
		sets[i] = c + " = " + h.Placeholder(i+1)
	}
	query := "UPDATE " + HistoryTable + " SET " + strings.Join(sets, ", ") +
		" WHERE version = " + h.Placeholder(len(cols)+1)
	vals := h.values(r)
	res, err := q.ExecContext(ctx, query, append(vals[1:], vals[0])...)
	if err != nil {
		return fmt.Errorf("update migration %d in %s: %w", r.Version, HistoryTable, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("update migration %d in %s: no such row", r.Version, HistoryTable)
	}
	return nil
}

// Delete implements History.
func (h *SQLHistory) Delete(ctx context.Context, q Querier, version int64) error {
	if _, err := q.ExecContext(ctx, "DELETE FROM "+HistoryTable+" WHERE version = "+h.Placeholder(1), version); err != nil {
		return fmt.Errorf("delete migration %d from %s: %w", version, HistoryTable, err)
	}
	return nil
}

func (h *SQLHistory) values(r Record) []any {
	var finished any
	if !r.FinishedAt.IsZero() {
		finished = h.timeValue(r.FinishedAt)
	}
	return []any{
		r.Version, r.Name, r.Checksum, string(r.State), h.timeValue(r.StartedAt), finished,
		r.ExecutionTime.Milliseconds(), r.AppliedBy, r.StatementsDone, r.StatementsTotal, r.Fingerprint,
	}
}

func (h *SQLHistory) timeValue(t time.Time) any {
	t = t.UTC()
	if h.TimeValue != nil {
		return h.TimeValue(t)
	}
	return t
}

// dbTime scans a timestamp whichever way the driver hands it over: as a
// time.Time, or as text (SQLite).
type dbTime struct{ t time.Time }

func (d *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		d.t = time.Time{}
	case time.Time:
		d.t = v.UTC()
	case string:
		return d.parse(v)
	case []byte:
		return d.parse(string(v))
	case int64:
		d.t = time.UnixMilli(v).UTC()
	default:
		return fmt.Errorf("unsupported timestamp value %T", src)
	}
	return nil
}

func (d *dbTime) parse(s string) error {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05.999999999", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			d.t = t.UTC()
			return nil
		}
	}
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		d.t = time.UnixMilli(ms).UTC()
		return nil
	}
	return fmt.Errorf("unparsable timestamp %q", s)
}

// InsertStatement returns the INSERT that Insert runs for r and its
// arguments, for engines that send it together with other statements.
func (h *SQLHistory) InsertStatement(r Record) (query string, args []any) {
	marks := make([]string, len(historyColumns))
	for i := range marks {
		marks[i] = h.Placeholder(i + 1)
	}
	return "INSERT INTO " + HistoryTable + " (" + strings.Join(historyColumns, ", ") +
		") VALUES (" + strings.Join(marks, ", ") + ")", h.values(r)
}
