// Package lint finds the statements of a migration that are dangerous to run
// against a database in service: those that take a lock which blocks the
// application, rewrite a table, lose data, or break the release that is still
// running. Each finding names the statement, the danger and a safe way to
// make the same change.
//
// Statements are read with a real parser per dialect: libpg_query (the
// PostgreSQL server's own grammar) for PostgreSQL, the Vitess MySQL parser in
// strict mode for MySQL and MariaDB, and a token scan for the few SQLite
// rules. A statement the parser cannot read is never skipped: it yields a
// statement-not-linted finding with the parser's message.
//
// A finding can be silenced for one statement by a comment in the migration,
// with the reason it is safe:
//
//	-- schemagate:ignore index-without-concurrently the table is empty until release 12
//	CREATE INDEX users_email ON users (email);
//
// and a whole migration can be accepted by a signed approval (package
// approval); Gate combines both into the decision that `lint` and `apply`
// enforce.
package lint

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/migration"
)

// Dialect names a database engine, spelled as dialect.Database.Dialect()
// spells it.
type Dialect string

const (
	Postgres Dialect = "postgres"
	MySQL    Dialect = "mysql"
	SQLite   Dialect = "sqlite"
)

// Severity orders findings. The zero value is not a severity; a policy uses
// it to turn a rule off.
type Severity int

const (
	Info Severity = iota + 1
	Warning
	Error
)

// String returns "info", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "off"
}

// MarshalText makes a Severity appear by name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads "info", "warning" or "error".
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads a severity name; "off" gives 0.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "off":
		return 0, nil
	case "info":
		return Info, nil
	case "warning", "warn":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("unknown level %q (use off, info, warning or error)", s)
}

// Finding is one risk in one statement.
type Finding struct {
	// Rule is the stable name of the rule, e.g. "index-without-concurrently".
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// File is the migration file as given in Migration.File; Line and Column
	// (1-based) locate the first token of the statement.
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	// Statement is the statement's text.
	Statement string `json:"statement"`
	// Message says what the statement does wrong, in one sentence.
	Message string `json:"message"`
	// Why says what happens when it runs: the lock taken and what it
	// blocks, the rewrite, the data lost, the release broken.
	Why string `json:"why"`
	// Fix is a safe way to make the same change.
	Fix string `json:"fix,omitempty"`
	// Ignored is set when a schemagate:ignore comment names this rule for
	// this statement; IgnoreReason is the reason the comment gives.
	Ignored      bool   `json:"ignored,omitempty"`
	IgnoreReason string `json:"ignore_reason,omitempty"`
	// Approved is set when the migration carries a valid signed approval.
	Approved bool `json:"approved,omitempty"`

	// steps is the fix as migrations, for the test that lints fixes.
	steps []fixStep
}

// Blocking reports whether the finding counts against a gate at failLevel:
// at or above it, and neither ignored nor approved.
func (f Finding) Blocking(failLevel Severity) bool {
	return f.Severity >= failLevel && !f.Ignored && !f.Approved
}

// fixStep is one migration of a suggested fix.
type fixStep struct {
	sql   string
	noTx  bool
	label string
}

// Migration is one file to lint.
type Migration struct {
	// File is the path reported in findings, normally relative to the
	// repository root so that annotations land on the right file.
	File string
	// SQL is the file's content.
	SQL string
	// Directives are the file's schemagate: comments.
	Directives migration.Directives
}

// FromMigration returns the up file of m as a Migration, reported under
// dir joined with its file name (dir may be empty).
func FromMigration(dir string, m *migration.Migration) Migration {
	file := m.UpFile
	if dir != "" && dir != "." {
		file = strings.TrimSuffix(dir, "/") + "/" + m.UpFile
	}
	return Migration{File: file, SQL: m.Up, Directives: m.UpDirectives}
}

// Version is a PostgreSQL server version, major and minor: 15.0, 14.3.
type Version struct{ Major, Minor int }

// DefaultPostgresVersion is the server version assumed when none is given.
var DefaultPostgresVersion = Version{Major: 15}

// ParseVersion reads "15", "14.3" or "9.6".
func ParseVersion(s string) (Version, error) {
	s = strings.TrimSpace(s)
	maj, min, hasMin := strings.Cut(s, ".")
	var v Version
	var err error
	if v.Major, err = strconv.Atoi(maj); err != nil || v.Major < 9 {
		return Version{}, fmt.Errorf("PostgreSQL version %q: want a major version of 9 or later, like 15 or 14.3", s)
	}
	if hasMin {
		if v.Minor, err = strconv.Atoi(min); err != nil || v.Minor < 0 {
			return Version{}, fmt.Errorf("PostgreSQL version %q: the minor version must be a number", s)
		}
	}
	return v, nil
}

func (v Version) String() string {
	return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor)
}

