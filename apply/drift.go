package apply

import (
	"context"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/schema"
)

// Drift compares the live schema with the fingerprint the runner recorded
// when it last applied migrations. A difference means the schema was
// changed outside the migrations: a hotfix, a manual ALTER, a half-done
// operation.
type Drift struct {
	// Checked is false when there is nothing to compare with: no migration
	// applied yet, or the latest was recorded without a fingerprint.
	Checked bool `json:"checked"`
	// ID is the migration whose history row holds the fingerprint.
	ID       string `json:"recorded_after,omitempty"`
	Recorded string `json:"recorded_fingerprint,omitempty"`
	Live     string `json:"live_fingerprint,omitempty"`
	Drifted  bool   `json:"drift"`
	// Schema is the live schema that was read.
	Schema *schema.Schema `json:"-"`
}

// CheckDrift reads the live schema and compares its fingerprint with the
// one recorded on the latest applied migration of rep.
func CheckDrift(ctx context.Context, db dialect.Database, rep *Report) (*Drift, error) {
	var latest *Entry
	for i := range rep.Entries {
		if e := &rep.Entries[i]; e.Record != nil && e.Record.State == dialect.StateApplied {
			latest = e
		}
	}
	d := &Drift{}
	if _, ok := db.(dialect.Inspector); !ok || latest == nil || latest.Record.Fingerprint == "" {
		return d, nil
	}
	live, err := dialect.Inspect(ctx, db, nil)
	if err != nil {
		return nil, err
	}
	d.Checked = true
	d.ID = latest.ID
	d.Recorded = latest.Record.Fingerprint
	d.Live = live.Fingerprint()
	d.Drifted = d.Recorded != d.Live
	d.Schema = live
	return d, nil
}

// Err returns a KindIntegrity error, reason "schema_drift", when the schema
// drifted.
func (d *Drift) Err() error {
	if !d.Drifted {
		return nil
	}
	return schemagate.Errorf(schemagate.KindIntegrity, "schema_drift",
		"the live schema was changed outside the migrations: it differs from the schema recorded after %s (recorded %s, live %s)",
		d.ID, short(d.Recorded), short(d.Live)).
		WithHint("see what changed with `schemagate diff` against the release's snapshot; bring the change into a migration, or undo it")
}
