// Package registry answers, from the instance registry that guarded
// services keep in the database, which releases are running and what each
// needs. It is what lets schemagate refuse a change that breaks a live
// release, and tell an on-call engineer which releases the live schema can
// run ("rolling back to authsvc 1.4 needs no schema change").
package registry

import (
	"context"
	"sort"
	"time"

	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/schema"
)

// DefaultTTL is how long after its last heartbeat an instance counts as
// live when the caller does not know the guards' interval: three of the
// guard's default ten-second intervals.
const DefaultTTL = 30 * time.Second

// Release is one release the database has seen, with what it needs and
// how many of its instances are live.
type Release struct {
	App         string `json:"app"`
	Release     string `json:"release"`
	Fingerprint string `json:"fingerprint"`
	// Snapshot is nil when the stored snapshot cannot be read (written by
	// a newer schemagate, say); such a release cannot be judged.
	Snapshot      *schema.Snapshot `json:"-"`
	SnapshotError string           `json:"snapshot_error,omitempty"`
	// LiveInstances heartbeated within the TTL.
	LiveInstances int       `json:"live_instances"`
	LastSeen      time.Time `json:"last_seen"`
}

// Name is "app release".
func (r Release) Name() string { return r.App + " " + r.Release }

// Live reports whether some instance of the release is live.
func (r Release) Live() bool { return r.LiveInstances > 0 }

// Load returns every release the database has seen, live ones first, then
// by most recently seen. It returns nil, nil when the engine keeps no
// registry or no guard ever registered.
func Load(ctx context.Context, db dialect.Database, ttl time.Duration, now time.Time) ([]Release, error) {
	reg, ok := db.(dialect.Registrar)
	if !ok {
		return nil, nil
	}
	q := db.DB()
	stored, err := reg.Registry().Releases(ctx, q)
	if err != nil {
		return nil, err
	}
	instances, err := reg.Registry().Instances(ctx, q)
	if err != nil {
		return nil, err
	}
	byFingerprint := map[string]*Release{}
	var out []*Release
	for _, s := range stored {
		r := &Release{App: s.App, Release: s.Release, Fingerprint: s.Fingerprint, LastSeen: s.LastSeen}
		if snap, err := schema.DecodeSnapshot(s.Snapshot); err != nil {
			r.SnapshotError = err.Error()
		} else {
			r.Snapshot = snap
		}
		byFingerprint[s.Fingerprint] = r
		out = append(out, r)
	}
	for _, in := range instances {
		r := byFingerprint[in.Fingerprint]
		if r == nil {
			// An instance whose release row is missing (it could not
			// write it): still worth listing.
			r = &Release{App: in.App, Release: in.Release, Fingerprint: in.Fingerprint,
				SnapshotError: "the release's snapshot was never stored"}
			byFingerprint[in.Fingerprint] = r
			out = append(out, r)
		}
		if in.LastSeen.After(r.LastSeen) {
			r.LastSeen = in.LastSeen
		}
		if now.Sub(in.LastSeen) <= ttl {
			r.LiveInstances++
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Live() != out[j].Live() {
			return out[i].Live()
		}
		return out[i].LastSeen.After(out[j].LastSeen)
	})
	result := make([]Release, len(out))
	for i, r := range out {
		result[i] = *r
	}
	return result, nil
}

// Verdict is whether one release can run on a schema.
type Verdict struct {
	Release
	// Judged is false when the release's snapshot is unreadable.
	Judged     bool                `json:"judged"`
	Compatible bool                `json:"compatible"`
	Problems   []schema.Difference `json:"problems,omitempty"`
}

// Window judges every release against s: the compatibility window. A
// release the window includes can be deployed (or rolled back to) with no
// schema change.
func Window(releases []Release, s *schema.Schema) []Verdict {
	out := make([]Verdict, len(releases))
	for i, r := range releases {
		v := Verdict{Release: r}
		if r.Snapshot != nil && r.Snapshot.Dialect == s.Dialect {
			rep := schema.Compatible(r.Snapshot.Schema, s)
			v.Judged, v.Compatible, v.Problems = true, rep.Compatible, rep.Problems
		}
		out[i] = v
	}
	return out
}
