package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/migration"
)

func (a *app) initCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "init",
		Short: "Create the migration directory and its integrity file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.runInit())
		},
	}
}

func (a *app) runInit() error {
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return schemagate.Errorf(schemagate.KindError, "io", "create %s: %w", a.dir, err)
	}
	sumPath := filepath.Join(a.dir, migration.SumFile)
	if _, err := os.Stat(sumPath); err == nil {
		a.printf("%s is already initialised.\n", a.dir)
		return nil
	}
	if err := a.writeSum(); err != nil {
		return err
	}
	a.printf("Created %s with %s.\nNext: `schemagate new create_first_table`, write the SQL, then `schemagate apply --url …`.\n", a.dir, migration.SumFile)
	return nil
}

func (a *app) hashCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "hash",
		Short: "Rewrite schemagate.sum after adding or changing migrations",
		Long: `hash records the checksum of every migration file in schemagate.sum. Every
command that reads the directory refuses (exit 4) when a file changed since,
so a migration edited after review, or two branches' migrations merged
without a look, never reach a database unnoticed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.writeSum())
		},
	}
}

// writeSum reads the directory (without checking the old sum) and writes
// a new schemagate.sum.
func (a *app) writeSum() error {
	dir, err := migration.Read(os.DirFS(a.dir))
	if err != nil {
		return err
	}
	path := filepath.Join(a.dir, migration.SumFile)
	if err := writeFileAtomic(path, dir.ComputeSum().Encode()); err != nil {
		return schemagate.Errorf(schemagate.KindError, "io", "write %s: %w", path, err)
	}
	a.printf("Wrote %s (%d migrations).\n", path, len(dir.Migrations))
	return nil
}

func (a *app) newCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "new NAME",
		Short: "Add the next migration: an .up.sql and a .down.sql file",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.runNew(args[0]))
		},
	}
}

func (a *app) runNew(name string) error {
	slug := slugify(name)
	if slug == "" {
		return schemagate.Errorf(schemagate.KindUsage, "invalid_name",
			"%q is not a usable migration name", name).
			WithHint("use letters, digits and underscores, e.g. add_email_to_users")
	}
	if err := os.MkdirAll(a.dir, 0o755); err != nil {
		return schemagate.Errorf(schemagate.KindError, "io", "create %s: %w", a.dir, err)
	}
	dir, err := migration.Read(os.DirFS(a.dir))
	if err != nil {
		return err
	}
	// A directory that was never hashed may still get its first files.
	if dir.Sum != nil {
		if err := dir.CheckSum(); err != nil {
			return err
		}
	}
	width := 4
	if n := len(dir.Migrations); n > 0 {
		last := dir.Migrations[n-1]
		width = len(strings.SplitN(last.UpFile, "_", 2)[0])
	}
	stem := fmt.Sprintf("%0*d_%s", width, dir.Latest()+1, slug)
	up := filepath.Join(a.dir, stem+".up.sql")
	down := filepath.Join(a.dir, stem+".down.sql")
	if err := os.WriteFile(up, []byte("-- "+stem+": write the change here.\n"), 0o644); err != nil {
		return schemagate.Errorf(schemagate.KindError, "io", "write %s: %w", up, err)
	}
	if err := os.WriteFile(down, []byte("-- "+stem+": undo the change here (used by `schemagate rollback`).\n"), 0o644); err != nil {
		return schemagate.Errorf(schemagate.KindError, "io", "write %s: %w", down, err)
	}
	a.printf("Created %s\nCreated %s\nWrite the SQL, then run `schemagate hash` to record it in %s.\n", up, down, migration.SumFile)
	return nil
}

func slugify(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		switch {
		case (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'):
			sb.WriteRune(r)
		case sb.Len() > 0 && !strings.HasSuffix(sb.String(), "_"):
			sb.WriteByte('_')
		}
	}
	return strings.Trim(sb.String(), "_")
}
