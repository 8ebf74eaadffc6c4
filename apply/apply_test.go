package apply_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/schemagate/schemagate"
	"github.com/schemagate/schemagate/apply"
	"github.com/schemagate/schemagate/dialect"
	_ "github.com/schemagate/schemagate/dialect/sqlite"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

func dir(t *testing.T, files map[string]string) *migration.Dir {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	d, err := migration.Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	fsys[migration.SumFile] = &fstest.MapFile{Data: d.ComputeSum().Encode()}
	if d, err = migration.Load(fsys); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestCompareClassifiesEveryVersion(t *testing.T) {
	d := dir(t, map[string]string{
		"1_a.up.sql": "SELECT 1;", "2_b.up.sql": "SELECT 2;", "3_c.up.sql": "SELECT 3;",
		"4_d.up.sql": "SELECT 4;", "5_e.up.sql": "SELECT 5;",
	})
	sum := func(v int64) string { return d.Find(v).Checksum }
	records := []dialect.Record{
		{Version: 1, Name: "a", Checksum: sum(1), State: dialect.StateApplied},
		{Version: 2, Name: "b", Checksum: "sha256:edited", State: dialect.StateApplied},
		{Version: 3, Name: "c", Checksum: sum(3), State: dialect.StatePartial, StatementsDone: 1, StatementsTotal: 2},
		{Version: 4, Name: "d", Checksum: sum(4), State: dialect.StateInProgress},
		{Version: 9, Name: "newer", Checksum: "sha256:x", State: dialect.StateApplied},
	}
	rep := apply.Compare(d, records)
	want := map[int64]apply.Status{1: apply.StatusApplied, 2: apply.StatusChanged, 3: apply.StatusPartial,
		4: apply.StatusInProgress, 5: apply.StatusPending, 9: apply.StatusUnknown}
	if len(rep.Entries) != len(want) {
		t.Fatalf("%d entries, want %d", len(rep.Entries), len(want))
	}
	for _, e := range rep.Entries {
		if e.Status != want[e.Version] {
			t.Errorf("version %d: %s, want %s", e.Version, e.Status, want[e.Version])
		}
	}
	if err := rep.IntegrityError(); schemagate.ReasonOf(err) != "migration_in_progress" {
		t.Errorf("integrity error %v: the migration in progress comes first", err)
	}
	if ooo := rep.OutOfOrder(); len(ooo) != 1 || ooo[0].Version != 5 {
		t.Errorf("out of order: %+v (5 is pending below the applied 9)", ooo)
	}
}

func TestRunnerWithEmbeddedMigrations(t *testing.T) {
	ctx := context.Background()
	d := dir(t, map[string]string{
		"0001_users.up.sql":       "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
		"0002_add_email.up.sql":   "ALTER TABLE users ADD COLUMN email TEXT;\n",
		"0003_add_tenants.up.sql": "CREATE TABLE tenants (id INTEGER PRIMARY KEY, domain TEXT);\n",
	})
	db, err := dialect.Open(ctx, testdb.SQLite(t), dialect.Options{Create: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	r := &apply.Runner{DB: db, Dir: d}
	res, err := r.Apply(ctx, apply.Options{To: 2})
	if err != nil || len(res.Steps) != 2 {
		t.Fatalf("apply to 2: %+v, %v", res, err)
	}
	_, err = apply.Verify(ctx, db, d, apply.ModeCompatible)
	if schemagate.ExitCode(err) != 3 {
		t.Fatalf("verify while 0003 is pending: exit %d (%v)", schemagate.ExitCode(err), err)
	}

	// The structural gate names the migration that creates what is missing.
	dev, cleanup, err := dialect.OpenDev(ctx, "sqlite", "")
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	want, err := apply.Replay(ctx, dev, d, 0)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := schema.DecodeSnapshot(schema.EncodeSnapshot(want))
	if err != nil {
		t.Fatal(err)
	}
	g := &apply.Gate{DB: db, Dir: d, Snapshot: snap, Mode: apply.ModeCompatible}
	err = g.Check(ctx)
	if schemagate.ExitCode(err) != 3 {
		t.Fatalf("gate: %v", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "table tenants is missing: migration 0003_add_tenants has not been applied") {
		t.Errorf("gate message: %s", msg)
	}

	if res, err = r.Apply(ctx, apply.Options{}); err != nil || len(res.Steps) != 1 {
		t.Fatalf("apply the rest: %+v, %v", res, err)
	}
	if err := g.Check(ctx); err != nil {
		t.Errorf("gate after apply: %v", err)
	}
	g.Mode = apply.ModeExact
	if err := g.Check(ctx); err != nil {
		t.Errorf("exact gate after apply: %v", err)
	}
	if res, err = r.Apply(ctx, apply.Options{}); err != nil || len(res.Steps) != 0 {
		t.Errorf("second apply did something: %+v, %v", res, err)
	}
}
