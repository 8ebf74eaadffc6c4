package lint

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/approval"
	"github.com/schemagate/schemagate/migration"
)

// GateInput is what Gate decides on: migrations of one directory.
type GateInput struct {
	// Dialect, PostgresVersion, ExistingTables, RunnerLockTimeout and
	// Policy are used as in Input; Input.Migrations is filled by Gate.
	Input
	// Dir is the migration directory; approvals are read from it.
	Dir fs.FS
	// DirPath is the directory as findings should name it ("migrations"),
	// so that annotations point at the repository's files.
	DirPath string
	// Migrations are the ones to lint; Earlier ones may be passed in
	// Input.Earlier for context.
	Migrations []*migration.Migration
	// AllowedSigners checks approvals; nil means approvals are not
	// configured, and every finding at or above the fail level refuses.
	AllowedSigners *approval.AllowedSigners
	// Now is when keys must be valid; zero means time.Now().
	Now time.Time
}

// Report is the outcome of Gate.
type Report struct {
	Findings  []Finding
	FailLevel Severity
	// Approvals holds the approval state of each migration that has
	// findings at or above the fail level, by up file name.
	Approvals map[string]approval.Status
	// Refused lists the migrations (up file names) refused.
	Refused []string
}

// Gate lints the migrations, applies their approvals, and reports whether
// the change may proceed: Err is nil when no finding at or above the fail
// level is left that is neither ignored nor approved. `lint` and `apply`
// both call it.
func Gate(ctx context.Context, in GateInput) (*Report, error) {
	lin := in.Input
	lin.Migrations = make([]Migration, len(in.Migrations))
	for i, m := range in.Migrations {
		lin.Migrations[i] = FromMigration(in.DirPath, m)
	}
	if lin.PostgresVersion == (Version{}) && in.Policy != nil {
		lin.PostgresVersion = in.Policy.PostgresVersion
	}
	findings, err := Lint(ctx, lin)
	if err != nil {
		return nil, err
	}
	rep := &Report{Findings: findings, FailLevel: in.Policy.Fail(), Approvals: map[string]approval.Status{}}
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	for i, m := range in.Migrations {
		file := lin.Migrations[i].File
		blocking := false
		for _, f := range findings {
			if f.File == file && f.Blocking(rep.FailLevel) {
				blocking = true
				break
			}
		}
		if !blocking {
			continue
		}
		st := approval.Status{State: approval.Missing, File: approval.FileName(m), Reason: "approvals are not configured (lint.allowed_signers in schemagate.yaml)"}
		if in.AllowedSigners != nil && in.Dir != nil {
			st, err = in.AllowedSigners.Check(in.Dir, m, now)
			if err != nil {
				return nil, err
			}
		}
		rep.Approvals[m.UpFile] = st
		if st.State == approval.Valid {
			for k := range findings {
				if findings[k].File == file {
					findings[k].Approved = true
				}
			}
			continue
		}
		rep.Refused = append(rep.Refused, m.UpFile)
	}
	return rep, nil
}

// Summary counts the report's findings.
func (r *Report) Summary() Summary { return Summarize(r.Findings, r.FailLevel) }

// Err returns nil when the change may proceed, and otherwise a
// *schemagate.Error of KindRefused (exit 6) with reason "lint_refused"
// that lists the blocking findings and the state of each approval.
func (r *Report) Err() error {
	if len(r.Refused) == 0 {
		return nil
	}
	var sb strings.Builder
	n := 0
	for _, f := range r.Findings {
		if f.Blocking(r.FailLevel) {
			n++
			fmt.Fprintf(&sb, "\n  %s:%d: %s [%s] %s", f.File, f.Line, f.Severity, f.Rule, f.Message)
		}
	}
	for _, file := range r.Refused {
		if st := r.Approvals[file]; st.Reason != "" {
			fmt.Fprintf(&sb, "\n  approval of %s: %s", file, st.Reason)
		}
	}
	return schemagate.Errorf(schemagate.KindRefused, "lint_refused",
		"%d finding(s) at or above %s are neither ignored nor approved:%s", n, r.FailLevel, sb.String()).
		WithOp("lint").
		WithHint("make the change the safe way shown for each finding; or, for a reviewed exception, add `-- schemagate:ignore RULE reason` above the statement; or have an allowed signer approve the migration: `schemagate approve VERSION --key ~/.ssh/id_ed25519`")
}
