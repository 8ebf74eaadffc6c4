package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate/apply"
)

func (a *app) verifyCommand() *cobra.Command {
	var (
		mode string
		wait time.Duration
	)
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "The deploy gate: fail unless the database is where this release needs it",
		Long: `verify exits 0 only when every migration in the directory is applied with its
recorded checksum and none is in progress. Put it in the deploy pipeline
before the new release takes traffic, and in an init container: it only
reads, takes no lock, and never creates anything.

  exit 3  behind: migrations not applied (each one is named)
  exit 4  an applied migration was edited, one is in progress, or (--mode
          exact) the database has versions this release does not know
  exit 5  --wait ran out

--mode compatible (default) accepts versions a newer release applied, so an
application rollback passes the gate; --mode exact rejects them.
--wait D keeps checking until the database catches up or D passes; on
PostgreSQL a finishing apply wakes it at once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return commandError(a.runVerify(cmd.Context(), mode, wait))
		},
	}
	cmd.Flags().StringVar(&mode, "mode", string(apply.ModeCompatible), "compatible or exact")
	cmd.Flags().DurationVar(&wait, "wait", 0, "keep checking until satisfied or this long has passed (e.g. 5m)")
	return cmd
}

type verifyDocument struct {
	SchemaVersion int    `json:"schema_version"`
	OK            bool   `json:"ok"`
	Status        string `json:"status"`
	Database      string `json:"database"`
	Mode          string `json:"mode"`
	Applied       int    `json:"applied"`
	Latest        string `json:"latest,omitempty"`
}

func (a *app) runVerify(ctx context.Context, modeFlag string, wait time.Duration) error {
	mode, err := apply.ParseMode(modeFlag)
	if err != nil {
		return err
	}
	dir, err := a.loadDir()
	if err != nil {
		return err
	}
	db, err := a.open(ctx, false)
	if err != nil {
		return err
	}
	defer db.Close()

	var rep *apply.Report
	check := func(ctx context.Context) error {
		r, err := apply.Verify(ctx, db, dir, mode)
		if r != nil {
			rep = r
		}
		return err
	}
	if wait > 0 {
		a.log.Debug("waiting for the database to satisfy this release", "timeout", wait)
		err = apply.Wait(ctx, db, check, apply.WaitOptions{Timeout: wait, Poll: time.Second})
	} else {
		err = check(ctx)
	}
	if err != nil {
		return err
	}
	latest := ""
	if n := len(dir.Migrations); n > 0 {
		latest = dir.Migrations[n-1].ID()
	}
	if a.output == "json" {
		a.printJSON(verifyDocument{SchemaVersion: jsonSchemaVersion, OK: true, Status: "ok", Database: db.Target(),
			Mode: string(mode), Applied: rep.Count(apply.StatusApplied), Latest: latest})
		return nil
	}
	a.printf("OK: %s satisfies this release (%d of %d migrations applied, latest %s; mode %s).\n",
		db.Target(), rep.Count(apply.StatusApplied), len(dir.Migrations), latest, mode)
	return nil
}
