package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/approval"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/lint"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

// version is the schemagate version reported in SARIF output.
var version = "dev"

func (a *app) lintCommand() *cobra.Command {
	var (
		since, format, dialectName, previous, devURL string
		latest                                       int
	)
	cmd := &cobra.Command{
		Use:   "lint [VERSION...]",
		Short: "Find risky statements and changes that break the running release",
		Long: `lint checks migrations for three kinds of danger: data loss, blocking locks
and table rewrites, and changes that break the release still running. Each
finding names the statement and line, why it is dangerous, and the safe
alternative. It exits 6 when a finding at or above the fail level has no
valid approval (see approve).

Which migrations: the VERSIONs given; or --latest N; or --since GIT_REF (the
migration files added or changed since that commit); by default the ones not
yet applied to --url, else the newest one.

With --url the live schema tells which tables exist (an index on a table
created by the same pending migrations is fine). With --previous FILE, the
snapshot of the release still running, lint also replays the migrations
(SQLite in memory; others need --dev-url) and reports every change that
breaks that release, with the expand/contract sequence that does it safely.

Policy in schemagate.yaml:
  lint:
    fail_level: error            # info, warning or error
    postgres_version: "15"       # the server version assumed
    allowed_signers: allowed_signers   # approvals, in ssh-keygen's format
    rules:
      drop-column: warning       # off, info, warning, error

A statement may carry -- schemagate:ignore RULE reason, which is shown.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.runLint(cmd.Context(), lintSelection{args: args, since: since, latest: latest},
				format, dialectName, previous, devURL))
		},
	}
	cmd.Flags().StringVar(&since, "since", "", "lint the migrations added or changed since this git ref")
	cmd.Flags().IntVar(&latest, "latest", 0, "lint the newest N migrations")
	cmd.Flags().StringVar(&format, "format", "", "text, json, github (workflow annotations) or sarif (default: --output)")
	cmd.Flags().StringVar(&dialectName, "dialect", "", "postgres, mysql or sqlite (default: from --url)")
	cmd.Flags().StringVar(&previous, "previous", "", "snapshot of the release still running, for the schema rules")
	cmd.Flags().StringVar(&devURL, "dev-url", "", "scratch database to replay on for --previous (see snapshot --help)")
	return cmd
}

type lintSelection struct {
	args   []string
	since  string
	latest int
}

func (a *app) runLint(ctx context.Context, sel lintSelection, format, dialectName, previous, devURL string) error {
	dir, err := a.loadDir()
	if err != nil {
		return err
	}
	gate, err := a.gatePolicy()
	if err != nil {
		return err
	}
	if format == "" {
		format = a.output
	}
	engine := dialectName
	if engine == "" && a.databaseURL() != "" {
		engine = a.engineForReplay("")
	}
	if engine == "" {
		return schemagate.Errorf(schemagate.KindUsage, "dialect_missing", "lint needs to know the SQL dialect").
			WithHint("pass --dialect postgres, mysql or sqlite, or --url")
	}

	in := lint.GateInput{
		Input: lint.Input{Dialect: lint.Dialect(engine), Policy: gate.Policy, RunnerLockTimeout: apply.DefaultDDLLockTimeout},
		Dir:   os.DirFS(a.dir), DirPath: filepath.ToSlash(filepath.Clean(a.dir)), AllowedSigners: gate.Signers,
	}
	var pending []*migration.Migration
	fromDB := a.databaseURL() != ""
	if fromDB {
		db, err := a.open(ctx, false)
		if err != nil {
			return err
		}
		defer db.Close()
		rep, err := apply.Load(ctx, db, dir)
		if err != nil {
			return err
		}
		for _, e := range rep.With(apply.StatusPending) {
			pending = append(pending, e.Migration)
		}
		if live, err := dialect.Inspect(ctx, db, nil); err == nil {
			in.ExistingTables = tableSet(live)
		}
	}
	if in.Migrations, err = a.selectForLint(dir, sel, pending, fromDB); err != nil {
		return err
	}
	if len(in.Migrations) == 0 {
		a.printf("Nothing to lint: no migration selected.\n")
		return nil
	}
	first := in.Migrations[0].Version
	for _, m := range dir.Migrations {
		if m.Version < first {
			in.Earlier = append(in.Earlier, lint.FromMigration(in.DirPath, m))
		}
	}
	if previous != "" {
		snap, err := readSnapshot(previous)
		if err != nil {
			return err
		}
		if err := snap.CheckDialect(engine); err != nil {
			return err
		}
		if in.ExistingTables == nil {
			in.ExistingTables = tableSet(snap.Schema)
		}
		last := in.Migrations[len(in.Migrations)-1].Version
		next, _, err := a.replayDir(ctx, engine, devURL, dir, last)
		if err != nil {
			return err
		}
		in.Release = &lint.ReleaseSchemas{Previous: snap.Schema, Next: next}
	}

	report, err := lint.Gate(ctx, in)
	if err != nil {
		return err
	}
	if err := lint.Write(a.stdout, lint.Format(format), report.Findings, report.FailLevel, version); err != nil {
		return schemagate.Errorf(schemagate.KindUsage, "invalid_format", "%v", err)
	}
	if err := report.Err(); err != nil {
		if format != "text" {
			// The document on stdout already says it all; keep stderr short.
			a.output = "text"
		}
		return err
	}
	return nil
}

// selectForLint picks the migrations to lint, in version order. pending
// are the migrations not applied to the database, when fromDB.
func (a *app) selectForLint(dir *migration.Dir, sel lintSelection, pending []*migration.Migration, fromDB bool) ([]*migration.Migration, error) {
	var out []*migration.Migration
	switch {
	case len(sel.args) > 0:
		for _, arg := range sel.args {
			v, err := strconv.ParseInt(strings.SplitN(arg, "_", 2)[0], 10, 64)
			m := dir.Find(v)
			if err != nil || m == nil {
				return nil, schemagate.Errorf(schemagate.KindUsage, "unknown_version", "no migration %q in %s", arg, a.dir)
			}
			out = append(out, m)
		}
	case sel.latest > 0:
		n := min(sel.latest, len(dir.Migrations))
		out = append(out, dir.Migrations[len(dir.Migrations)-n:]...)
	case sel.since != "":
		changed, err := gitChanged(a.dir, sel.since)
		if err != nil {
			return nil, err
		}
		for _, m := range dir.Migrations {
			if changed[m.UpFile] {
				out = append(out, m)
			}
		}
	case fromDB:
		out = pending
	case len(dir.Migrations) > 0:
		out = dir.Migrations[len(dir.Migrations)-1:]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// gitChanged returns the base names of files under dir that were added or
// changed since ref, committed or not.
func gitChanged(dir, ref string) (map[string]bool, error) {
	changed := map[string]bool{}
	for _, args := range [][]string{
		{"diff", "--name-only", "--diff-filter=AMR", ref, "--", "."},
		{"ls-files", "--others", "--exclude-standard", "--", "."},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			msg := err.Error()
			if ee, ok := err.(*exec.ExitError); ok {
				msg = strings.TrimSpace(string(ee.Stderr))
			}
			return nil, schemagate.Errorf(schemagate.KindUsage, "git_failed", "git %s: %s", strings.Join(args, " "), msg).
				WithHint("run lint inside the repository, with a ref that exists (e.g. origin/main)")
		}
		for _, line := range strings.Split(string(out), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				changed[filepath.Base(line)] = true
			}
		}
	}
	return changed, nil
}

func tableSet(s *schema.Schema) map[string]bool {
	out := make(map[string]bool, len(s.Tables))
	for _, t := range s.Tables {
		out[strings.ToLower(t.Name)] = true
	}
	return out
}

func (a *app) approveCommand() *cobra.Command {
	var key string
	cmd := &cobra.Command{
		Use:   "approve VERSION --key PATH",
		Short: "Sign a risky migration's checksum with an SSH key, accepting its lint findings",
		Long: `approve signs the checksum of the migration's up file with an SSH key, in the
SSHSIG format of ssh-keygen -Y sign (namespace "schemagate"), and writes the
signature next to it as NNNN_name.up.sql.approval. Commit it with the
migration. lint and apply accept the migration's findings while the file
stays byte-for-byte the same and the key is listed in the allowed_signers
file named by lint.allowed_signers in schemagate.yaml.

Signing by hand gives the same result:
  printf '%s\n' "$(grep ' NNNN_name.up.sql ' migrations/schemagate.sum | cut -d' ' -f2)" |
    ssh-keygen -Y sign -n schemagate -f ~/.ssh/id_ed25519 > migrations/NNNN_name.up.sql.approval`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.runApprove(args[0], key))
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "SSH private key to sign with (e.g. ~/.ssh/id_ed25519)")
	cmd.MarkFlagRequired("key")
	return cmd
}

func (a *app) runApprove(arg, key string) error {
	dir, err := a.loadDir()
	if err != nil {
		return err
	}
	v, err := strconv.ParseInt(strings.SplitN(arg, "_", 2)[0], 10, 64)
	m := dir.Find(v)
	if err != nil || m == nil {
		return schemagate.Errorf(schemagate.KindUsage, "unknown_version", "no migration %q in %s", arg, a.dir)
	}
	path, err := approval.Sign(a.dir, m, key)
	if err != nil {
		return err
	}
	a.printf("Wrote %s: %s is approved while its content stays %s.\nCommit the approval with the migration.\n", path, m.UpFile, m.Checksum)
	return nil
}
