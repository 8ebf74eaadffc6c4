package lint

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Format names an output format of findings.
type Format string

const (
	FormatText   Format = "text"
	FormatJSON   Format = "json"
	FormatGitHub Format = "github"
	FormatSARIF  Format = "sarif"
)

// Write writes findings in format f. version is schemagate's version, shown
// in SARIF's tool description.
func Write(w io.Writer, f Format, findings []Finding, failLevel Severity, version string) error {
	switch f {
	case FormatText, "":
		return WriteText(w, findings, failLevel)
	case FormatJSON:
		return WriteJSON(w, findings, failLevel)
	case FormatGitHub:
		return WriteGitHub(w, findings)
	case FormatSARIF:
		return WriteSARIF(w, findings, version)
	}
	return fmt.Errorf("unknown output format %q (want text, json, github or sarif)", f)
}

// Summary counts findings.
type Summary struct {
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
	Infos    int `json:"infos"`
	Ignored  int `json:"ignored"`
	Approved int `json:"approved"`
	// Blocking counts the findings at or above the fail level that are
	// neither ignored nor approved: the change is refused when it is not 0.
	Blocking int `json:"blocking"`
}

// Summarize counts findings against failLevel.
func Summarize(findings []Finding, failLevel Severity) Summary {
	var s Summary
	for _, f := range findings {
		switch {
		case f.Ignored:
			s.Ignored++
			continue
		case f.Approved:
			s.Approved++
		}
		switch f.Severity {
		case Error:
			s.Errors++
		case Warning:
			s.Warnings++
		case Info:
			s.Infos++
		}
		if f.Blocking(failLevel) {
			s.Blocking++
		}
	}
	return s
}

// WriteText writes findings for a person: position, rule, message, the
// statement, why it is dangerous and the safe alternative.
func WriteText(w io.Writer, findings []Finding, failLevel Severity) error {
	var sb strings.Builder
	for _, f := range findings {
		state := ""
		switch {
		case f.Ignored:
			state = " (ignored: " + f.IgnoreReason + ")"
		case f.Approved:
			state = " (approved)"
		}
		fmt.Fprintf(&sb, "%s:%d:%d: %s [%s] %s%s\n", f.File, f.Line, f.Column, f.Severity, f.Rule, f.Message, state)
		if f.Ignored {
			sb.WriteString("\n")
			continue
		}
		sb.WriteString(indent(clip(f.Statement, 6), "    | "))
		if f.Why != "" {
			sb.WriteString("  why: " + f.Why + "\n")
		}
		if f.Fix != "" {
			if strings.Contains(f.Fix, "\n") {
				sb.WriteString("  safe alternative:\n" + indent(f.Fix, "    "))
			} else {
				sb.WriteString("  safe alternative: " + f.Fix + "\n")
			}
		}
		sb.WriteString("\n")
	}
	s := Summarize(findings, failLevel)
	fmt.Fprintf(&sb, "%d error(s), %d warning(s), %d info; %d ignored, %d approved; %d blocking at fail level %s\n",
		s.Errors, s.Warnings, s.Infos, s.Ignored, s.Approved, s.Blocking, failLevel)
	_, err := io.WriteString(w, sb.String())
	return err
}

func indent(s, prefix string) string {
	var sb strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		sb.WriteString(prefix + line + "\n")
	}
	return sb.String()
}

// clip keeps the first n lines of s.
func clip(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) <= n {
		return s
	}
	return strings.Join(lines[:n], "\n") + fmt.Sprintf("\n… (%d more lines)", len(lines)-n)
}

// WriteJSON writes {"findings": [...], "summary": {...}}.
func WriteJSON(w io.Writer, findings []Finding, failLevel Severity) error {
	if findings == nil {
		findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Findings  []Finding `json:"findings"`
		FailLevel Severity  `json:"fail_level"`
		Summary   Summary   `json:"summary"`
	}{findings, failLevel, Summarize(findings, failLevel)})
}

// WriteGitHub writes GitHub Actions workflow commands, which the runner
// turns into annotations on the pull request's files. Ignored findings
// are left out.
func WriteGitHub(w io.Writer, findings []Finding) error {
	var sb strings.Builder
	for _, f := range findings {
		if f.Ignored {
			continue
		}
		cmd := map[Severity]string{Error: "error", Warning: "warning", Info: "notice"}[f.Severity]
		msg := f.Message
		if f.Approved {
			cmd, msg = "notice", "approved: "+msg
		}
		if f.Fix != "" {
			msg += "\nSafe alternative: " + f.Fix
		}
		fmt.Fprintf(&sb, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", cmd,
			ghProperty(f.File), f.Line, f.Column, ghProperty("schemagate "+f.Rule), ghData(msg))
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// SARIF 2.1.0, the subset GitHub code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifRuleLevel `json:"defaultConfiguration"`
	Properties           sarifRuleProps `json:"properties"`
}

type sarifRuleLevel struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags      []string `json:"tags"`
	Precision string   `json:"precision"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

func sarifLevel(s Severity) string {
	switch s {
	case Error:
		return "error"
	case Warning:
		return "warning"
	}
	return "note"
}

// WriteSARIF writes a SARIF 2.1.0 log for GitHub code scanning. Every
// rule is described in the tool section; ignored findings carry an
// in-source suppression with the comment's reason, approved ones an
// external suppression.
func WriteSARIF(w io.Writer, findings []Finding, version string) error {
	rules := Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: "schemagate", InformationURI: "https://github.com/schemagate/schemagate", Version: version}
	for i, r := range rules {
		index[r.Name] = i
		help := r.Why
		if r.Fix != "" {
			help += "\n\nSafe alternative: " + r.Fix
		}
		driver.Rules = append(driver.Rules, sarifRule{
			ID: r.Name, Name: pascal(r.Name),
			ShortDescription:     sarifText{r.Summary},
			FullDescription:      sarifText{r.Why},
			Help:                 sarifText{help},
			DefaultConfiguration: sarifRuleLevel{sarifLevel(r.Severity)},
			Properties:           sarifRuleProps{Tags: []string{"migration", string(r.Category)}, Precision: "high"},
		})
	}
	results := []sarifResult{}
	for _, f := range findings {
		msg := f.Message
		if f.Fix != "" {
			msg += "\n\nSafe alternative: " + f.Fix
		}
		res := sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message: sarifText{msg},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: strings.TrimPrefix(f.File, "./"), URIBaseID: "%SRCROOT%"},
				Region:           sarifRegion{StartLine: max(f.Line, 1), StartColumn: max(f.Column, 1)},
			}}},
			PartialFingerprints: map[string]string{"schemagateStatement/v1": fingerprint(f)},
		}
		switch {
		case f.Ignored:
			res.Suppressions = []sarifSuppression{{Kind: "inSource", Justification: f.IgnoreReason}}
		case f.Approved:
			res.Suppressions = []sarifSuppression{{Kind: "external", Justification: "the migration carries a valid signed approval"}}
		}
		results = append(results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results}},
	})
}

// fingerprint identifies a finding across runs independently of its line,
// so that code scanning tracks it when lines above it move.
func fingerprint(f Finding) string {
	h := sha256.Sum256([]byte(f.Rule + "\x00" + f.File + "\x00" + strings.Join(strings.Fields(f.Statement), " ")))
	return hex.EncodeToString(h[:16])
}

func pascal(name string) string {
	var sb strings.Builder
	for _, part := range strings.Split(name, "-") {
		if part != "" {
			sb.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return sb.String()
}
