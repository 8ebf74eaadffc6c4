package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

// snapshotPath is the snapshot file of the migration directory, or the one
// named by --snapshot.
func (a *app) snapshotPath(flag string) string {
	if flag != "" {
		return flag
	}
	return filepath.Join(a.dir, schema.SnapshotFile)
}

// engineForReplay chooses the engine whose dev database replays migrations:
// the scheme of --dev-url, else of the database URL, else SQLite (the
// embedded default).
func (a *app) engineForReplay(devURL string) string {
	for _, u := range []string{devURL, a.databaseURL()} {
		if scheme, _, ok := strings.Cut(u, "://"); ok {
			switch strings.ToLower(scheme) {
			case "postgres", "postgresql":
				return "postgres"
			case "mysql", "mariadb":
				return "mysql"
			case "sqlite", "sqlite3":
				return "sqlite"
			}
		}
	}
	return "sqlite"
}

// replayDir builds the schema dir's migrations produce, up to version to
// (0: all), on a dev database of the engine.
func (a *app) replayDir(ctx context.Context, engine, devURL string, dir *migration.Dir, to int64) (*schema.Schema, string, error) {
	dev, cleanup, err := dialect.OpenDev(ctx, engine, devURL)
	if err != nil {
		return nil, "", err
	}
	defer cleanup()
	s, err := apply.Replay(ctx, dev, dir, to)
	return s, dev.Target(), err
}

func (a *app) snapshotCommand() *cobra.Command {
	var (
		devURL, out string
		to          int64
		check       bool
	)
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Write the schema the migrations produce to schemagate.snapshot.json",
		Long: `snapshot replays the migrations on a scratch database and writes the schema
they produce, with its fingerprint, to schemagate.snapshot.json in the
migration directory. A release embeds the file (go:embed) for its start-up
check, and a pipeline passes it to verify --snapshot.

The scratch database: SQLite replays in memory with no flag. PostgreSQL needs
--dev-url: a server URL without a database name (postgres://user@host:5432/),
where a throw-away database is created and always dropped, or the URL of an
empty database. The engine is taken from --dev-url, else from --url.

--check compares instead of writing, and exits 4 when the file is out of date:
run it in CI so a migration never ships without its snapshot.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.runSnapshot(cmd.Context(), devURL, a.snapshotPath(out), to, check))
		},
	}
	cmd.Flags().StringVar(&devURL, "dev-url", "", "scratch database to replay on (see above)")
	cmd.Flags().StringVar(&out, "out", "", "file to write (default DIR/schemagate.snapshot.json)")
	cmd.Flags().Int64Var(&to, "to", 0, "replay up to and including this version (default: all)")
	cmd.Flags().BoolVar(&check, "check", false, "compare with the existing file instead of writing it; exit 4 if it differs")
	return cmd
}

type snapshotDocument struct {
	SchemaVersion int    `json:"schema_version"`
	OK            bool   `json:"ok"`
	File          string `json:"file"`
	Dialect       string `json:"dialect"`
	Fingerprint   string `json:"fingerprint"`
	Tables        int    `json:"tables"`
	UpToDate      *bool  `json:"up_to_date,omitempty"`
}

func (a *app) runSnapshot(ctx context.Context, devURL, path string, to int64, check bool) error {
	dir, err := a.loadDir()
	if err != nil {
		return err
	}
	engine := a.engineForReplay(devURL)
	s, devTarget, err := a.replayDir(ctx, engine, devURL, dir, to)
	if err != nil {
		return err
	}
	data := schema.EncodeSnapshot(s)
	doc := snapshotDocument{SchemaVersion: jsonSchemaVersion, OK: true, File: path, Dialect: s.Dialect,
		Fingerprint: s.Fingerprint(), Tables: len(s.Tables)}
	if check {
		old, err := os.ReadFile(path)
		upToDate := err == nil && bytes.Equal(old, data)
		doc.UpToDate = &upToDate
		if !upToDate {
			why := "it differs from what the migrations produce"
			if errors.Is(err, os.ErrNotExist) {
				why = "it does not exist"
			}
			return schemagate.Errorf(schemagate.KindIntegrity, "snapshot_outdated", "%s is out of date: %s", path, why).
				WithHint("run `schemagate snapshot` and commit the file with the migrations")
		}
		if a.output == "json" {
			a.printJSON(doc)
		} else {
			a.printf("%s is up to date (%s).\n", path, doc.Fingerprint)
		}
		return nil
	}
	if err := writeFileAtomic(path, data); err != nil {
		return schemagate.Errorf(schemagate.KindError, "io", "write %s: %w", path, err)
	}
	if a.output == "json" {
		a.printJSON(doc)
		return nil
	}
	a.printf("Wrote %s: %d %s, %d %s, fingerprint %s\n(replayed %d %s on %s)\n", path,
		len(s.Tables), plural(len(s.Tables), "table"), len(s.Views), plural(len(s.Views), "view"), doc.Fingerprint,
		len(dir.Migrations), plural(len(dir.Migrations), "migration"), devTarget)
	return nil
}

func (a *app) diffCommand() *cobra.Command {
	var devURL string
	cmd := &cobra.Command{
		Use:   "diff FROM TO",
		Short: "Show how two schemas differ: databases, snapshot files or migration directories",
		Long: `diff compares the schema FROM (what is wanted) with TO (what exists). Each side
is a database URL, a snapshot file, or a migration directory (replayed on the
dev database, see snapshot --help). Each difference has a stable kind
(table_missing, column_type_changed, index_extra, …): "missing" means in FROM
and not in TO. diff exits 0 whatever it finds; verify is the gate.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.runDiff(cmd.Context(), args[0], args[1], devURL))
		},
	}
	cmd.Flags().StringVar(&devURL, "dev-url", "", "scratch database for replaying a migration directory")
	return cmd
}

