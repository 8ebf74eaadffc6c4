package apply

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/registry"
	"github.com/schemagate/schemagate/schema"
	"github.com/schemagate/schemagate/sqlsplit"
)

// Contract is the gate that keeps a migration from breaking a release that
// is still running. Before a migration commits, the runner checks the
// schema it produces against every live release's snapshot; a migration
// that would make one of them incompatible is refused unless the operator
// named that release in AllowBreaking or the migration carries an approval.
// Nothing overrides silently.
type Contract struct {
	// Live are the releases with live instances, from the registry.
	Live []registry.Release
	// AllowBreaking names releases ("app version") the operator accepts
	// to break.
	AllowBreaking []string
	// Approved reports whether a migration carries a valid approval.
	Approved func(m *migration.Migration) bool
	// Predict returns the schema a migration produces, for migrations the
	// runner cannot check inside their own transaction (no-transaction
	// files, engines without transactional DDL). Nil means such migrations
	// cannot be checked, and are refused while releases are live.
	Predict func(ctx context.Context, m *migration.Migration) (*schema.Schema, error)
	// Now is the time "last seen" is measured from; zero means time.Now.
	Now time.Time
}

// Breach is one live release a migration would break.
type Breach struct {
	Release  registry.Release
	Problems []schema.Difference
}

// Check judges the schema after m against every live release. It returns
// nil, or a KindRefused error saying which release, how many instances,
// when last seen, what it needs and which statement removes it.
func (c *Contract) Check(m *migration.Migration, stmts []sqlsplit.Statement, after *schema.Schema) error {
	breaches := c.Breaches(after)
	if len(breaches) == 0 {
		return nil
	}
	var unaccepted []Breach
	for _, b := range breaches {
		if !c.allowed(b.Release) {
			unaccepted = append(unaccepted, b)
		}
	}
	if len(unaccepted) == 0 {
		return nil
	}
	if c.Approved != nil && c.Approved(m) {
		return nil
	}
	now := c.Now
	if now.IsZero() {
		now = time.Now()
	}
	var lines []string
	var names []string
	for _, b := range unaccepted {
		r := b.Release
		names = append(names, r.Name())
		lines = append(lines, fmt.Sprintf("%s (%d live %s, last seen %s ago) needs:", r.Name(), r.LiveInstances,
			pluralize(r.LiveInstances, "instance"), now.Sub(r.LastSeen).Round(time.Second)))
		for _, p := range b.Problems {
			line := "  " + p.Message
			if s := culprit(p, stmts); s != "" {
				line += "; " + s
			}
			lines = append(lines, line)
		}
	}
	return schemagate.Errorf(schemagate.KindRefused, "breaks_live_release",
		"%s would break a release that is still running:\n  %s", m.ID(), strings.Join(lines, "\n  ")).
		WithHint("first deploy a release that no longer needs it and let the old instances stop (an instance stops counting once its heartbeat is older than the TTL); or approve the migration (`schemagate approve %d`); or accept the breakage explicitly with --allow-breaking %q",
			m.Version, names[0])
}

// Breaches lists the live releases that cannot run on s.
func (c *Contract) Breaches(s *schema.Schema) []Breach {
	var out []Breach
	for _, v := range registry.Window(c.Live, s) {
		if v.Judged && !v.Compatible {
			out = append(out, Breach{Release: v.Release, Problems: v.Problems})
		}
	}
	return out
}

func (c *Contract) allowed(r registry.Release) bool {
	for _, name := range c.AllowBreaking {
		if strings.EqualFold(strings.TrimSpace(name), r.Name()) {
			return true
		}
	}
	return false
}

// culprit names the statement that most likely removes or changes what
// the difference is about: the first one that names the object together
// with DROP, ALTER or RENAME.
func culprit(d schema.Difference, stmts []sqlsplit.Statement) string {
	names := []string{}
	for _, n := range []string{d.Table, d.Column, d.Object} {
		if n != "" {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return ""
	}
	verb := regexp.MustCompile(`(?i)\b(drop|alter|rename|modify|change)\b`)
	for i, s := range stmts {
		if verb.MatchString(s.Text) && mentionsAll(s.Text, names) {
			return fmt.Sprintf("statement %d (line %d) removes or changes it: %s", i+1, s.Line, excerpt(s.Text))
		}
	}
	return ""
}

func pluralize(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
