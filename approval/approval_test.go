package approval

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/schemagate/schemagate/migration"
)

const sshKeygen = "/usr/bin/ssh-keygen"

func requireSSHKeygen(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(sshKeygen); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("ssh-keygen is required for the interoperability tests: %v", err)
		}
		t.Skipf("ssh-keygen not installed: %v", err)
	}
}

func run(t *testing.T, stdin []byte, name string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return out
}

// newKey creates an SSH key pair with ssh-keygen and returns the private
// key's path and the public key line.
func newKey(t *testing.T, dir, name, typ string) (string, string) {
	t.Helper()
	path := filepath.Join(dir, name)
	args := []string{"-q", "-t", typ, "-N", "", "-C", name, "-f", path}
	if typ == "rsa" {
		args = append(args, "-b", "2048")
	}
	run(t, nil, sshKeygen, args...)
	pub, err := os.ReadFile(path + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	return path, strings.TrimSpace(string(pub))
}

// fixture is a migration directory with one risky migration.
type fixture struct {
	dir     string
	keys    string
	mig     *migration.Migration
	allowed string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), keys: t.TempDir()}
	write(t, filepath.Join(f.dir, "0005_drop_legacy.up.sql"), "DROP TABLE legacy_sessions;\n")
	f.reload(t)
	f.allowed = filepath.Join(f.keys, "allowed_signers")
	return f
}

func (f *fixture) reload(t *testing.T) {
	t.Helper()
	d, err := migration.Read(os.DirFS(f.dir))
	if err != nil {
		t.Fatal(err)
	}
	f.mig = d.Find(5)
}

func (f *fixture) check(t *testing.T) Status {
	t.Helper()
	st, err := Check(os.DirFS(f.dir), f.mig, f.allowed)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOurSignatureVerifiesWithSSHKeygen(t *testing.T) {
	requireSSHKeygen(t)
	for _, typ := range []string{"ed25519", "ecdsa", "rsa"} {
		t.Run(typ, func(t *testing.T) {
			f := newFixture(t)
			key, pub := newKey(t, f.keys, "alice", typ)
			write(t, f.allowed, "alice@example.com namespaces=\"schemagate\" "+pub+"\n")
			path, err := Sign(f.dir, f.mig, key)
			if err != nil {
				t.Fatal(err)
			}
			if st := f.check(t); st.State != Valid || st.Principals != "alice@example.com" {
				t.Fatalf("our own approval: %+v", st)
			}
			out := run(t, Message(f.mig.Checksum), sshKeygen, "-Y", "verify", "-f", f.allowed, "-I", "alice@example.com", "-n", Namespace, "-s", path)
			if !strings.Contains(string(out), "Good \"schemagate\" signature for alice@example.com") {
				t.Fatalf("ssh-keygen -Y verify: %s", out)
			}
		})
	}
}

func TestSSHKeygenSignatureIsAccepted(t *testing.T) {
	requireSSHKeygen(t)
	f := newFixture(t)
	key, pub := newKey(t, f.keys, "bob", "ed25519")
	write(t, f.allowed, "# reviewers\nbob@example.com,carol@example.com "+pub+" bob's laptop\n")
	sig := run(t, Message(f.mig.Checksum), sshKeygen, "-Y", "sign", "-n", Namespace, "-f", key)
	write(t, filepath.Join(f.dir, FileName(f.mig)), string(sig))
	st := f.check(t)
	if st.State != Valid || st.Principals != "bob@example.com,carol@example.com" || !strings.HasPrefix(st.Fingerprint, "SHA256:") {
		t.Fatalf("ssh-keygen approval: %+v", st)
	}
}

// TestDocumentedHandSigning runs the shell pipeline the package comment
// gives, so that the documentation cannot drift from what Check accepts.
func TestDocumentedHandSigning(t *testing.T) {
	requireSSHKeygen(t)
	f := newFixture(t)
	// A CRLF checkout must give the same checksum.
	write(t, filepath.Join(f.dir, "0005_drop_legacy.up.sql"), "DROP TABLE legacy_sessions;\r\n")
	f.reload(t)
	key, pub := newKey(t, f.keys, "dave", "ed25519")
	write(t, f.allowed, "dave@example.com "+pub+"\n")
	script := `printf 'sha256:%s\n' "$(tr -d '\r' < 0005_drop_legacy.up.sql | sha256sum | cut -d' ' -f1)" | ssh-keygen -Y sign -n schemagate -f "$KEY" > 0005_drop_legacy.up.sql.approval`
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.Dir = f.dir
	cmd.Env = append(os.Environ(), "KEY="+key, "PATH=/usr/bin:/bin")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("documented pipeline: %v\n%s", err, out)
	}
	if st := f.check(t); st.State != Valid {
		t.Fatalf("hand-made approval: %+v", st)
	}
}

