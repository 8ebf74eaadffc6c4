package lint

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/schemagate/schemagate/migration"
)

// sampleFindings lints a migration with an error, a warning, an info and
// an ignored finding.
func sampleFindings(t *testing.T) []Finding {
	t.Helper()
	src := `CREATE TABLE logins (id bigint PRIMARY KEY, at timestamp, doc json);
-- schemagate:ignore drop-column the column was never read, see ADR-12
ALTER TABLE users DROP COLUMN legacy;
CREATE INDEX users_email ON users (email);
`
	dirs, err := migration.ParseDirectives(src)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Lint(context.Background(), Input{Dialect: Postgres, Migrations: []Migration{{File: "migrations/0007_logins.up.sql", SQL: src, Directives: dirs}}})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	// testdata/sarif-schema-2.1.0.json is the SARIF 2.1.0 schema as the
	// SARIF SDK ships it (npm @microsoft/sarif-multitool-linux 5.7.0).
	f, err := os.Open(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}

	findings := sampleFindings(t)
	findings[len(findings)-1].Approved = true
	for _, set := range [][]Finding{findings, nil} {
		var buf bytes.Buffer
		if err := WriteSARIF(&buf, set, "0.1.0"); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := schema.Validate(inst); err != nil {
			t.Fatalf("SARIF output does not validate: %v\n%s", err, buf.String())
		}
	}

	// What GitHub code scanning reads: rule ids resolve, levels, locations,
	// and suppressions for ignored findings.
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, findings, "0.1.0"); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != len(findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(findings))
	}
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("ruleIndex %d does not point at %s", r.RuleIndex, r.RuleID)
		}
		loc := r.Locations[0].PhysicalLocation
		if loc.ArtifactLocation.URI != "migrations/0007_logins.up.sql" || loc.Region.StartLine < 1 {
			t.Errorf("location: %+v", loc)
		}
		if r.RuleID == RuleDropColumn && (len(r.Suppressions) != 1 || r.Suppressions[0].Kind != "inSource") {
			t.Errorf("ignored finding without in-source suppression: %+v", r)
		}
	}
}

func TestGitHubAnnotations(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteGitHub(&buf, sampleFindings(t)); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "drop-column") {
		t.Errorf("an ignored finding was annotated:\n%s", out)
	}
	want := "::error file=migrations/0007_logins.up.sql,line=4,col=1,title=schemagate index-without-concurrently::Builds index users_email"
	if !strings.Contains(out, want) {
		t.Errorf("missing %q in\n%s", want, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasPrefix(line, "::error ") && !strings.HasPrefix(line, "::warning ") && !strings.HasPrefix(line, "::notice ") {
			t.Errorf("not a workflow command (a newline escaped badly?): %q", line)
		}
	}
	if !strings.Contains(out, "%0ASafe alternative: ") {
		t.Errorf("multi-line message not escaped:\n%s", out)
	}
}

func TestTextAndJSONOutput(t *testing.T) {
	findings := sampleFindings(t)
	var text bytes.Buffer
	if err := WriteText(&text, findings, Error); err != nil {
		t.Fatal(err)
	}
	compareGolden(t, filepath.Join("testdata", "output.txt.golden"), text.String())

	var js bytes.Buffer
	if err := WriteJSON(&js, findings, Error); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Findings []map[string]any `json:"findings"`
		Summary  Summary          `json:"summary"`
	}
	if err := json.Unmarshal(js.Bytes(), &decoded); err != nil {
		t.Fatal(err)
	}
	if decoded.Summary.Ignored != 1 || decoded.Summary.Blocking != 1 {
		t.Errorf("summary: %+v", decoded.Summary)
	}
	first := decoded.Findings[0]
	for _, key := range []string{"rule", "severity", "file", "line", "column", "statement", "message", "why"} {
		if _, ok := first[key]; !ok {
			t.Errorf("JSON finding lacks %q: %v", key, first)
		}
	}
	if first["severity"] != "warning" && first["severity"] != "info" && first["severity"] != "error" {
		t.Errorf("severity is not a name: %v", first["severity"])
	}
}
