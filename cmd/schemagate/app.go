package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	_ "github.com/schemagate/schemagate/dialect/mysql"    // registers mysql:// and mariadb://
	_ "github.com/schemagate/schemagate/dialect/postgres" // registers postgres://
	_ "github.com/schemagate/schemagate/dialect/sqlite"   // registers sqlite://
	"github.com/schemagate/schemagate/migration"
)

// jsonSchemaVersion is the version of every JSON document the CLI prints.
// It changes only when a field changes meaning or disappears.
const jsonSchemaVersion = 1

// app holds the global flags and the output streams of one invocation.
type app struct {
	stdout, stderr io.Writer

	url       string
	dir       string
	config    string
	output    string
	schema    string
	verbosity int
	log       *slog.Logger
}

func newApp(stdout, stderr io.Writer) *app {
	return &app{stdout: stdout, stderr: stderr}
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "schemagate",
		Short: "Safe database schema changes: exactly-once migrations and a deploy gate",
		Long: `schemagate applies versioned SQL migrations exactly once, however many copies
start at once, and gates deploys on the database being where the release needs it.

Exit codes: 0 ok; 1 error (connection, SQL, I/O); 2 usage or configuration;
3 behind (pending migrations); 4 drift or integrity (edited migration, unknown
version, migration left in progress); 5 timed out (lock or --wait);
6 refused by policy.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if a.output != "text" && a.output != "json" {
				return schemagate.Errorf(schemagate.KindUsage, "invalid_output",
					"--output %q: use text or json", a.output)
			}
			level := slog.LevelInfo
			if a.verbosity > 0 {
				level = slog.LevelDebug
			}
			if a.output == "json" && a.verbosity == 0 {
				level = slog.LevelWarn
			}
			a.log = slog.New(&redactingHandler{Handler: slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: level}), secret: a.secret()})
			return nil
		},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return schemagate.Errorf(schemagate.KindUsage, "usage", "%w", err).
			WithHint("run `schemagate %s --help` for its flags", c.Name())
	})
	f := root.PersistentFlags()
	f.StringVar(&a.url, "url", "", "database URL (default $DATABASE_URL): postgres://…, mysql://…, sqlite://path")
	f.StringVar(&a.dir, "dir", "migrations", "migration directory")
	f.StringVar(&a.config, "config", "", "configuration file (default ./schemagate.yaml when present)")
	f.StringVarP(&a.output, "output", "o", "text", "output format: text or json")
	f.StringVar(&a.schema, "schema", "", "PostgreSQL schema to work in (default public)")
	f.CountVarP(&a.verbosity, "verbose", "v", "log more detail to stderr")

	root.AddCommand(
		a.initCommand(),
		a.newCommand(),
		a.hashCommand(),
		a.applyCommand(),
		a.statusCommand(),
		a.verifyCommand(),
		a.snapshotCommand(),
		a.diffCommand(),
		a.repairCommand(),
		a.rollbackCommand(),
		a.lintCommand(),
		a.approveCommand(),
		a.demoCommand(),
	)
	return root
}

// databaseURL is --url, else $DATABASE_URL.
func (a *app) databaseURL() string {
	if a.url != "" {
		return a.url
	}
	return os.Getenv("DATABASE_URL")
}

// secret is the password of the database URL, masked in every line the
// CLI prints even where a driver quotes it verbatim.
func (a *app) secret() string {
	raw := a.databaseURL()
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			return p
		}
	}
	if i := strings.Index(raw, "password="); i >= 0 {
		v := raw[i+len("password="):]
		if j := strings.IndexAny(v, "& "); j >= 0 {
			v = v[:j]
		}
		return v
	}
	return ""
}

func (a *app) redact(s string) string { return dialect.RedactSecret(s, a.secret()) }

// open connects to the database. create lets SQLite create the file.
func (a *app) open(ctx context.Context, create bool) (dialect.Database, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	return dialect.Open(ctx, a.databaseURL(), dialect.Options{Create: create, Schema: a.schema})
}

// loadDir reads the migration directory and checks schemagate.sum.
func (a *app) loadDir() (*migration.Dir, error) {
	if st, err := os.Stat(a.dir); err != nil || !st.IsDir() {
		return nil, schemagate.Errorf(schemagate.KindUsage, "migration_dir_missing",
			"migration directory %s does not exist", a.dir).
			WithHint("pass it with --dir, or create it with `schemagate init`")
	}
	return migration.Load(os.DirFS(a.dir))
}

// openWithHistory loads the migration directory, connects to the database
// (without creating it) and compares the two. The caller closes db.
func (a *app) openWithHistory(ctx context.Context) (*migration.Dir, dialect.Database, *apply.Report, error) {
	dir, err := a.loadDir()
	if err != nil {
		return nil, nil, nil, err
	}
	db, err := a.open(ctx, false)
	if err != nil {
		return nil, nil, nil, err
	}
	rep, err := apply.Load(ctx, db, dir)
	if err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return dir, db, rep, nil
}

// printf writes human output; in JSON mode it writes nothing.
func (a *app) printf(format string, args ...any) {
	if a.output == "json" {
		return
	}
	fmt.Fprint(a.stdout, a.redact(fmt.Sprintf(format, args...)))
}

// printJSON writes one JSON document to stdout.
func (a *app) printJSON(v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err) // only our own types are marshalled
	}
	fmt.Fprintln(a.stdout, a.redact(string(data)))
}

// errorDocument is the JSON form of a failed command.
type errorDocument struct {
	SchemaVersion int    `json:"schema_version"`
	OK            bool   `json:"ok"`
	Status        string `json:"status"`
	Reason        string `json:"reason"`
	ExitCode      int    `json:"exit_code"`
	Message       string `json:"message"`
	Hint          string `json:"hint,omitempty"`
}

// printError reports a failed command: to stderr as text, or to stdout as
// a JSON document when --output json.
func (a *app) printError(err error) {
	kind := schemagate.KindOf(err)
	hint := schemagate.HintOf(err)
	if a.output == "json" {
		a.printJSON(errorDocument{
			SchemaVersion: jsonSchemaVersion,
			Status:        kind.String(),
			Reason:        schemagate.ReasonOf(err),
			ExitCode:      schemagate.ExitCode(err),
			Message:       err.Error(),
			Hint:          hint,
		})
		return
	}
	fmt.Fprintf(a.stderr, "schemagate: %s\n", a.redact(err.Error()))
	if hint != "" {
		fmt.Fprintf(a.stderr, "hint: %s\n", a.redact(hint))
	}
}

// writeFileAtomic replaces path's content without ever leaving it half
// written.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private; these files are committed and
	// read by others, so give them the mode of the file they replace, or
	// the usual one.
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// redactingHandler masks credentials in every log record.
type redactingHandler struct {
	slog.Handler
	secret string
}

func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, dialect.RedactSecret(r.Message, h.secret), r.PC)
	r.Attrs(func(at slog.Attr) bool {
		if at.Value.Kind() == slog.KindString || at.Value.Kind() == slog.KindAny {
			at.Value = slog.StringValue(dialect.RedactSecret(at.Value.String(), h.secret))
		}
		out.AddAttrs(at)
		return true
	})
	return h.Handler.Handle(ctx, out)
}

func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &redactingHandler{Handler: h.Handler.WithAttrs(attrs), secret: h.secret}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{Handler: h.Handler.WithGroup(name), secret: h.secret}
}
