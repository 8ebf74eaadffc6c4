package lint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/schemagate/schemagate/schema"
)

// Schema rules judge the change as a whole rather than statement by
// statement: the schema the previous release needs (its snapshot) against
// the schema the migrations produce. Everything schema.Compatible calls a
// problem breaks release N-1 while both releases run side by side, during
// a rolling deploy and after an instant rollback of the application.

// ReleaseSchemas are the two schemas compared by the schema rules.
type ReleaseSchemas struct {
	// Previous is the schema the release still running needs: its
	// snapshot (schemagate.snapshot.json of release N-1).
	Previous *schema.Schema
	// Next is the schema the migrations produce (the new snapshot).
	Next *schema.Schema
	// PreviousRelease names release N-1 in messages ("v1.41.0"); empty
	// means "the previous release".
	PreviousRelease string
}

// The schema rules.
const (
	RuleReleaseTableRemoved        = "breaks-release-table-removed"
	RuleReleaseColumnRemoved       = "breaks-release-column-removed"
	RuleReleaseColumnTypeChanged   = "breaks-release-column-type-changed"
	RuleReleaseRequiredColumnAdded = "breaks-release-required-column-added"
	RuleReleaseDefaultRemoved      = "breaks-release-default-removed"
	RuleReleaseIncompatible        = "breaks-release-other"
)

func init() {
	register(
		Rule{Name: RuleReleaseTableRemoved, Dialects: all, Severity: Error, Category: CategoryBreaking,
			Summary: "a table the previous release uses is gone (dropped or renamed)",
			Why:     "While the previous release still runs — during the rolling deploy, and after an application rollback — every query it makes on the table fails.",
			Fix:     "Expand and contract over two releases: first ship a release that no longer uses the table (for a rename: that reads and writes the new table, with a view under the old name for the old release), then drop the old table or view in a migration of the release after it."},
		Rule{Name: RuleReleaseColumnRemoved, Dialects: all, Severity: Error, Category: CategoryBreaking,
			Summary: "a column the previous release uses is gone (dropped or renamed)",
			Why:     "The previous release names the column in its queries (ORMs list every column): they fail while it runs.",
			Fix:     "Expand and contract: release N stops using the column (for a rename: adds the new column, writes both, backfills, reads the new one); the migration of release N+1 drops the old column."},
		Rule{Name: RuleReleaseColumnTypeChanged, Dialects: all, Severity: Error, Category: CategoryBreaking,
			Summary: "a column changes to a type the previous release cannot use (narrower or different)",
			Why:     "Values the previous release writes no longer fit, or come back in a form it does not parse.",
			Fix:     "Expand and contract: add a column of the new type, write both from release N, backfill in batches, switch reads, drop the old column in release N+1. Widening (varchar(n) to a longer varchar or text, integer to bigint) is safe."},
		Rule{Name: RuleReleaseRequiredColumnAdded, Dialects: all, Severity: Error, Category: CategoryBreaking,
			Summary: "a new NOT NULL column without a default",
			Why:     "The previous release does not know the column, so its INSERTs leave it out and fail on the NOT NULL constraint.",
			Fix:     "Add the column with a default (or nullable); once no running release lacks it, drop the default or add NOT NULL in a later migration (on PostgreSQL through a validated CHECK)."},
		Rule{Name: RuleReleaseDefaultRemoved, Dialects: all, Severity: Error, Category: CategoryBreaking,
			Summary: "a default or identity the previous release relies on is removed",
			Why:     "The previous release leaves the column out of its INSERTs and counts on the database to fill it: without the default, its inserts fail or store NULL.",
			Fix:     "Keep the default until no running release relies on it; remove it in a migration of the release after the one that writes the column itself."},
		Rule{Name: RuleReleaseIncompatible, Dialects: all, Severity: Error, Category: CategoryBreaking,
			Summary: "another change the previous release cannot run with",
			Why:     "schemagate's compatibility rules (see package schema) judge that the previous release cannot run on the new schema: a NOT NULL it may violate, a missing unique constraint or enum value it relies on, a changed primary key.",
			Fix:     "Split the change into an expand step that both releases can run with, and a contract step shipped one release later."},
	)
}

// releaseFindings returns a finding for each problem schema.Compatible
// finds when the previous release runs on the next schema. Each finding
// points at the first statement of the linted migrations that names the
// table (and column), or at the start of the newest migration.
func releaseFindings(rs *ReleaseSchemas, migs []Migration, starts map[string][]int) []Finding {
	if rs == nil || rs.Previous == nil || rs.Next == nil || len(migs) == 0 {
		return nil
	}
	release := rs.PreviousRelease
	if release == "" {
		release = "the previous release"
	} else {
		release = "release " + release
	}
	report := schema.Compatible(rs.Previous, rs.Next)
	var out []Finding
	for _, d := range report.Problems {
		rule := RuleReleaseIncompatible
		switch d.Kind {
		case schema.TableMissing:
			rule = RuleReleaseTableRemoved
		case schema.ColumnMissing:
			rule = RuleReleaseColumnRemoved
		case schema.ColumnTypeChanged:
			rule = RuleReleaseColumnTypeChanged
		case schema.ColumnExtra:
			rule = RuleReleaseRequiredColumnAdded
		case schema.ColumnDefaultChanged, schema.ColumnIdentityChanged:
			rule = RuleReleaseDefaultRemoved
		}
		msg := fmt.Sprintf("Breaks %s while it still runs: %s.", release, strings.TrimSuffix(d.Message, "."))
		if d.Kind == schema.ColumnMissing {
			if renamed := renamedTo(report.Problems, d); renamed != "" {
				msg += fmt.Sprintf(" (Renamed to %s? A rename breaks the old release the same way.)", renamed)
			}
		}
		file, line, text := locate(migs, starts, d.Table, d.Column)
		out = append(out, Finding{Rule: rule, File: file, Line: line, Column: 1, Statement: text, Message: msg})
	}
	return out
}

// renamedTo guesses the new name of a removed column: a column added to
// the same table with the same type.
func renamedTo(problems []schema.Difference, removed schema.Difference) string {
	for _, p := range problems {
		if p.Kind == schema.ColumnExtra && p.Table == removed.Table {
			return p.Column
		}
	}
	return ""
}

// locate finds the statement that names table (and column, when given) in
// the migrations, newest first.
func locate(migs []Migration, starts map[string][]int, table, column string) (string, int, string) {
	names := []string{table}
	if column != "" {
		names = append(names, column)
	}
	for i := len(migs) - 1; i >= 0 && table != ""; i-- {
		m := migs[i]
		lines := strings.Split(m.SQL, "\n")
		for _, start := range starts[m.File] {
			text := statementAt(lines, start)
			if mentionsAll(text, names) {
				return m.File, start, text
			}
		}
	}
	last := migs[len(migs)-1]
	return last.File, 1, ""
}

// statementAt returns the text from line start up to the next semicolon.
func statementAt(lines []string, start int) string {
	var sb strings.Builder
	for i := start - 1; i < len(lines); i++ {
		sb.WriteString(lines[i])
		if strings.Contains(lines[i], ";") {
			break
		}
		sb.WriteString("\n")
	}
	return strings.TrimRight(strings.TrimSpace(sb.String()), ";")
}

func mentionsAll(text string, names []string) bool {
	for _, n := range names {
		re, err := regexp.Compile(`(?i)(^|[^a-z0-9_])` + regexp.QuoteMeta(n) + `($|[^a-z0-9_])`)
		if err != nil || !re.MatchString(text) {
			return false
		}
	}
	return true
}
