package migration

import (
	"fmt"
	"strings"
	"time"
)

// Directives are instructions to schemagate written as SQL comments:
//
//	-- schemagate:no-transaction
//	-- schemagate:lock-timeout 5s
//	-- schemagate:ignore RULE reason why this is safe
//
// no-transaction and lock-timeout apply to the whole file and must stand in
// its leading comments, before the first statement. ignore may stand anywhere
// and applies to the statement that follows it. An unknown directive is an
// error, so that a typo never silently changes how a migration runs.
type Directives struct {
	// NoTransaction runs the file outside a transaction, for statements that
	// cannot run inside one (CREATE INDEX CONCURRENTLY, VACUUM). The history
	// row is marked in progress before the file runs and finished after.
	NoTransaction bool
	// LockTimeout overrides the time a statement may wait for a table lock;
	// 0 means the runner's default.
	LockTimeout time.Duration
	// Ignores are lint suppressions, each with the reason the author gave.
	Ignores []Ignore
}

// Ignore suppresses one lint rule for the statement after the comment.
type Ignore struct {
	Rule   string
	Reason string
	// Line is the 1-based line of the directive comment.
	Line int
}

const directivePrefix = "schemagate:"

// knownDirectives lists every directive, for the error on an unknown one.
var knownDirectives = []string{"no-transaction", "lock-timeout DURATION", "ignore RULE REASON"}

// ParseDirectives reads the schemagate: directives in src's line comments.
func ParseDirectives(src string) (Directives, error) {
	var d Directives
	inHeader := true
	for i, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		lineNo := i + 1
		if trimmed == "" {
			continue
		}
		comment, isComment := strings.CutPrefix(trimmed, "--")
		if !isComment {
			// A directive may also follow SQL on the same line; only the
			// header rule cares that this line holds SQL.
			inHeader = false
			if j := strings.Index(trimmed, "-- "+directivePrefix); j >= 0 {
				comment = trimmed[j+2:]
			} else {
				continue
			}
		}
		comment = strings.TrimSpace(comment)
		rest, ok := strings.CutPrefix(comment, directivePrefix)
		if !ok {
			continue
		}
		name, arg, _ := strings.Cut(strings.TrimSpace(rest), " ")
		arg = strings.TrimSpace(arg)
		switch name {
		case "no-transaction":
			if !inHeader {
				return d, fmt.Errorf("line %d: schemagate:no-transaction must stand in the file's leading comments, before the first statement", lineNo)
			}
			if arg != "" {
				return d, fmt.Errorf("line %d: schemagate:no-transaction takes no argument, got %q", lineNo, arg)
			}
			d.NoTransaction = true
		case "lock-timeout":
			if !inHeader {
				return d, fmt.Errorf("line %d: schemagate:lock-timeout must stand in the file's leading comments, before the first statement", lineNo)
			}
			dur, err := time.ParseDuration(arg)
			if err != nil || dur <= 0 {
				return d, fmt.Errorf("line %d: schemagate:lock-timeout needs a positive duration such as 5s or 500ms, got %q", lineNo, arg)
			}
			d.LockTimeout = dur
		case "ignore":
			rule, reason, _ := strings.Cut(arg, " ")
			reason = strings.TrimSpace(reason)
			if rule == "" || reason == "" {
				return d, fmt.Errorf("line %d: schemagate:ignore needs a rule and the reason it is safe: -- schemagate:ignore RULE REASON", lineNo)
			}
			d.Ignores = append(d.Ignores, Ignore{Rule: rule, Reason: reason, Line: lineNo})
		default:
			return d, fmt.Errorf("line %d: unknown directive schemagate:%s (known: %s)", lineNo, name, strings.Join(knownDirectives, ", "))
		}
	}
	return d, nil
}