func TestRejections(t *testing.T) {
	requireSSHKeygen(t)
	f := newFixture(t)
	alice, alicePub := newKey(t, f.keys, "alice", "ed25519")
	mallory, _ := newKey(t, f.keys, "mallory", "ed25519")
	write(t, f.allowed, "alice@example.com "+alicePub+"\n")
	approvalPath := filepath.Join(f.dir, FileName(f.mig))

	if st := f.check(t); st.State != Missing || !strings.Contains(st.Reason, "has no approval") {
		t.Fatalf("no approval file: %+v", st)
	}

	// A key that is not in allowed_signers.
	if _, err := Sign(f.dir, f.mig, mallory); err != nil {
		t.Fatal(err)
	}
	st := f.check(t)
	if st.State != Invalid || !strings.Contains(st.Reason, "not in the allowed signers file") {
		t.Fatalf("unknown key: %+v", st)
	}

	// Approved, then edited: the signature is for other bytes.
	if _, err := Sign(f.dir, f.mig, alice); err != nil {
		t.Fatal(err)
	}
	if st := f.check(t); st.State != Valid {
		t.Fatalf("fresh approval: %+v", st)
	}
	write(t, filepath.Join(f.dir, "0005_drop_legacy.up.sql"), "DROP TABLE legacy_sessions CASCADE;\n")
	f.reload(t)
	st = f.check(t)
	if st.State != Invalid || !strings.Contains(st.Reason, "for other bytes") || !strings.Contains(st.Reason, f.mig.Checksum) {
		t.Fatalf("edited after approval: %+v", st)
	}

	// A signature made for another namespace (git commits).
	gitSig := run(t, Message(f.mig.Checksum), sshKeygen, "-Y", "sign", "-n", "git", "-f", alice)
	write(t, approvalPath, string(gitSig))
	if st := f.check(t); st.State != Invalid || !strings.Contains(st.Reason, `namespace "git"`) {
		t.Fatalf("other namespace: %+v", st)
	}

	// The key is allowed, but not for this namespace.
	write(t, f.allowed, "alice@example.com namespaces=\"git,file\" "+alicePub+"\n")
	if _, err := Sign(f.dir, f.mig, alice); err != nil {
		t.Fatal(err)
	}
	if st := f.check(t); st.State != Invalid || !strings.Contains(st.Reason, `allows only for namespaces "git,file"`) {
		t.Fatalf("namespace not allowed: %+v", st)
	}

	// Expired key.
	write(t, f.allowed, "alice@example.com valid-before=\"20200101Z\" "+alicePub+"\n")
	if st := f.check(t); st.State != Invalid || !strings.Contains(st.Reason, "allowed only until") {
		t.Fatalf("expired key: %+v", st)
	}

	// Not a signature at all.
	write(t, approvalPath, "LGTM\n")
	if st := f.check(t); st.State != Invalid || !strings.Contains(st.Reason, "holds no SSH signature") {
		t.Fatalf("garbage: %+v", st)
	}
}

func TestSeveralSignaturesOneValid(t *testing.T) {
	requireSSHKeygen(t)
	f := newFixture(t)
	alice, alicePub := newKey(t, f.keys, "alice", "ed25519")
	mallory, _ := newKey(t, f.keys, "mallory", "ed25519")
	write(t, f.allowed, "alice@example.com "+alicePub+"\n")
	bad, _ := SignChecksum(mustSigner(t, mallory), f.mig.Checksum)
	good := run(t, Message(f.mig.Checksum), sshKeygen, "-Y", "sign", "-n", Namespace, "-f", alice)
	write(t, filepath.Join(f.dir, FileName(f.mig)), string(bad)+string(good))
	if st := f.check(t); st.State != Valid {
		t.Fatalf("one of two signatures valid: %+v", st)
	}
}

func mustSigner(t *testing.T, path string) ssh.Signer {
	t.Helper()
	s, err := loadSigner(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAllowedSignersSyntax(t *testing.T) {
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	sshPub, err := ssh.NewPublicKey(edPub)
	if err != nil {
		t.Fatal(err)
	}
	pub := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub)))
	good := strings.Join([]string{
		"# comment",
		"",
		`"alice@example.com,bob@example.com" ` + pub,
		`carol@example.com namespaces="schemagate,git",valid-after="20240101" ` + pub + " comment here",
		`*@example.com cert-authority ` + pub,
	}, "\n")
	a, err := ParseAllowedSigners([]byte(good), "allowed_signers")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.entries) != 3 || a.entries[0].principals != "alice@example.com,bob@example.com" || a.entries[1].namespaces != "schemagate,git" || !a.entries[2].certAuthority {
		t.Fatalf("parsed: %+v", a.entries)
	}
	if e, _ := a.match(a.entries[0].key, time.Now()); e == nil || e.line != 3 {
		t.Fatalf("match: %+v", e)
	}
	for _, bad := range []string{
		"alice@example.com",
		"alice@example.com ssh-ed25519 notbase64",
		`alice@example.com frobnicate="x" ` + pub,
		`alice@example.com valid-after="2024" ` + pub,
	} {
		if _, err := ParseAllowedSigners([]byte(bad), "allowed_signers"); err == nil || !strings.Contains(err.Error(), "allowed_signers:1") {
			t.Errorf("%q: want an error naming the line, got %v", bad, err)
		}
	}
}

func TestMatchPatternList(t *testing.T) {
	for _, c := range []struct {
		list string
		want bool
	}{
		{"schemagate", true}, {"git,schemagate", true}, {"schema*", true}, {"git", false},
		{"*,!schemagate", false}, {"s?hemagate", true},
	} {
		if got := matchPatternList("schemagate", c.list); got != c.want {
			t.Errorf("%q: got %v", c.list, got)
		}
	}
}
