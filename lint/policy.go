package lint

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/schemagate/schemagate"
)

// Policy is the lint: section of schemagate.yaml:
//
//	lint:
//	  fail_level: error          # findings at or above it refuse the change
//	  postgres_version: "14.3"   # server version assumed (default 15)
//	  allowed_signers: .schemagate/allowed_signers  # who may approve
//	  rules:
//	    json-column: off         # off, info, warning or error
//	    lock-timeout-missing: error
//
// The zero Policy (and a nil *Policy) keeps every rule at its default level
// and fails on errors.
type Policy struct {
	// FailLevel is the lowest severity that refuses a change; zero means
	// Error.
	FailLevel Severity
	// PostgresVersion is the server version assumed; zero means
	// DefaultPostgresVersion.
	PostgresVersion Version
	// Levels overrides rule levels; a zero Severity turns a rule off.
	Levels map[string]Severity
	// AllowedSigners is the path of the allowed_signers file that approvals
	// are checked against, as written in the file (relative paths are
	// relative to the configuration file); empty when not configured.
	AllowedSigners string
}

// Fail returns the effective fail level.
func (p *Policy) Fail() Severity {
	if p == nil || p.FailLevel == 0 {
		return Error
	}
	return p.FailLevel
}

// level returns the severity of r's findings under p; 0 means off.
func (p *Policy) level(r Rule) Severity {
	if p != nil {
		if s, ok := p.Levels[r.Name]; ok {
			return s
		}
	}
	return r.Severity
}

type policyYAML struct {
	FailLevel       string            `yaml:"fail_level"`
	PostgresVersion string            `yaml:"postgres_version"`
	AllowedSigners  string            `yaml:"allowed_signers"`
	Rules           map[string]string `yaml:"rules"`
}

// ParsePolicy reads the lint: section of a schemagate.yaml document; the
// other sections are left to their owners. A missing section gives the
// default policy. Unknown keys, rule names and levels are errors of
// KindUsage, so that a typo never silently weakens the gate.
func ParsePolicy(data []byte) (*Policy, error) {
	var doc struct {
		Lint yaml.Node `yaml:"lint"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, policyError("%v", err)
	}
	p := &Policy{}
	if doc.Lint.Kind == 0 {
		return p, nil
	}
	section, err := yaml.Marshal(&doc.Lint)
	if err != nil {
		return nil, policyError("%v", err)
	}
	var raw policyYAML
	dec := yaml.NewDecoder(bytes.NewReader(section))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, policyError("%v", err)
	}
	if raw.FailLevel != "" {
		s, err := ParseSeverity(raw.FailLevel)
		if err != nil || s == 0 {
			return nil, policyError("fail_level %q: want info, warning or error", raw.FailLevel)
		}
		p.FailLevel = s
	}
	if raw.PostgresVersion != "" {
		v, err := ParseVersion(raw.PostgresVersion)
		if err != nil {
			return nil, policyError("postgres_version: %v", err)
		}
		p.PostgresVersion = v
	}
	p.AllowedSigners = raw.AllowedSigners
	var problems []string
	for name, level := range raw.Rules {
		if _, ok := Lookup(name); !ok {
			problems = append(problems, fmt.Sprintf("rules: unknown rule %q%s", name, suggestRule(name)))
			continue
		}
		s, err := ParseSeverity(level)
		if err != nil {
			problems = append(problems, fmt.Sprintf("rules: %s: %v", name, err))
			continue
		}
		if p.Levels == nil {
			p.Levels = map[string]Severity{}
		}
		p.Levels[name] = s
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, policyError("%s", strings.Join(problems, "; "))
	}
	return p, nil
}

// LoadPolicy reads the lint: section of the schemagate.yaml at path.
func LoadPolicy(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "config_unreadable", "read %s: %w", path, err)
	}
	p, err := ParsePolicy(data)
	if err != nil {
		return nil, err.(*schemagate.Error).WithOp("read " + path)
	}
	return p, nil
}

func policyError(format string, args ...any) error {
	return schemagate.Errorf(schemagate.KindUsage, "invalid_lint_policy", "lint policy: "+format, args...).
		WithHint("see `schemagate lint --rules` for rule names; levels are off, info, warning and error")
}