// AtLeast reports whether v is major.minor or later.
func (v Version) AtLeast(major, minor int) bool {
	return v.Major > major || (v.Major == major && v.Minor >= minor)
}

// Input is what Lint reads.
type Input struct {
	Dialect Dialect
	// Migrations are linted in order; what one creates is known to the next.
	Migrations []Migration
	// Earlier are migrations already applied, read only for what they
	// define (constraints, column types, functions); they yield no
	// findings. Passing them lets a rule see, for example, that a CHECK
	// (c IS NOT NULL) was validated before a SET NOT NULL.
	Earlier []Migration
	// PostgresVersion is the server version assumed; zero means
	// DefaultPostgresVersion.
	PostgresVersion Version
	// ExistingTables, when not nil, is the set of tables that exist in the
	// target database (from a snapshot or the live database): lower-case
	// names, schema-qualified or not. A table outside it is new, created by
	// a pending migration, and holds no rows yet. When nil, every table
	// that the same migration did not create is assumed to hold data.
	ExistingTables map[string]bool
	// RunnerLockTimeout is the lock timeout the runner sets before each
	// migration, if any; when positive, lock-timeout-missing stays silent.
	RunnerLockTimeout time.Duration
	// Policy overrides rule levels; nil means every rule at its default.
	Policy *Policy
	// Release, when set, adds the schema rules: the changes from the
	// schema the previous release needs to the one the migrations produce
	// that break the previous release.
	Release *ReleaseSchemas
}

// Lint returns the findings for in.Migrations, sorted by file and position.
// Findings of rules the policy turns off are dropped; ignored ones are kept
// with Ignored set. An error means the input itself is wrong (a directive
// naming an unknown rule, an unknown dialect): it is a *schemagate.Error of
// KindUsage. Lint is safe for concurrent use.
func Lint(ctx context.Context, in Input) ([]Finding, error) {
	if in.PostgresVersion == (Version{}) {
		in.PostgresVersion = DefaultPostgresVersion
	}
	for _, m := range in.Migrations {
		for _, ig := range m.Directives.Ignores {
			if _, ok := Lookup(ig.Rule); !ok {
				return nil, schemagate.Errorf(schemagate.KindUsage, "unknown_lint_rule",
					"%s:%d: schemagate:ignore names unknown rule %q", m.File, ig.Line, ig.Rule).
					WithHint("use a rule name listed by `schemagate lint --rules`%s", suggestRule(ig.Rule))
			}
		}
	}
	var lint func(context.Context, Input) (*result, error)
	switch in.Dialect {
	case Postgres:
		lint = lintPostgres
	case MySQL:
		lint = lintMySQL
	case SQLite:
		lint = lintSQLite
	default:
		return nil, schemagate.Errorf(schemagate.KindUsage, "unknown_dialect",
			"lint: unknown dialect %q (want postgres, mysql or sqlite)", in.Dialect)
	}
	res, err := lint(ctx, in)
	if err != nil {
		return nil, err
	}
	res.findings = append(res.findings, releaseFindings(in.Release, in.Migrations, res.starts)...)
	out := res.findings[:0]
	for _, f := range res.findings {
		r, _ := Lookup(f.Rule)
		sev := in.Policy.level(r)
		if sev == 0 {
			continue
		}
		f.Severity = sev
		if f.Why == "" {
			f.Why = r.Why
		}
		if f.Fix == "" {
			f.Fix = r.Fix
		}
		out = append(out, f)
	}
	applyIgnores(in.Migrations, res.starts, out)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return out, nil
}

// result is what a dialect's analyzer returns: the findings, and the start
// line of every statement of every file, which places ignore comments.
type result struct {
	findings []Finding
	starts   map[string][]int
}

func (r *result) statement(file string, line int) {
	if r.starts == nil {
		r.starts = map[string][]int{}
	}
	r.starts[file] = append(r.starts[file], line)
}

// applyIgnores marks the findings that a schemagate:ignore comment covers:
// the comment applies to the first statement that starts on a later line.
func applyIgnores(migs []Migration, starts map[string][]int, findings []Finding) {
	for _, m := range migs {
		if len(m.Directives.Ignores) == 0 {
			continue
		}
		lines := append([]int(nil), starts[m.File]...)
		sort.Ints(lines)
		for _, ig := range m.Directives.Ignores {
			i := sort.SearchInts(lines, ig.Line+1)
			if i == len(lines) {
				continue
			}
			target := lines[i]
			for k := range findings {
				f := &findings[k]
				if f.File == m.File && f.Line == target && f.Rule == ig.Rule {
					f.Ignored = true
					f.IgnoreReason = ig.Reason
				}
			}
		}
	}
}

// suggestRule returns ", e.g. NAME" for the closest known rule name.
func suggestRule(name string) string {
	best, bestDist := "", 4
	for _, r := range registry {
		if d := editDistance(name, r.Name); d < bestDist {
			best, bestDist = r.Name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
