package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/lint"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/registry"
	"github.com/schemagate/schemagate/schema"
)

// contractFlags are the flags of commands that change the schema under
// running releases (apply, rollback).
type contractFlags struct {
	devURL         string
	allowBreaking  []string
	ttl            time.Duration
	ddlLockTimeout time.Duration
	retries        int
}

func (f *contractFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.devURL, "dev-url", "", "scratch database to predict migrations that cannot be rolled back (see snapshot --help)")
	cmd.Flags().StringArrayVar(&f.allowBreaking, "allow-breaking", nil, `accept breaking this live release ("APP VERSION"); repeatable`)
	cmd.Flags().DurationVar(&f.ttl, "instance-ttl", registry.DefaultTTL, "an instance is live if it heartbeated within this long")
	cmd.Flags().DurationVar(&f.ddlLockTimeout, "ddl-lock-timeout", apply.DefaultDDLLockTimeout, "longest wait of a statement for a table lock (0: no bound)")
	cmd.Flags().IntVar(&f.retries, "ddl-retries", apply.DefaultLockRetries, "retries of a migration that gave up on a table lock")
}

// configure sets the runner's DDL lock bounds; 0 on the command line means
// "none", which the runner spells as a negative value.
func (f *contractFlags) configure(r *apply.Runner) {
	r.DDLLockTimeout, r.LockRetries = f.ddlLockTimeout, f.retries
	if f.ddlLockTimeout == 0 {
		r.DDLLockTimeout = -1
	}
	if f.retries == 0 {
		r.LockRetries = -1
	}
}

// contract builds the gate that protects live releases. With no release
// registered it returns nil and says once that nothing could be checked,
// rather than pretending the check passed.
func (a *app) contract(ctx context.Context, db dialect.Database, dir *migration.Dir, f contractFlags) (*apply.Contract, func(), error) {
	noop := func() {}
	releases, err := registry.Load(ctx, db, f.ttl, time.Now())
	if err != nil {
		return nil, noop, fmt.Errorf("read the instance registry: %w", err)
	}
	if len(releases) == 0 {
		a.log.Info("no guarded service has ever registered in this database: schemagate cannot check that running releases survive these migrations")
		return nil, noop, nil
	}
	var live []registry.Release
	for _, r := range releases {
		if r.Live() {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		a.log.Info("no registered release has live instances; nothing to protect", "releases_seen", len(releases))
		return nil, noop, nil
	}
	names := make([]string, len(live))
	for i, r := range live {
		names[i] = r.Name()
	}
	a.log.Info("checking every migration against the live releases", "releases", strings.Join(names, ", "))

	// The dev database for predictions is opened on first use: most
	// migrations are checked inside their own transaction.
	// Replays only move forward, so a prediction for an earlier version
	// (a rollback) starts over on a fresh dev database.
	var dev dialect.Database
	var devVersion int64
	cleanup := noop
	predict := func(ctx context.Context, m *migration.Migration) (*schema.Schema, error) {
		if m.Version == 0 {
			return &schema.Schema{Dialect: db.Dialect()}, nil
		}
		if dev != nil && m.Version < devVersion {
			cleanup()
			dev, cleanup = nil, noop
		}
		if dev == nil {
			d, c, err := dialect.OpenDev(ctx, db.Dialect(), f.devURL)
			if err != nil {
				return nil, err
			}
			dev, cleanup = d, c
		}
		devVersion = m.Version
		return apply.Replay(ctx, dev, dir, m.Version)
	}
	gate, err := a.gatePolicy()
	if err != nil {
		return nil, noop, err
	}
	c := &apply.Contract{Live: live, AllowBreaking: f.allowBreaking, Predict: predict}
	if gate.Signers != nil {
		c.Approved = gate.Signers.Approved(os.DirFS(a.dir))
	}
	return c, func() { cleanup() }, nil
}

// lintGate refuses pending migrations with unapproved lint findings at or
// above the fail level, when the project configured the gate (a lint
// section in schemagate.yaml). The PostgreSQL parser costs about a second
// of start-up and a few hundred MiB, which a project pays by opting in;
// without the section, lint runs where it belongs first: on the pull
// request, with ` + "`schemagate lint`" + `.
func (a *app) lintGate(ctx context.Context, runner *apply.Runner, to int64) error {
	gate, err := a.gatePolicy()
	if err != nil || !gate.Configured {
		return err
	}
	_, steps, err := runner.Plan(ctx, to)
	if err != nil || len(steps) == 0 {
		return err
	}
	in := lint.GateInput{
		Input: lint.Input{Dialect: lint.Dialect(runner.DB.Dialect()), Policy: gate.Policy, RunnerLockTimeout: apply.DefaultDDLLockTimeout},
		Dir:   os.DirFS(a.dir), DirPath: a.dir, AllowedSigners: gate.Signers,
	}
	for _, s := range steps {
		in.Migrations = append(in.Migrations, s.Migration)
	}
	for _, m := range runner.Dir.Migrations {
		if m.Version < steps[0].Migration.Version {
			in.Earlier = append(in.Earlier, lint.FromMigration(a.dir, m))
		}
	}
	report, err := lint.Gate(ctx, in)
	if err != nil {
		return err
	}
	return report.Err()
}
