// Package migration reads a migration directory: the versioned SQL files, the
// directives in their comments, and the integrity file schemagate.sum.
//
// A directory holds NNNN_name.up.sql files, each with an optional
// NNNN_name.down.sql. Versions are positive integers (timestamps are fine),
// unique, and applied in ascending order. Files that do not end in .sql
// (READMEs, approvals) are ignored; a .sql file whose name does not follow the
// pattern is an error, so that a typo never silently drops a migration.
//
// The directory is read through io/fs, so os.DirFS, embed.FS and fs.Sub all
// work: a service can carry its migrations inside its binary.
package migration

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/schemagate/schemagate"
)

// Migration is one versioned change: an up file and, optionally, a down file.
type Migration struct {
	Version int64
	// Name is the descriptive part of the file name: "add_email" in
	// 0002_add_email.up.sql.
	Name string
	// UpFile and DownFile are paths relative to the directory root;
	// DownFile is empty when the migration has no down file.
	UpFile   string
	DownFile string
	// Up and Down are the file contents.
	Up   string
	Down string
	// UpDirectives and DownDirectives are read from the files' comments.
	UpDirectives   Directives
	DownDirectives Directives
	// Checksum identifies the up file's content (see FileChecksum). It is
	// what the history table records and what detects an edited migration.
	Checksum string
}

// ID is the file name without its .up.sql suffix ("0002_add_email"): the
// name under which an operator knows the migration.
func (m *Migration) ID() string {
	return strings.TrimSuffix(path.Base(m.UpFile), ".up.sql")
}

// HasDown reports whether the migration has a down file.
func (m *Migration) HasDown() bool { return m.DownFile != "" }

// Dir is a loaded migration directory.
type Dir struct {
	// Migrations in ascending version order.
	Migrations []*Migration
	// Sum is the integrity file as found on disk; nil when there is none.
	Sum *Sum
	// files maps every migration file name to its checksum, as computed now.
	files map[string]string
}

// Find returns the migration with the given version, or nil.
func (d *Dir) Find(version int64) *Migration {
	i := sort.Search(len(d.Migrations), func(i int) bool { return d.Migrations[i].Version >= version })
	if i < len(d.Migrations) && d.Migrations[i].Version == version {
		return d.Migrations[i]
	}
	return nil
}

// Latest returns the highest version in the directory, or 0 when it is empty.
func (d *Dir) Latest() int64 {
	if len(d.Migrations) == 0 {
		return 0
	}
	return d.Migrations[len(d.Migrations)-1].Version
}

// fileName matches NNNN_name.up.sql and NNNN_name.down.sql.
var fileName = regexp.MustCompile(`^([0-9]+)_([A-Za-z0-9][A-Za-z0-9_\-]*)\.(up|down)\.sql$`)

