package main

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/examples/authsvc/replay"
)

//go:embed demodata
var demoData embed.FS

func (a *app) demoCommand() *cobra.Command {
	var keep, withTraffic bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Replay the incident schemagate exists for, on a scratch SQLite database",
		Long: `demo tells, in a few screens, how a release whose migration job silently did
not run was stopped by the deploy gate instead of answering 401/404 to users.
It needs nothing installed: it runs the real commands against a temporary
SQLite file.

--traffic replays the deploy with live traffic, in a few seconds: two regions,
two instances of the example auth service per region behind health-checked
routers, clients logging in continuously. The same deploy runs without and
with schemagate, and a table compares failed requests and the time to detect,
diagnose and recover; a last leg rolls the application back with no schema
change.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if withTraffic {
				return commandError(a.runTrafficDemo(cmd.Context()))
			}
			return commandError(a.runDemo(cmd.Context(), keep))
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary directory and print its path")
	cmd.Flags().BoolVar(&withTraffic, "traffic", false, "replay the deploy with live traffic and the guard (a few seconds)")
	return cmd
}

// demoStep runs one schemagate command line in-process and returns what it
// printed and its exit code.
func demoStep(ctx context.Context, args ...string) (string, int) {
	var out bytes.Buffer
	code := run(ctx, args, &out, &out)
	return out.String(), code
}

func (a *app) runDemo(ctx context.Context, keep bool) error {
	start := time.Now()
	work, err := os.MkdirTemp("", "schemagate-demo-")
	if err != nil {
		return schemagate.Errorf(schemagate.KindError, "io", "create a temporary directory: %w", err)
	}
	if keep {
		defer a.printf("\nThe demo's files are in %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}
	dbPath := filepath.Join(work, "auth.db")
	dbURL := "sqlite://" + dbPath
	rel1, rel2 := filepath.Join(work, "release1"), filepath.Join(work, "release2")
	// Show paths relative to the scratch directory: shorter, and the same
	// on every run.
	relative := strings.NewReplacer(work+string(filepath.Separator), "", "sqlite://"+work+string(filepath.Separator), "sqlite://")
	for _, rel := range []string{"release1", "release2"} {
		if err := copyEmbedded(demoData, "demodata/"+rel, filepath.Join(work, rel)); err != nil {
			return err
		}
		if _, code := demoStep(ctx, "hash", "--dir", filepath.Join(work, rel)); code != 0 {
			return schemagate.Errorf(schemagate.KindError, "demo", "hash the demo's %s migrations failed", rel)
		}
	}

	say := func(format string, args ...any) { a.printf(format, args...) }
	shell := func(args ...string) int {
		shown := append([]string{"schemagate"}, args...)
		say("\n  $ %s\n", relative.Replace(strings.Join(shown, " ")))
		out, code := demoStep(ctx, args...)
		out = relative.Replace(out)
		for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
			if strings.HasPrefix(line, "time=") {
				continue // progress logs; the summary says the same
			}
			say("    %s\n", line)
		}
		say("  (exit %d)\n", code)
		return code
	}

	say("schemagate demo: the incident this tool exists for, replayed on a scratch SQLite database.\n")
	say("\nAn auth provider deployed a release whose database migration job silently never ran.\n")
	say("The new code started against the old schema and answered 401/404 for about 18 minutes\n")
	say("in two regions, until a manual rollback. Here is the same deploy with schemagate in it.\n")

	say("\n1. Release 1 of the auth service ships with two migrations. The deploy job applies them\n   and the gate confirms the database is ready:\n")
	if shell("apply", "--dir", rel1, "--url", dbURL) != 0 {
		return demoFailed("apply release 1")
	}
	if shell("verify", "--dir", rel1, "--url", dbURL) != 0 {
		return demoFailed("verify release 1")
	}

	say("\n2. Release 2 adds 0003_add_domain_verified: its tenant lookup reads tenants.domain_verified.\n")
	say("   The deploy starts, and a race in the CD system means the migration job never runs.\n")
	say("   Without a gate, release 2 would start and run its tenant lookup against the old schema:\n")
	if msg := releaseTwoLookup(ctx, dbPath); msg != "" {
		say("\n    SELECT id FROM tenants WHERE domain = 'login.acme.test' AND domain_verified\n    -> %s\n", msg)
		say("\n   The code treats a failed lookup as \"tenant not found\": every login on a custom domain\n   gets a 404. That was the outage.\n")
	}

	say("\n3. With schemagate, the pipeline runs the gate before release 2 takes traffic:\n")
	if code := shell("verify", "--dir", rel2, "--url", dbURL); code != schemagate.ExitCode(schemagate.Errorf(schemagate.KindBehind, "", "")) {
		return demoFailed("verify release 2 should have exited 3")
	}
	say("\n   Exit 3 stops the deploy within a second of it starting, and the message names the\n")
	say("   missing migration: detection and diagnosis in one step. Release 1 keeps serving.\n")

	say("\n4. The migration job is re-run (any number of copies may run at once; one applies):\n")
	if shell("apply", "--dir", rel2, "--url", dbURL) != 0 {
		return demoFailed("apply release 2")
	}
	if shell("verify", "--dir", rel2, "--url", dbURL) != 0 {
		return demoFailed("verify release 2")
	}
	say("\n   The gate passes and release 2 rolls out. And because 0003 only adds a column with a\n")
	say("   default, release 1 still passes its own gate: rolling the app back needs no schema change.\n")
	if shell("verify", "--dir", rel1, "--url", dbURL) != 0 {
		return demoFailed("verify release 1 after release 2")
	}

	say("\nDemo finished in %s. Watch the same deploy under live traffic, with the guard in each\n", time.Since(start).Round(time.Millisecond))
	say("service instance, with `schemagate demo --traffic`. Next: `schemagate init` in your project.\n")
	return nil
}

// runTrafficDemo runs the incident replay of examples/authsvc on SQLite.
func (a *app) runTrafficDemo(ctx context.Context) error {
	work, err := os.MkdirTemp("", "schemagate-replay-")
	if err != nil {
		return schemagate.Errorf(schemagate.KindError, "io", "create a temporary directory: %w", err)
	}
	defer os.RemoveAll(work)
	cfg := replay.Quick(work)
	cfg.Progress = a.stdout
	a.printf("Replaying the incident with live traffic (EU and US, two instances each, clients logging in)…\n\n")
	res, err := replay.Run(ctx, cfg)
	if err != nil {
		return schemagate.Errorf(schemagate.KindError, "demo_failed", "the replay failed: %w", err)
	}
	res.WriteTable(a.stdout)
	return nil
}

// releaseTwoLookup runs release 2's tenant query against the database and
// returns the database's error, which is what the real service got.
func releaseTwoLookup(ctx context.Context, dbPath string) string {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		return ""
	}
	defer db.Close()
	var id int
	err = db.QueryRowContext(ctx, `SELECT id FROM tenants WHERE domain = 'login.acme.test' AND domain_verified`).Scan(&id)
	if err == nil {
		return ""
	}
	return "error: " + err.Error()
}

func demoFailed(step string) error {
	return schemagate.Errorf(schemagate.KindError, "demo_failed", "the demo's step %q did not go as scripted", step).
		WithHint("this is a bug in schemagate; please report it with the output above")
}

func copyEmbedded(fsys fs.FS, from, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return schemagate.Errorf(schemagate.KindError, "io", "create %s: %w", to, err)
	}
	entries, err := fs.ReadDir(fsys, from)
	if err != nil {
		return fmt.Errorf("read embedded %s: %w", from, err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(fsys, from+"/"+e.Name())
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), data, 0o644); err != nil {
			return schemagate.Errorf(schemagate.KindError, "io", "write %s: %w", e.Name(), err)
		}
	}
	return nil
}
