package lint

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemagate/schemagate/migration"
)

var update = flag.Bool("update", false, "rewrite golden files")

// A corpus case is a .sql file under testdata/corpus/DIALECT. Its comments
// state what must happen:
//
//	-- expect: RULE …          each rule fires at least once, not ignored
//	-- expect-not: RULE …      none of these rules fires
//	-- expect-ignored: RULE …  the rule fires and an ignore comment covers it
//	-- lint: postgres_version=10 existing=users,orders
//
// A line "-- ---- migration" starts the next migration of the case; the
// migrations are linted in order, as one run.
type corpusCase struct {
	dialect Dialect
	name    string
	expect  []string
	not     []string
	ignored []string
	input   Input
}

const migrationSeparator = "-- ---- migration"

func loadCorpus(t *testing.T) []corpusCase {
	t.Helper()
	var cases []corpusCase
	for _, d := range []Dialect{Postgres, MySQL, SQLite} {
		files, err := filepath.Glob(filepath.Join("testdata", "corpus", string(d), "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			c := corpusCase{dialect: d, name: string(d) + "/" + filepath.Base(file)}
			c.input.Dialect = d
			src := string(data)
			for _, line := range strings.Split(src, "\n") {
				rest, ok := strings.CutPrefix(line, "-- ")
				if !ok {
					continue
				}
				key, val, _ := strings.Cut(rest, ":")
				fields := strings.Fields(val)
				switch key {
				case "expect":
					c.expect = append(c.expect, fields...)
				case "expect-not":
					c.not = append(c.not, fields...)
				case "expect-ignored":
					c.ignored = append(c.ignored, fields...)
				case "lint":
					for _, f := range fields {
						k, v, _ := strings.Cut(f, "=")
						switch k {
						case "postgres_version":
							if c.input.PostgresVersion, err = ParseVersion(v); err != nil {
								t.Fatalf("%s: %v", file, err)
							}
						case "existing":
							c.input.ExistingTables = map[string]bool{}
							for _, tbl := range strings.Split(v, ",") {
								c.input.ExistingTables[tbl] = true
							}
						default:
							t.Fatalf("%s: unknown lint option %q", file, k)
						}
					}
				}
			}
			// Split into migrations, keeping line numbers those of the file.
			parts := strings.Split(src, migrationSeparator+"\n")
			offsetLines := 0
			for i, part := range parts {
				name := c.name
				if len(parts) > 1 {
					name = fmt.Sprintf("%s#%d", c.name, i+1)
				}
				body := strings.Repeat("\n", offsetLines) + part
				offsetLines += strings.Count(part, "\n") + 1
				dirs, err := migration.ParseDirectives(body)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				c.input.Migrations = append(c.input.Migrations, Migration{File: name, SQL: body, Directives: dirs})
			}
			cases = append(cases, c)
		}
	}
	if len(cases) == 0 {
		t.Fatal("no corpus cases found")
	}
	return cases
}

func TestCorpus(t *testing.T) {
	cases := loadCorpus(t)
	var golden strings.Builder
	for _, c := range cases {
		findings, err := Lint(context.Background(), c.input)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		fired := map[string]bool{}
		ignored := map[string]bool{}
		for _, f := range findings {
			if f.Ignored {
				ignored[f.Rule] = true
			} else {
				fired[f.Rule] = true
			}
			fmt.Fprintf(&golden, "%s:%d:%d: %s [%s] %s", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message)
			if f.Ignored {
				fmt.Fprintf(&golden, " (ignored: %s)", f.IgnoreReason)
			}
			golden.WriteString("\n")
		}
		for _, r := range c.expect {
			if !fired[r] {
				t.Errorf("%s: %s did not fire; findings:\n%s", c.name, r, describe(findings))
			}
		}
		for _, r := range c.not {
			if fired[r] || ignored[r] {
				t.Errorf("%s: %s fired on the look-alike; findings:\n%s", c.name, r, describe(findings))
			}
		}
		for _, r := range c.ignored {
			if !ignored[r] || fired[r] {
				t.Errorf("%s: %s was not ignored; findings:\n%s", c.name, r, describe(findings))
			}
		}
	}
	compareGolden(t, filepath.Join("testdata", "corpus.golden"), golden.String())
}

// TestCorpusCoversEveryRule requires, for every rule and every dialect it
// applies to, a case where it must fire and a look-alike where it must not.
func TestCorpusCoversEveryRule(t *testing.T) {
	cases := loadCorpus(t)
	fires := map[string]bool{}
	silent := map[string]bool{}
	for _, c := range cases {
		for _, r := range c.expect {
			if _, ok := Lookup(r); !ok {
				t.Errorf("%s: unknown rule %q", c.name, r)
			}
			fires[string(c.dialect)+" "+r] = true
		}
		for _, r := range c.not {
			if _, ok := Lookup(r); !ok {
				t.Errorf("%s: unknown rule %q", c.name, r)
			}
			silent[string(c.dialect)+" "+r] = true
		}
	}
	for _, r := range Rules() {
		if strings.HasPrefix(r.Name, "breaks-release-") {
			continue // schema rules: TestReleaseRules
		}
		for _, d := range r.Dialects {
			key := string(d) + " " + r.Name
			if !fires[key] {
				t.Errorf("%s: no corpus case in testdata/corpus/%s where it must fire", r.Name, d)
			}
			if !silent[key] {
				t.Errorf("%s: no corpus look-alike in testdata/corpus/%s where it must stay silent", r.Name, d)
			}
		}
	}
}

// TestSuggestedFixesAreClean is hard case 10: a safe alternative that the
// linter itself would reject is no alternative. Every fix given as SQL is
// linted, step after step, and must yield neither its own rule nor an
// error-level finding the original statement did not already have.
func TestSuggestedFixesAreClean(t *testing.T) {
	checked := 0
	for _, c := range loadCorpus(t) {
		findings, err := Lint(context.Background(), c.input)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for _, f := range findings {
			if len(f.steps) == 0 {
				continue
			}
			checked++
			// Other findings of the same statement have fixes of their
			// own; this fix must not add a problem, and must cure its own.
			others := map[string]bool{}
			for _, o := range findings {
				if o.File == f.File && o.Line == f.Line && o.Rule != f.Rule {
					others[o.Rule] = true
				}
			}
			in := Input{Dialect: c.dialect, PostgresVersion: c.input.PostgresVersion}
			for i, s := range f.steps {
				dirs, err := migration.ParseDirectives(s.sql)
				if err != nil {
					t.Fatalf("%s: fix for %s, step %d: %v", c.name, f.Rule, i+1, err)
				}
				if s.noTx != dirs.NoTransaction {
					t.Errorf("%s: fix for %s, step %d: no-transaction flag and directive disagree", c.name, f.Rule, i+1)
				}
				in.Migrations = []Migration{{File: fmt.Sprintf("fix-%d.sql", i+1), SQL: s.sql, Directives: dirs}}
				got, err := Lint(context.Background(), in)
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range got {
					if (g.Severity >= Error && !others[g.Rule]) || g.Rule == f.Rule {
						t.Errorf("%s: the fix for %s (step %d) is not clean: %s [%s] %s\nfix:\n%s", c.name, f.Rule, i+1, g.Severity, g.Rule, g.Message, f.Fix)
					}
				}
				in.Earlier = append(in.Earlier, in.Migrations...)
			}
		}
	}
	if checked < 10 {
		t.Fatalf("only %d fixes given as SQL were checked", checked)
	}
}

func describe(fs []Finding) string {
	var sb strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&sb, "  %s:%d %s ignored=%v: %s\n", f.File, f.Line, f.Rule, f.Ignored, f.Message)
	}
	return sb.String()
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -run %s -update to create it)", err, t.Name())
	}
	if string(want) != got {
		wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		var diff []string
		for i := 0; i < max(len(wl), len(gl)) && len(diff) < 20; i++ {
			var w, g string
			if i < len(wl) {
				w = wl[i]
			}
			if i < len(gl) {
				g = gl[i]
			}
			if w != g {
				diff = append(diff, fmt.Sprintf("line %d:\n  want %s\n  got  %s", i+1, w, g))
			}
		}
		t.Errorf("%s differs from the output (run with -update after checking the change):\n%s", path, strings.Join(diff, "\n"))
	}
}