// Read loads the migrations under fsys without checking the integrity file.
// Use Load, which does, unless the caller checks integrity itself.
func Read(fsys fs.FS) (*Dir, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "migration_dir_unreadable",
			"read migration directory: %w", err).
			WithHint("pass the directory with --dir (default ./migrations), or create one with `schemagate init`")
	}
	dir := &Dir{files: map[string]string{}}
	byVersion := map[int64]*Migration{}
	downs := map[int64]string{}
	var problems []string

	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		m := fileName.FindStringSubmatch(name)
		if m == nil {
			problems = append(problems, fmt.Sprintf("%s: file name does not follow NNNN_name.up.sql or NNNN_name.down.sql (rename it, e.g. to 0001_%s.up.sql)", name, suggestName(name)))
			continue
		}
		version, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || version <= 0 {
			problems = append(problems, fmt.Sprintf("%s: version %q must be a positive integer that fits in 64 bits", name, m[1]))
			continue
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, schemagate.Errorf(schemagate.KindError, "migration_unreadable", "read %s: %w", name, err)
		}
		content := string(data)
		dir.files[name] = FileChecksum(data)
		directives, derr := ParseDirectives(content)
		if derr != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", name, derr))
		}
		if isBlank(content) {
			problems = append(problems, fmt.Sprintf("%s: the file holds no SQL statement (write the change, or delete the file)", name))
		}

		if m[3] == "down" {
			if prev, ok := downs[version]; ok {
				problems = append(problems, fmt.Sprintf("%s and %s: duplicate version %d (give one of them the next free version)", prev, name, version))
				continue
			}
			downs[version] = name
			if mig := byVersion[version]; mig != nil {
				setDown(mig, name, content, directives, &problems)
			}
			continue
		}
		if prev, ok := byVersion[version]; ok {
			problems = append(problems, fmt.Sprintf("%s and %s: duplicate version %d (give one of them the next free version)", prev.UpFile, name, version))
			continue
		}
		mig := &Migration{
			Version:      version,
			Name:         m[2],
			UpFile:       name,
			Up:           content,
			UpDirectives: directives,
			Checksum:     dir.files[name],
		}
		byVersion[version] = mig
		if down, ok := downs[version]; ok {
			data, _ := fs.ReadFile(fsys, down)
			d, _ := ParseDirectives(string(data))
			setDown(mig, down, string(data), d, &problems)
		}
		dir.Migrations = append(dir.Migrations, mig)
	}
	for version, down := range downs {
		if byVersion[version] == nil {
			problems = append(problems, fmt.Sprintf("%s: down file without an up file (add %s, or delete the down file)", down, strings.TrimSuffix(down, ".down.sql")+".up.sql"))
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, schemagate.Errorf(schemagate.KindUsage, "invalid_migration_dir",
			"invalid migration directory:\n  %s", strings.Join(problems, "\n  ")).
			WithHint("fix the files listed, then run `schemagate hash` to record the directory")
	}
	sort.Slice(dir.Migrations, func(i, j int) bool { return dir.Migrations[i].Version < dir.Migrations[j].Version })

	sum, err := readSum(fsys)
	if err != nil {
		return nil, err
	}
	dir.Sum = sum
	return dir, nil
}

// Load reads the migrations under fsys and checks them against
// schemagate.sum. An out-of-date or missing integrity file is a
// KindIntegrity error naming the files that differ.
func Load(fsys fs.FS) (*Dir, error) {
	dir, err := Read(fsys)
	if err != nil {
		return nil, err
	}
	if err := dir.CheckSum(); err != nil {
		return nil, err
	}
	return dir, nil
}

func setDown(mig *Migration, name, content string, d Directives, problems *[]string) {
	if mig.Name != fileName.FindStringSubmatch(name)[2] {
		*problems = append(*problems, fmt.Sprintf("%s: the down file's name differs from its up file %s (use the same name)", name, mig.UpFile))
		return
	}
	mig.DownFile = name
	mig.Down = content
	mig.DownDirectives = d
}

// FileChecksum returns the checksum of a migration file's content:
// "sha256:" and the hex SHA-256 of the bytes with CRLF line endings turned
// into LF, so that a checkout on Windows does not look like an edit.
func FileChecksum(data []byte) string {
	normalized := strings.ReplaceAll(string(data), "\r\n", "\n")
	h := sha256.Sum256([]byte(normalized))
	return "sha256:" + hex.EncodeToString(h[:])
}

// isBlank reports whether src holds nothing but white space and comments.
func isBlank(src string) bool {
	for len(src) > 0 {
		src = strings.TrimLeft(src, " \t\r\n")
		switch {
		case src == "":
			return true
		case strings.HasPrefix(src, "--"):
			i := strings.IndexByte(src, '\n')
			if i < 0 {
				return true
			}
			src = src[i+1:]
		case strings.HasPrefix(src, "/*"):
			i := strings.Index(src, "*/")
			if i < 0 {
				return false
			}
			src = src[i+2:]
		default:
			return false
		}
	}
	return true
}

// suggestName turns a malformed file name into a plausible name part.
func suggestName(name string) string {
	base := strings.TrimSuffix(name, ".sql")
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".up"), ".down")
	base = strings.TrimLeft(base, "0123456789_-.")
	var sb strings.Builder
	for _, r := range strings.ToLower(base) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			sb.WriteRune(r)
		} else if sb.Len() > 0 {
			sb.WriteByte('_')
		}
	}
	if sb.Len() == 0 {
		return "change"
	}
	return strings.Trim(sb.String(), "_")
}
