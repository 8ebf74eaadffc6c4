package lint

import (
	"fmt"
	"strings"
	"testing"
)

// TestRulesDoc keeps RULES.md, the reference of every rule, in step with
// the registry (go test ./lint -run TestRulesDoc -update rewrites it).
func TestRulesDoc(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("# schemagate lint rules\n\n")
	sb.WriteString("Generated from the rule registry by `go test ./lint -run TestRulesDoc -update`; do not edit by hand.\n\n")
	sb.WriteString("Set a rule's level in schemagate.yaml (`lint: rules: NAME: off|info|warning|error`), or silence it for one statement with `-- schemagate:ignore NAME reason`.\n\n")
	sb.WriteString("| rule | dialects | default | category | catches |\n|---|---|---|---|---|\n")
	for _, r := range Rules() {
		var ds []string
		for _, d := range r.Dialects {
			ds = append(ds, string(d))
		}
		fmt.Fprintf(&sb, "| `%s` | %s | %s | %s | %s |\n", r.Name, strings.Join(ds, ", "), r.Severity, r.Category, r.Summary)
	}
	for _, r := range Rules() {
		fmt.Fprintf(&sb, "\n## %s\n\n%s.\n\n", r.Name, strings.ToUpper(r.Summary[:1])+r.Summary[1:])
		if r.Lock != "" {
			fmt.Fprintf(&sb, "**Lock (PostgreSQL):** %s.\n\n", r.Lock)
		}
		fmt.Fprintf(&sb, "**Why:** %s\n\n**Safe alternative:** %s\n", r.Why, r.Fix)
	}
	compareGolden(t, "RULES.md", sb.String())
}
