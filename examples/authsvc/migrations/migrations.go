// Package migrations carries the auth service's migration directories inside
// its binary, one per release, each with its integrity file (schemagate.sum)
// and the snapshot of the schema the release needs.
//
// The directories are ordinary schemagate migration directories: the
// deploy pipeline runs `schemagate apply --dir release2` as the migration
// job and `schemagate verify --dir release2` as the gate, and the service
// gives the same files to its guard.
//
// A snapshot describes one engine's schema, so each directory holds two:
// schemagate.snapshot.json for PostgreSQL (production) and
// schemagate.snapshot.sqlite.json for SQLite (local runs and the demo).
// Rebuild them after changing a migration:
//
//	schemagate hash --dir release2
//	schemagate snapshot --dir release2 --dev-url postgres://postgres@127.0.0.1:5432/
//	schemagate snapshot --dir release2 --out release2/schemagate.snapshot.sqlite.json
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed release1 release2
var files embed.FS

// Releases are the releases of the service, oldest first.
var Releases = []int{1, 2}

// Dir returns the migration directory of a release, ready for
// migration.Load or guard.WithMigrations.
func Dir(release int) (fs.FS, error) {
	name := fmt.Sprintf("release%d", release)
	if _, err := fs.Stat(files, name); err != nil {
		return nil, fmt.Errorf("release %d does not exist (releases: %v)", release, Releases)
	}
	return fs.Sub(files, name)
}

// Snapshot returns the snapshot file of a release for an engine
// ("postgres" or "sqlite"), for guard.WithSnapshot and verify --snapshot.
func Snapshot(release int, dialect string) ([]byte, error) {
	dir, err := Dir(release)
	if err != nil {
		return nil, err
	}
	name := "schemagate.snapshot.json"
	if dialect != "postgres" {
		name = "schemagate.snapshot." + dialect + ".json"
	}
	data, err := fs.ReadFile(dir, name)
	if err != nil {
		return nil, fmt.Errorf("release %d has no snapshot for %s: %w", release, dialect, err)
	}
	return data, nil
}
