// Package approval records who accepted the risk of a migration, bound to
// the migration's exact bytes.
//
// An approval is an SSH signature in the SSHSIG format of `ssh-keygen -Y
// sign`, in the namespace "schemagate", over the migration's checksum: the
// string that schemagate.sum records for the up file ("sha256:" and the hex
// SHA-256 of the file with CRLF turned into LF), followed by one newline.
// It is stored, armored, next to the migration as NNNN_name.up.sql.approval.
// Editing the migration changes its checksum, which invalidates the
// approval.
//
// Because the signed message is just that line, an approval can be made by
// hand with OpenSSH alone:
//
//	printf 'sha256:%s\n' "$(tr -d '\r' < 0005_drop_legacy.up.sql | sha256sum | cut -d' ' -f1)" \
//	  | ssh-keygen -Y sign -n schemagate -f ~/.ssh/id_ed25519 > 0005_drop_legacy.up.sql.approval
//
// and checked by hand the same way, with `ssh-keygen -Y verify -f
// allowed_signers -I alice@example.com -n schemagate -s FILE.approval`.
//
// Signatures are checked against an allowed_signers file in the format of
// ssh-keygen(1) and git's gpg.ssh.allowedSignersFile: one line per key,
// "principals [options] keytype base64-key [comment]". The namespaces="…"
// option restricts what a key may sign; valid-after and valid-before bound
// when. A file may hold several signatures (one per approver, concatenated);
// the approval holds when one of them verifies.
package approval

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hiddeco/sshsig"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/migration"
)

// Namespace is the SSHSIG namespace of approvals: a signature made for git
// commits or another tool is never taken as an approval.
const Namespace = "schemagate"

// Suffix is appended to the up file's name to name its approval.
const Suffix = ".approval"

// Message returns the bytes an approval signs: the checksum and a newline.
func Message(checksum string) []byte { return []byte(checksum + "\n") }

// FileName returns the approval's path relative to the migration directory.
func FileName(m *migration.Migration) string { return m.UpFile + Suffix }

// State is the outcome of checking a migration's approval.
type State int

const (
	// Missing: the migration has no approval file.
	Missing State = iota
	// Valid: a signature by an allowed key covers the current content.
	Valid
	// Invalid: an approval file exists but no signature in it holds;
	// Status.Reason says why.
	Invalid
)

func (s State) String() string {
	return [...]string{"missing", "valid", "invalid"}[s]
}

// Status is the result of Check.
type Status struct {
	State State
	// File is the approval's path relative to the migration directory.
	File string
	// Principals names who approved (from the allowed_signers line of the
	// key that signed), and Fingerprint the key, when State is Valid.
	Principals  string
	Fingerprint string
	// Reason explains an Invalid or Missing state for the operator.
	Reason string
}

// Sign signs m's checksum with the SSH private key at keyPath and writes
// the approval into dir (the migration directory on disk), replacing any
// earlier one. A key protected by a passphrase is used through ssh-agent:
// keyPath may then also name the public key (id_ed25519.pub).
func Sign(dir string, m *migration.Migration, keyPath string) (string, error) {
	signer, err := loadSigner(keyPath)
	if err != nil {
		return "", err
	}
	armored, err := SignChecksum(signer, m.Checksum)
	if err != nil {
		return "", schemagate.Errorf(schemagate.KindError, "approval_sign_failed", "approve %s: %w", m.ID(), err)
	}
	path := filepath.Join(dir, FileName(m))
	if err := os.WriteFile(path, armored, 0o644); err != nil {
		return "", schemagate.Errorf(schemagate.KindError, "approval_write_failed", "approve %s: %w", m.ID(), err)
	}
	return path, nil
}

// SignChecksum returns the armored SSHSIG signature of checksum's Message.
func SignChecksum(signer ssh.Signer, checksum string) ([]byte, error) {
	sig, err := sshsig.SignWithRand(bytes.NewReader(Message(checksum)), rand.Reader, signer, sshsig.HashSHA512, Namespace)
	if err != nil {
		return nil, err
	}
	return sshsig.Armor(sig), nil
}

func loadSigner(keyPath string) (ssh.Signer, error) {
	data, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "approval_key_unreadable", "read signing key: %w", err).
			WithHint("pass the private key with --key, e.g. --key ~/.ssh/id_ed25519")
	}
	signer, err := ssh.ParsePrivateKey(data)
	if err == nil {
		return signer, nil
	}
	var missing *ssh.PassphraseMissingError
	pubPath := keyPath
	if errors.As(err, &missing) {
		pubPath = keyPath + ".pub"
	}
	if pub, _, _, _, perr := ssh.ParseAuthorizedKey(mustRead(pubPath)); perr == nil {
		s, aerr := agentSigner(pub)
		if aerr == nil {
			return s, nil
		}
		return nil, schemagate.Errorf(schemagate.KindUsage, "approval_key_locked",
			"signing key %s needs a passphrase and ssh-agent cannot sign with it: %v", keyPath, aerr).
			WithHint("run `ssh-add %s`, or sign by hand with ssh-keygen -Y sign -n schemagate (see the approval package documentation)", strings.TrimSuffix(keyPath, ".pub"))
	}
	return nil, schemagate.Errorf(schemagate.KindUsage, "approval_key_invalid", "signing key %s: %w", keyPath, err)
}