type diffDocument struct {
	SchemaVersion int                 `json:"schema_version"`
	OK            bool                `json:"ok"`
	From          string              `json:"from"`
	To            string              `json:"to"`
	Same          bool                `json:"same"`
	Differences   []schema.Difference `json:"differences"`
}

func (a *app) runDiff(ctx context.Context, fromArg, toArg, devURL string) error {
	// A migration directory replays on the engine of the other side, when
	// that side says which.
	engine := a.engineForReplay(devURL)
	for _, arg := range []string{fromArg, toArg} {
		if strings.Contains(arg, "://") && devURL == "" {
			engine = a.engineForReplay(arg)
		}
	}
	from, fromName, err := a.loadSchema(ctx, fromArg, engine, devURL)
	if err != nil {
		return err
	}
	to, toName, err := a.loadSchema(ctx, toArg, engine, devURL)
	if err != nil {
		return err
	}
	diffs := schema.Diff(from, to)
	if a.output == "json" {
		if diffs == nil {
			diffs = []schema.Difference{}
		}
		a.printJSON(diffDocument{SchemaVersion: jsonSchemaVersion, OK: true, From: fromName, To: toName, Same: len(diffs) == 0, Differences: diffs})
		return nil
	}
	if len(diffs) == 0 {
		a.printf("No differences: %s and %s are the same schema (%s).\n", fromName, toName, from.Fingerprint())
		return nil
	}
	a.printf("%d %s from %s to %s:\n", len(diffs), plural(len(diffs), "difference"), fromName, toName)
	for _, d := range diffs {
		a.printf("  %-28s %s\n", d.Kind, d.Message)
	}
	return nil
}

// loadSchema reads one side of a diff: a database, a migration directory or
// a snapshot file. It returns the schema and a printable name.
func (a *app) loadSchema(ctx context.Context, arg, engine, devURL string) (*schema.Schema, string, error) {
	if strings.Contains(arg, "://") {
		db, err := dialect.Open(ctx, arg, dialect.Options{Schema: a.schema})
		if err != nil {
			return nil, "", err
		}
		defer db.Close()
		s, err := dialect.Inspect(ctx, db, nil)
		return s, db.Target(), err
	}
	st, err := os.Stat(arg)
	if err != nil {
		return nil, "", schemagate.Errorf(schemagate.KindUsage, "diff_source_missing",
			"%s is neither a database URL nor an existing file or directory", arg)
	}
	if st.IsDir() {
		dir, err := migration.Load(os.DirFS(arg))
		if err != nil {
			return nil, "", err
		}
		s, _, err := a.replayDir(ctx, engine, devURL, dir, 0)
		return s, arg + " (migrations)", err
	}
	snap, err := readSnapshot(arg)
	if err != nil {
		return nil, "", err
	}
	return snap.Schema, arg, nil
}

func readSnapshot(path string) (*schema.Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, schemagate.Errorf(schemagate.KindUsage, "snapshot_missing", "snapshot %s does not exist", path).
				WithHint("build it with `schemagate snapshot`")
		}
		return nil, schemagate.Errorf(schemagate.KindError, "io", "read %s: %w", path, err)
	}
	snap, err := schema.DecodeSnapshot(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return snap, nil
}
