package lint

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/approval"
	"github.com/schemagate/schemagate/migration"
)

func lintOne(t *testing.T, d Dialect, src string, mod func(*Input)) []Finding {
	t.Helper()
	dirs, err := migration.ParseDirectives(src)
	if err != nil {
		t.Fatal(err)
	}
	in := Input{Dialect: d, Migrations: []Migration{{File: "m.sql", SQL: src, Directives: dirs}}}
	if mod != nil {
		mod(&in)
	}
	fs, err := Lint(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func rules(fs []Finding) map[string]Finding {
	out := map[string]Finding{}
	for _, f := range fs {
		out[f.Rule] = f
	}
	return out
}

func TestIgnoreAppliesToTheNextStatementOnly(t *testing.T) {
	src := `SET lock_timeout = '2s';
-- schemagate:ignore drop-column nobody reads it since release 41
ALTER TABLE users ADD COLUMN nickname text;
ALTER TABLE users DROP COLUMN legacy;
-- schemagate:ignore drop-table archived to s3://backups/legacy on 2026-01-10
DROP TABLE legacy;
`
	fs := lintOne(t, Postgres, src, nil)
	got := rules(fs)
	if f := got[RuleDropColumn]; f.Ignored {
		t.Errorf("an ignore before a clean statement reached the next one: %+v", f)
	}
	if f := got[RuleDropTable]; !f.Ignored || f.IgnoreReason != "archived to s3://backups/legacy on 2026-01-10" {
		t.Errorf("ignore not applied with its reason: %+v", f)
	}
}

func TestIgnoreUnknownRuleIsAnError(t *testing.T) {
	src := "-- schemagate:ignore index-without-concurrent small table\nCREATE INDEX i ON t (a);\n"
	dirs, _ := migration.ParseDirectives(src)
	_, err := Lint(context.Background(), Input{Dialect: Postgres, Migrations: []Migration{{File: "m.sql", SQL: src, Directives: dirs}}})
	if schemagate.KindOf(err) != schemagate.KindUsage || !strings.Contains(err.Error(), "m.sql:1") {
		t.Fatalf("want a usage error naming the line, got %v", err)
	}
	if hint := schemagate.HintOf(err); !strings.Contains(hint, "index-without-concurrently") {
		t.Errorf("hint does not suggest the close name: %q", hint)
	}
}

func TestParseErrorNamesFileAndLine(t *testing.T) {
	src := "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN a text;\nALTER TABEL users ADD COLUMN b text;\nALTER TABLE users DROP COLUMN c;\n"
	fs := lintOne(t, Postgres, src, nil)
	got := rules(fs)
	nl := got[RuleStatementNotLinted]
	if nl.Line != 3 || !strings.Contains(nl.Message, `syntax error at or near "TABEL"`) || !strings.Contains(nl.Message, "line 3") {
		t.Errorf("parse error finding: %+v", nl)
	}
	if _, ok := got[RuleDropColumn]; !ok {
		t.Errorf("the statements after the bad one were not linted: %v", fs)
	}
}

func TestPolicy(t *testing.T) {
	p, err := ParsePolicy([]byte(`
targets:
  eu: {url: postgres://eu}
lint:
  fail_level: warning
  postgres_version: "14.3"
  allowed_signers: .schemagate/allowed_signers
  rules:
    json-column: off
    lock-timeout-missing: error
`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Fail() != Warning || p.PostgresVersion != (Version{14, 3}) || p.AllowedSigners != ".schemagate/allowed_signers" {
		t.Fatalf("policy: %+v", p)
	}
	fs := lintOne(t, Postgres, "ALTER TABLE users ADD COLUMN doc json;\n", func(in *Input) { in.Policy = p })
	got := rules(fs)
	if _, ok := got[RuleJSONColumn]; ok {
		t.Error("a rule turned off still fired")
	}
	if got[RuleLockTimeoutMissing].Severity != Error {
		t.Errorf("level override not applied: %+v", got[RuleLockTimeoutMissing])
	}

	for _, bad := range []string{
		"lint:\n  rules:\n    json-colum: off\n",
		"lint:\n  rules:\n    json-column: fatal\n",
		"lint:\n  fail_level: off\n",
		"lint:\n  postgres_version: eleven\n",
		"lint:\n  fail-level: error\n",
	} {
		if _, err := ParsePolicy([]byte(bad)); schemagate.KindOf(err) != schemagate.KindUsage {
			t.Errorf("%q: want a usage error, got %v", bad, err)
		}
	}
	if p, err := ParsePolicy([]byte("targets: {}\n")); err != nil || p.Fail() != Error {
		t.Errorf("no lint section: %+v %v", p, err)
	}
}

func TestVersionGating(t *testing.T) {
	src := "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN n int DEFAULT 0;\n"
	for _, c := range []struct {
		version string
		fires   bool
	}{{"9.6", true}, {"10", true}, {"11", false}, {"17", false}} {
		v, err := ParseVersion(c.version)
		if err != nil {
			t.Fatal(err)
		}
		_, fired := rules(lintOne(t, Postgres, src, func(in *Input) { in.PostgresVersion = v }))[RuleVolatileDefault]
		if fired != c.fires {
			t.Errorf("PostgreSQL %s: volatile-default fired=%v", c.version, fired)
		}
	}
}

func TestRunnerLockTimeoutSilencesRule(t *testing.T) {
	src := "ALTER TABLE users ADD COLUMN n int;\n"
	if _, ok := rules(lintOne(t, Postgres, src, nil))[RuleLockTimeoutMissing]; !ok {
		t.Fatal("lock-timeout-missing did not fire")
	}
	if _, ok := rules(lintOne(t, Postgres, src, func(in *Input) { in.RunnerLockTimeout = 5 * time.Second }))[RuleLockTimeoutMissing]; ok {
		t.Fatal("lock-timeout-missing fired although the runner sets a lock timeout")
	}
}

func TestEveryRuleIsDocumented(t *testing.T) {
	if n := len(Rules()); n < 30 {
		t.Errorf("%d rules; the catalog needs at least 30", n)
	}
	for _, r := range Rules() {
		if r.Summary == "" || r.Why == "" || r.Fix == "" || len(r.Dialects) == 0 || r.Severity == 0 {
			t.Errorf("%s is missing its summary, why, fix, dialects or severity", r.Name)
		}
		if strings.ToLower(r.Name) != r.Name || strings.ContainsAny(r.Name, " _") {
			t.Errorf("%s: rule names are kebab-case", r.Name)
		}
	}
}

// TestGate drives the decision `lint` and `apply` make: refuse (exit 6)
// while an error-level finding is neither ignored nor approved; accept once
// an allowed key approves the exact bytes; refuse again after an edit.
func TestGate(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, _ := ssh.NewPublicKey(pub)
	allowed, err := approval.ParseAllowedSigners([]byte("alice@example.com "+string(ssh.MarshalAuthorizedKey(sshPub))), "allowed_signers")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("0001_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n")
	write("0002_drop_email.up.sql", "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email;\n")
	load := func() []*migration.Migration {
		d, err := migration.Read(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		return d.Migrations
	}
	gate := func() *Report {
		migs := load()
		rep, err := Gate(context.Background(), GateInput{
			Input: Input{Dialect: Postgres, Earlier: []Migration{FromMigration("migrations", migs[0])}},
			Dir:   os.DirFS(dir), DirPath: "migrations", Migrations: migs[1:], AllowedSigners: allowed,
		})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}

	rep := gate()
	err = rep.Err()
	if schemagate.KindOf(err) != schemagate.KindRefused || schemagate.ReasonOf(err) != "lint_refused" || schemagate.ExitCode(err) != 6 {
		t.Fatalf("unapproved drop: want exit 6 lint_refused, got %v", err)
	}
	if !strings.Contains(err.Error(), "migrations/0002_drop_email.up.sql:2") || !strings.Contains(err.Error(), "has no approval") {
		t.Errorf("refusal does not name the finding and the approval state:\n%v", err)
	}

	m := load()[1]
	armored, err := approval.SignChecksum(signer, m.Checksum)
	if err != nil {
		t.Fatal(err)
	}
	write(approval.FileName(m), string(armored))
	rep = gate()
	if err := rep.Err(); err != nil {
		t.Fatalf("approved migration refused: %v", err)
	}
	if !rep.Findings[0].Approved || rep.Approvals[m.UpFile].Principals != "alice@example.com" {
		t.Errorf("approval not applied: %+v %+v", rep.Findings, rep.Approvals)
	}

	write("0002_drop_email.up.sql", "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN email CASCADE;\n")
	err = gate().Err()
	if schemagate.KindOf(err) != schemagate.KindRefused || !strings.Contains(err.Error(), "edited after it was approved") {
		t.Fatalf("edited after approval: want a refusal saying so, got %v", err)
	}
}

func TestGateWithoutBlockingFindings(t *testing.T) {
	fsys := fstest.MapFS{"0001_a.up.sql": {Data: []byte("CREATE TABLE a (id bigint PRIMARY KEY);\n")}}
	d, err := migration.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Gate(context.Background(), GateInput{Input: Input{Dialect: Postgres}, Dir: fsys, Migrations: d.Migrations})
	if err != nil || rep.Err() != nil {
		t.Fatalf("clean migration: %v %v", err, rep.Err())
	}
}
