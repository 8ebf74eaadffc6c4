package apply

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/schemagate/schemagate/schema"
)

// Explain says, for a difference between the schema a release needs and the
// live one, which migration accounts for it: for an object that is missing,
// the migration that creates it and whether it ran. This turns "column
// tenants.domain_verified is missing" into "… migration
// 0007_verify_domains has not been applied", the sentence an on-call
// engineer needs.
//
// Which migration creates an object is read from the migrations' SQL: the
// first migration that names the object (and, for a column, its table)
// where a CREATE or ADD could create it. It returns d.Message unchanged
// when no migration names the object.
func (r *Report) Explain(d schema.Difference) string {
	if !d.Missing() {
		return d.Message
	}
	var names []string
	switch {
	case d.Column != "":
		names = []string{d.Table, d.Column}
	case d.Table != "" && d.Object != "":
		names = []string{d.Table, d.Object}
	case d.Table != "":
		names = []string{d.Table}
	case d.Object != "":
		names = []string{d.Object}
	default:
		return d.Message
	}
	for _, e := range r.Entries {
		if e.Migration == nil || !mentionsAll(e.Migration.Up, names) {
			continue
		}
		switch e.Status {
		case StatusPending, StatusPartial:
			return fmt.Sprintf("%s: migration %s has not been applied", d.Message, e.ID)
		case StatusInProgress:
			return fmt.Sprintf("%s: migration %s was left in progress (run `schemagate repair`)", d.Message, e.ID)
		default:
			return fmt.Sprintf("%s, although migration %s, which creates it, is recorded as applied: the schema was changed outside the migrations", d.Message, e.ID)
		}
	}
	return d.Message
}

// mentionsAll reports whether sql names every identifier in names as a
// whole word (case-insensitive; quoted or not).
func mentionsAll(sql string, names []string) bool {
	lower := strings.ToLower(sql)
	for _, n := range names {
		word := regexp.MustCompile(`(^|[^a-z0-9_$])` + regexp.QuoteMeta(strings.ToLower(n)) + `($|[^a-z0-9_$])`)
		if !word.MatchString(lower) {
			return false
		}
	}
	return true
}
