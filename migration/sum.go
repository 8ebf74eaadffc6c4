package migration

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"github.com/schemagate/schemagate"
)

// SumFile is the name of the integrity file inside a migration directory.
const SumFile = "schemagate.sum"

// sumHeader starts the first line; the format version follows it.
const sumHeader = "schemagate.sum v1 "

// Sum is the content of schemagate.sum: a checksum per migration file and
// one over all of them.
//
// The file looks like this:
//
//	schemagate.sum v1 sha256:<hash of the lines below>
//	0001_create_users.up.sql sha256:<hash of the file>
//	0001_create_users.down.sql sha256:<hash of the file>
//
// The first line changes whenever any migration is added, removed or edited,
// so two branches that each add a migration conflict in version control
// instead of merging into a directory nobody reviewed as a whole.
type Sum struct {
	Total string
	Files map[string]string
}

// Encode returns the file's bytes.
func (s *Sum) Encode() []byte {
	body := s.body()
	var sb strings.Builder
	sb.WriteString(sumHeader + totalOf(body) + "\n")
	sb.WriteString(body)
	return []byte(sb.String())
}

func (s *Sum) body() string {
	names := make([]string, 0, len(s.Files))
	for name := range s.Files {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool { return lessFile(names[i], names[j]) })
	var sb strings.Builder
	for _, name := range names {
		sb.WriteString(name + " " + s.Files[name] + "\n")
	}
	return sb.String()
}

func totalOf(body string) string {
	h := sha256.Sum256([]byte(body))
	return "sha256:" + hex.EncodeToString(h[:])
}

// lessFile orders files by version, then up before down.
func lessFile(a, b string) bool {
	ma, mb := fileName.FindStringSubmatch(a), fileName.FindStringSubmatch(b)
	if ma == nil || mb == nil {
		return a < b
	}
	va, vb := strings.TrimLeft(ma[1], "0"), strings.TrimLeft(mb[1], "0")
	if len(va) != len(vb) {
		return len(va) < len(vb)
	}
	if va != vb {
		return va < vb
	}
	return ma[3] == "up" && mb[3] == "down"
}

// ComputeSum returns the integrity file for the directory as it is now.
func (d *Dir) ComputeSum() *Sum {
	files := make(map[string]string, len(d.files))
	for k, v := range d.files {
		files[k] = v
	}
	s := &Sum{Files: files}
	s.Total = totalOf(s.body())
	return s
}

// CheckSum compares the directory with its integrity file. It returns a
// KindIntegrity error naming every file that was added, removed or edited
// since `schemagate hash` last ran, or whose sum file was edited by hand.
func (d *Dir) CheckSum() error {
	hint := "if the change is intended, run `schemagate hash` and commit schemagate.sum; never edit a migration that is already applied anywhere: add a new one"
	if d.Sum == nil {
		if len(d.files) == 0 {
			return nil
		}
		return schemagate.Errorf(schemagate.KindIntegrity, "sum_missing",
			"%s is missing, so nothing proves the migrations are the reviewed ones", SumFile).
			WithHint("run `schemagate hash` to write it, and commit it with the migrations")
	}
	now := d.ComputeSum()
	var problems []string
	for name, sum := range now.Files {
		recorded, ok := d.Sum.Files[name]
		switch {
		case !ok:
			problems = append(problems, name+": added since schemagate.sum was written")
		case recorded != sum:
			problems = append(problems, name+": content changed since schemagate.sum was written")
		}
	}
	for name := range d.Sum.Files {
		if _, ok := now.Files[name]; !ok {
			problems = append(problems, name+": listed in schemagate.sum but missing from the directory")
		}
	}
	if len(problems) == 0 && d.Sum.Total != now.Total {
		problems = append(problems, "schemagate.sum: its first line does not match the files it lists (edited by hand, or a merge conflict resolved by hand)")
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return schemagate.Errorf(schemagate.KindIntegrity, "sum_mismatch",
		"migration directory does not match %s:\n  %s", SumFile, strings.Join(problems, "\n  ")).WithHint("%s", hint)
}

func readSum(fsys fs.FS) (*Sum, error) {
	data, err := fs.ReadFile(fsys, SumFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindError, "sum_unreadable", "read %s: %w", SumFile, err)
	}
	return ParseSum(data)
}

// ParseSum parses the content of schemagate.sum.
func ParseSum(data []byte) (*Sum, error) {
	bad := func(line int, format string, args ...any) error {
		return schemagate.Errorf(schemagate.KindIntegrity, "sum_malformed",
			"%s line %d: %s", SumFile, line, fmt.Sprintf(format, args...)).
			WithHint("resolve any merge conflict by keeping both sides' migrations, then run `schemagate hash` to rewrite the file")
	}
	s := &Sum{Files: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if line == 1 {
			total, ok := strings.CutPrefix(text, sumHeader)
			if !ok {
				return nil, bad(line, "expected %q followed by the directory checksum", strings.TrimSpace(sumHeader))
			}
			s.Total = strings.TrimSpace(total)
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		name, sum, ok := strings.Cut(text, " ")
		if !ok || !strings.HasPrefix(sum, "sha256:") {
			return nil, bad(line, "expected \"FILE sha256:HASH\", got %q", text)
		}
		if _, dup := s.Files[name]; dup {
			return nil, bad(line, "%s is listed twice", name)
		}
		s.Files[name] = sum
	}
	if line == 0 {
		return nil, bad(1, "the file is empty")
	}
	return s, nil
}
