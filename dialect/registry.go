package dialect

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

const (
	// InstancesTable holds one row per running guarded service instance,
	// refreshed by its heartbeat. A row whose heartbeat is older than the
	// TTL belongs to an instance that is gone; nothing depends on an
	// instance removing its own row.
	InstancesTable = "schemagate_instances"
	// ReleasesTable stores the snapshot of every release that ever
	// registered an instance, once, keyed by the snapshot's fingerprint:
	// schemagate knows what each live or recently live release needs
	// without its source code.
	ReleasesTable = "schemagate_releases"
)

// Instance is one guarded service instance.
type Instance struct {
	ID      string
	App     string
	Release string
	// Fingerprint identifies the snapshot the instance needs.
	Fingerprint string
	Host        string
	StartedAt   time.Time
	LastSeen    time.Time
}

// Release is what one release of an application needs.
type Release struct {
	Fingerprint string
	App         string
	Release     string
	// Snapshot is the release's snapshot file, as the instance carried it.
	Snapshot  []byte
	FirstSeen time.Time
	LastSeen  time.Time
}

// Registrar is implemented by engines that keep the instance registry.
type Registrar interface {
	Registry() *SQLRegistry
}

// SQLRegistry stores instances and releases with portable SQL; engines
// supply the DDL and their placeholder style. Writes are an UPDATE followed
// by an INSERT when nothing was updated: an instance is the only writer of
// its own row, and a release row is written only when absent, so no engine
// needs an upsert statement.
type SQLRegistry struct {
	CreateInstances string
	CreateReleases  string
	Placeholder     func(n int) string
	// TimeValue converts a time to what the engine stores; nil passes
	// time.Time through. Text encodings must sort like the times.
	TimeValue func(time.Time) any
	// TableExists reports whether a table exists.
	TableExists func(ctx context.Context, q Querier, name string) (bool, error)
}

// Ensure creates the registry tables if they do not exist.
func (r *SQLRegistry) Ensure(ctx context.Context, q Querier) error {
	for _, ddl := range []string{r.CreateInstances, r.CreateReleases} {
		if _, err := q.ExecContext(ctx, ddl); err != nil {
			return fmt.Errorf("create instance registry: %w", err)
		}
	}
	return nil
}

func (r *SQLRegistry) t(v time.Time) any {
	v = v.UTC()
	if r.TimeValue != nil {
		return r.TimeValue(v)
	}
	return v
}

func (r *SQLRegistry) marks(from, n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = r.Placeholder(from + i)
	}
	return strings.Join(out, ", ")
}

// Heartbeat records that inst is alive now (inst.LastSeen).
func (r *SQLRegistry) Heartbeat(ctx context.Context, q Querier, inst Instance) error {
	p := r.Placeholder
	res, err := q.ExecContext(ctx, "UPDATE "+InstancesTable+" SET app = "+p(1)+", release_name = "+p(2)+
		", fingerprint = "+p(3)+", host = "+p(4)+", last_seen = "+p(5)+" WHERE instance_id = "+p(6),
		inst.App, inst.Release, inst.Fingerprint, inst.Host, r.t(inst.LastSeen), inst.ID)
	if err != nil {
		return fmt.Errorf("heartbeat into %s: %w", InstancesTable, err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	_, err = q.ExecContext(ctx, "INSERT INTO "+InstancesTable+
		" (instance_id, app, release_name, fingerprint, host, started_at, last_seen) VALUES ("+r.marks(1, 7)+")",
		inst.ID, inst.App, inst.Release, inst.Fingerprint, inst.Host, r.t(inst.StartedAt), r.t(inst.LastSeen))
	if err != nil {
		return fmt.Errorf("register in %s: %w", InstancesTable, err)
	}
	return nil
}

// Remove deletes an instance's row (on orderly shutdown).
func (r *SQLRegistry) Remove(ctx context.Context, q Querier, id string) error {
	_, err := q.ExecContext(ctx, "DELETE FROM "+InstancesTable+" WHERE instance_id = "+r.Placeholder(1), id)
	return err
}

// Expire deletes rows whose last heartbeat is older than before.
func (r *SQLRegistry) Expire(ctx context.Context, q Querier, before time.Time) error {
	_, err := q.ExecContext(ctx, "DELETE FROM "+InstancesTable+" WHERE last_seen < "+r.Placeholder(1), r.t(before))
	return err
}

// Instances returns every registered instance, live or not, ordered by
// app, release and id. A missing table yields none.
func (r *SQLRegistry) Instances(ctx context.Context, q Querier) ([]Instance, error) {
	if ok, err := r.TableExists(ctx, q, InstancesTable); err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT instance_id, app, release_name, fingerprint, host, started_at, last_seen FROM "+
		InstancesTable+" ORDER BY app, release_name, instance_id")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", InstancesTable, err)
	}
	defer rows.Close()
	var out []Instance
	for rows.Next() {
		var in Instance
		var started, seen dbTime
		if err := rows.Scan(&in.ID, &in.App, &in.Release, &in.Fingerprint, &in.Host, &started, &seen); err != nil {
			return nil, fmt.Errorf("read %s: %w", InstancesTable, err)
		}
		in.StartedAt, in.LastSeen = started.t, seen.t
		out = append(out, in)
	}
	return out, rows.Err()
}