func mustRead(path string) []byte {
	b, _ := os.ReadFile(path)
	return b
}

func agentSigner(pub ssh.PublicKey) (ssh.Signer, error) {
	sock := os.Getenv("SSH_AUTH_SOCK")
	if sock == "" {
		return nil, errors.New("SSH_AUTH_SOCK is not set")
	}
	conn, err := net.Dial("unix", sock)
	if err != nil {
		return nil, err
	}
	signers, err := agent.NewClient(conn).Signers()
	if err != nil {
		return nil, err
	}
	for _, s := range signers {
		if bytes.Equal(s.PublicKey().Marshal(), pub.Marshal()) {
			return s, nil
		}
	}
	return nil, errors.New("the agent does not hold this key")
}

// Check reports whether m carries a valid approval in dir, checked against
// the allowed_signers file at allowedSignersPath. The error is for I/O and
// a malformed allowed_signers file; a bad signature is an Invalid Status.
func Check(dir fs.FS, m *migration.Migration, allowedSignersPath string) (Status, error) {
	signers, err := LoadAllowedSigners(allowedSignersPath)
	if err != nil {
		return Status{}, err
	}
	return signers.Check(dir, m, time.Now())
}

// Check is the package-level Check with an already loaded allowed_signers
// file and the time at which keys must be valid.
func (a *AllowedSigners) Check(dir fs.FS, m *migration.Migration, now time.Time) (Status, error) {
	st := Status{File: FileName(m)}
	data, err := fs.ReadFile(dir, st.File)
	if errors.Is(err, fs.ErrNotExist) {
		st.State, st.Reason = Missing, fmt.Sprintf("%s has no approval (%s)", m.UpFile, st.File)
		return st, nil
	}
	if err != nil {
		return st, schemagate.Errorf(schemagate.KindError, "approval_unreadable", "read %s: %w", st.File, err)
	}
	return a.verify(st, data, m.Checksum, now), nil
}

// Approved returns a predicate that holds for the migrations of dir that
// carry a valid approval now; an unreadable approval counts as none. It
// fits apply.Contract.Approved.
func (a *AllowedSigners) Approved(dir fs.FS) func(*migration.Migration) bool {
	return func(m *migration.Migration) bool {
		st, err := a.Check(dir, m, time.Now())
		return err == nil && st.State == Valid
	}
}

// verify checks every signature block of an approval file.
func (a *AllowedSigners) verify(st Status, data []byte, checksum string, now time.Time) Status {
	var reasons []string
	rest := data
	blocks := 0
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != sshsig.PEMType {
			continue
		}
		blocks++
		sig, err := sshsig.ParseSignature(block.Bytes)
		if err != nil {
			reasons = append(reasons, fmt.Sprintf("signature %d is malformed: %v", blocks, err))
			continue
		}
		principals, reason := a.verifySignature(sig, checksum, now)
		if reason == "" {
			st.State, st.Principals, st.Fingerprint = Valid, principals, ssh.FingerprintSHA256(sig.PublicKey)
			return st
		}
		reasons = append(reasons, reason)
	}
	st.State = Invalid
	if blocks == 0 {
		st.Reason = fmt.Sprintf("%s holds no SSH signature (-----BEGIN SSH SIGNATURE-----)", st.File)
		return st
	}
	st.Reason = st.File + ": " + strings.Join(reasons, "; ")
	return st
}

// verifySignature returns the principals of the allowed key that made sig
// over checksum, or the reason it does not count.
func (a *AllowedSigners) verifySignature(sig *sshsig.Signature, checksum string, now time.Time) (string, string) {
	fp := ssh.FingerprintSHA256(sig.PublicKey)
	keyDesc := fmt.Sprintf("key %s (%s)", fp, sig.PublicKey.Type())
	if sig.Namespace != Namespace {
		return "", fmt.Sprintf("signed by %s for namespace %q, not %q (sign with ssh-keygen -Y sign -n %s)", keyDesc, sig.Namespace, Namespace, Namespace)
	}
	entry, why := a.match(sig.PublicKey, now)
	if entry == nil {
		return "", fmt.Sprintf("signed by %s, %s", keyDesc, why)
	}
	for _, msg := range [][]byte{Message(checksum), []byte(checksum)} {
		if sshsig.Verify(bytes.NewReader(msg), sig, sig.PublicKey, sig.HashAlgorithm, Namespace) == nil {
			return entry.principals, ""
		}
	}
	return "", fmt.Sprintf("signed by %s (%s), but the signature is for other bytes than the migration's current checksum %s: the file was edited after it was approved, or the approval belongs to another migration; review the change and approve it again", keyDesc, entry.principals, checksum)
}
