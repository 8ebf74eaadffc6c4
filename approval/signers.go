package approval

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/schemagate/schemagate"
)

// AllowedSigners is a parsed allowed_signers file.
type AllowedSigners struct {
	// Source names the file in messages.
	Source  string
	entries []signerEntry
}

type signerEntry struct {
	line          int
	principals    string
	key           ssh.PublicKey
	certAuthority bool
	namespaces    string // empty: any namespace
	validAfter    time.Time
	validBefore   time.Time
}

// LoadAllowedSigners reads an allowed_signers file.
func LoadAllowedSigners(path string) (*AllowedSigners, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "allowed_signers_unreadable", "read allowed signers: %w", err).
			WithHint("name the file with lint.allowed_signers in schemagate.yaml; its format is ssh-keygen's: `alice@example.com ssh-ed25519 AAAA…` per line")
	}
	return ParseAllowedSigners(data, path)
}

// ParseAllowedSigners parses the content of an allowed_signers file;
// source names it in messages. A line that does not parse is an error
// naming the line: a typo must not silently drop a signer.
func ParseAllowedSigners(data []byte, source string) (*AllowedSigners, error) {
	a := &AllowedSigners{Source: source}
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		e, err := parseSignerLine(line)
		if err != nil {
			return nil, schemagate.Errorf(schemagate.KindUsage, "invalid_allowed_signers", "%s:%d: %v", source, i+1, err).
				WithHint("each line is: principals [options] keytype base64-key, e.g. alice@example.com namespaces=\"schemagate\" ssh-ed25519 AAAA…")
		}
		e.line = i + 1
		a.entries = append(a.entries, e)
	}
	return a, nil
}

func parseSignerLine(line string) (signerEntry, error) {
	var e signerEntry
	var rest string
	if strings.HasPrefix(line, `"`) {
		end := strings.IndexByte(line[1:], '"')
		if end < 0 {
			return e, fmt.Errorf("unterminated quoted principals")
		}
		e.principals, rest = line[1:end+1], line[end+2:]
	} else {
		i := strings.IndexAny(line, " \t")
		if i < 0 {
			return e, fmt.Errorf("want principals followed by a key")
		}
		e.principals, rest = line[:i], line[i:]
	}
	key, _, options, _, err := ssh.ParseAuthorizedKey([]byte(strings.TrimSpace(rest)))
	if err != nil {
		return e, fmt.Errorf("no valid public key after the principals: %v", err)
	}
	e.key = key
	for _, o := range options {
		name, value, hasValue := strings.Cut(o, "=")
		value = strings.Trim(value, `"`)
		switch strings.ToLower(name) {
		case "cert-authority":
			e.certAuthority = true
		case "namespaces":
			e.namespaces = value
		case "valid-after", "valid-before":
			if !hasValue {
				return e, fmt.Errorf("%s needs a time", name)
			}
			t, err := parseSignerTime(value)
			if err != nil {
				return e, fmt.Errorf("%s: %v", name, err)
			}
			if strings.EqualFold(name, "valid-after") {
				e.validAfter = t
			} else {
				e.validBefore = t
			}
		default:
			return e, fmt.Errorf("unknown option %q (known: cert-authority, namespaces, valid-after, valid-before)", name)
		}
	}
	return e, nil
}

// parseSignerTime reads YYYYMMDD[HHMM[SS]] with an optional trailing Z for
// UTC; without Z the time is local, as ssh-keygen reads it.
func parseSignerTime(s string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		s, loc = s[:len(s)-1], time.UTC
	}
	for _, layout := range []string{"20060102150405", "200601021504", "20060102"} {
		if len(s) == len(layout) {
			return time.ParseInLocation(layout, s, loc)
		}
	}
	return time.Time{}, fmt.Errorf("%q is not YYYYMMDD, YYYYMMDDHHMM or YYYYMMDDHHMMSS", s)
}

// match returns the entry that allows key to sign approvals at now, or the
// reason none does.
func (a *AllowedSigners) match(key ssh.PublicKey, now time.Time) (*signerEntry, string) {
	var reasons []string
	for i := range a.entries {
		e := &a.entries[i]
		if e.certAuthority || !bytes.Equal(e.key.Marshal(), key.Marshal()) {
			continue
		}
		switch {
		case e.namespaces != "" && !matchPatternList(Namespace, e.namespaces):
			reasons = append(reasons, fmt.Sprintf("which %s:%d (%s) allows only for namespaces %q", a.Source, e.line, e.principals, e.namespaces))
		case !e.validAfter.IsZero() && now.Before(e.validAfter):
			reasons = append(reasons, fmt.Sprintf("which %s:%d (%s) allows only from %s", a.Source, e.line, e.principals, e.validAfter.Format(time.RFC3339)))
		case !e.validBefore.IsZero() && !now.Before(e.validBefore):
			reasons = append(reasons, fmt.Sprintf("which %s:%d (%s) allowed only until %s", a.Source, e.line, e.principals, e.validBefore.Format(time.RFC3339)))
		default:
			return e, ""
		}
	}
	if len(reasons) > 0 {
		return nil, strings.Join(reasons, ", and ")
	}
	return nil, fmt.Sprintf("which is not in the allowed signers file %s (add a line \"PRINCIPAL %s\" for whoever may approve migrations)", a.Source, strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))))
}

// matchPatternList matches s against an OpenSSH pattern list: comma-separated
// patterns with * and ?, where a pattern starting with ! excludes.
func matchPatternList(s, list string) bool {
	matched := false
	for _, p := range strings.Split(list, ",") {
		p = strings.TrimSpace(p)
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if ok, _ := path.Match(p, s); ok {
			if neg {
				return false
			}
			matched = true
		}
	}
	return matched
}
