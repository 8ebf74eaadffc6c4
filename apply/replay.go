package apply

import (
	"context"
	"fmt"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

// Replay applies dir's migrations up to and including version to (0: all)
// to dev, an empty dev database, and returns the schema they produce. This
// is how schemagate learns what a release needs without trusting anything
// but the migrations themselves.
func Replay(ctx context.Context, dev dialect.Database, dir *migration.Dir, to int64) (*schema.Schema, error) {
	if to > 0 || len(dir.Migrations) > 0 {
		r := &Runner{DB: dev, Dir: dir}
		if _, err := r.Apply(ctx, Options{To: to}); err != nil {
			return nil, replayError(err)
		}
	}
	return dialect.Inspect(ctx, dev, nil)
}

// ReplayStatements returns the schema before migration version and after
// each of its statements: states[0] is the schema with every earlier
// migration applied, states[k] the schema after its first k statements.
// Repair compares a live database with these states to tell how far an
// interrupted migration got.
func ReplayStatements(ctx context.Context, dev dialect.Database, dir *migration.Dir, version int64) ([]*schema.Schema, error) {
	m := dir.Find(version)
	if m == nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "unknown_version",
			"no migration with version %d in the directory", version)
	}
	var previous int64
	for _, other := range dir.Migrations {
		if other.Version < version {
			previous = other.Version
		}
	}
	var before *schema.Schema
	var err error
	if previous > 0 {
		before, err = Replay(ctx, dev, dir, previous)
	} else {
		before, err = dialect.Inspect(ctx, dev, nil)
	}
	if err != nil {
		return nil, err
	}
	stmts, err := dev.Split(m.Up)
	if err != nil {
		return nil, schemagate.Errorf(schemagate.KindUsage, "migration_syntax", "%s: %w", m.UpFile, err)
	}
	states := []*schema.Schema{before}
	conn, err := dev.DB().Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	for i, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt.Text); err != nil {
			return nil, replayError(fmt.Errorf("%s statement %d (line %d): %w", m.UpFile, i+1, stmt.Line, err))
		}
		s, err := dialect.Inspect(ctx, dev, conn)
		if err != nil {
			return nil, err
		}
		states = append(states, s)
	}
	return states, nil
}

func replayError(err error) error {
	e := schemagate.Errorf(schemagate.KindError, "replay_failed", "replaying the migrations on the dev database failed: %w", err)
	if hint := schemagate.HintOf(err); hint != "" {
		e.Hint = hint
	}
	if k := schemagate.KindOf(err); k == schemagate.KindUsage || k == schemagate.KindIntegrity {
		e.Kind = k
	}
	return e
}