// SaveRelease stores rel's snapshot if no release with its fingerprint is
// stored yet, and refreshes last_seen either way.
func (r *SQLRegistry) SaveRelease(ctx context.Context, q Querier, rel Release) error {
	p := r.Placeholder
	res, err := q.ExecContext(ctx, "UPDATE "+ReleasesTable+" SET last_seen = "+p(1)+" WHERE fingerprint = "+p(2),
		r.t(rel.LastSeen), rel.Fingerprint)
	if err != nil {
		return fmt.Errorf("record release in %s: %w", ReleasesTable, err)
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	_, err = q.ExecContext(ctx, "INSERT INTO "+ReleasesTable+
		" (fingerprint, app, release_name, snapshot, first_seen, last_seen) VALUES ("+r.marks(1, 6)+")",
		rel.Fingerprint, rel.App, rel.Release, string(rel.Snapshot), r.t(rel.FirstSeen), r.t(rel.LastSeen))
	if err != nil {
		// Another instance of the same release may have inserted it first.
		if existing, lerr := r.Releases(ctx, q); lerr == nil {
			for _, e := range existing {
				if e.Fingerprint == rel.Fingerprint {
					return nil
				}
			}
		}
		return fmt.Errorf("record release in %s: %w", ReleasesTable, err)
	}
	return nil
}

// Releases returns every stored release, most recently seen first. A
// missing table yields none.
func (r *SQLRegistry) Releases(ctx context.Context, q Querier) ([]Release, error) {
	if ok, err := r.TableExists(ctx, q, ReleasesTable); err != nil || !ok {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT fingerprint, app, release_name, snapshot, first_seen, last_seen FROM "+
		ReleasesTable+" ORDER BY last_seen DESC, app, release_name")
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ReleasesTable, err)
	}
	defer rows.Close()
	var out []Release
	for rows.Next() {
		var rel Release
		var snapshot sql.RawBytes
		var first, last dbTime
		if err := rows.Scan(&rel.Fingerprint, &rel.App, &rel.Release, &snapshot, &first, &last); err != nil {
			return nil, fmt.Errorf("read %s: %w", ReleasesTable, err)
		}
		rel.Snapshot = append([]byte(nil), snapshot...)
		rel.FirstSeen, rel.LastSeen = first.t, last.t
		out = append(out, rel)
	}
	return out, rows.Err()
}

// ChangeTokener is implemented by engines that can tell cheaply whether a
// schema may have changed: the token changes whenever the schema does (and
// sometimes when it does not, which only costs a full re-read). The guard
// compares tokens between checks and re-reads the schema only when the
// token moved.
type ChangeTokener interface {
	SchemaToken(ctx context.Context, q Querier) (string, error)
}

// PoolWrapper builds a Database around a connection pool the application
// already has, for the guard, which runs inside the application.
type PoolWrapper func(db *sql.DB, opts Options) Database

var poolWrappers = map[string]PoolWrapper{}

// RegisterPool makes FromDB available for the engine named dialect.
func RegisterPool(dialect string, wrap PoolWrapper) {
	registryMu.Lock()
	defer registryMu.Unlock()
	poolWrappers[dialect] = wrap
}

// FromDB wraps an application's pool as a Database of the named engine.
// Close on the result does not close db.
func FromDB(dialect string, db *sql.DB, opts Options) (Database, error) {
	registryMu.RLock()
	wrap := poolWrappers[dialect]
	registryMu.RUnlock()
	if wrap == nil {
		return nil, fmt.Errorf("engine %q is not linked into this program (import its dialect package)", dialect)
	}
	return wrap(db, opts), nil
}
