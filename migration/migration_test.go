package migration

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/schemagate/schemagate"
)

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, content := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(content)}
	}
	return fsys
}

// hashed returns files plus the schemagate.sum that `hash` would write.
func hashed(t *testing.T, files map[string]string) fstest.MapFS {
	t.Helper()
	fsys := mapFS(files)
	dir, err := Read(fsys)
	if err != nil {
		t.Fatal(err)
	}
	fsys[SumFile] = &fstest.MapFile{Data: dir.ComputeSum().Encode()}
	return fsys
}

func TestLoadOrdersMigrationsAndPairsDownFiles(t *testing.T) {
	fsys := hashed(t, map[string]string{
		"10_later.up.sql":        "SELECT 10;",
		"0002_b.up.sql":          "SELECT 2;",
		"0002_b.down.sql":        "SELECT -2;",
		"0001_a.up.sql":          "-- schemagate:no-transaction\nSELECT 1;",
		"README.md":              "ignored",
		"0001_a.up.sql.approval": "ignored too",
	})
	dir, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range dir.Migrations {
		got = append(got, m.ID())
	}
	if strings.Join(got, ",") != "0001_a,0002_b,10_later" {
		t.Errorf("order = %v", got)
	}
	if !dir.Migrations[0].UpDirectives.NoTransaction {
		t.Error("0001_a's no-transaction directive was not read")
	}
	if b := dir.Find(2); b == nil || !b.HasDown() || b.Down != "SELECT -2;" {
		t.Errorf("0002_b's down file was not paired: %+v", b)
	}
	if dir.Latest() != 10 || dir.Find(3) != nil {
		t.Errorf("Latest = %d, Find(3) = %v", dir.Latest(), dir.Find(3))
	}
}

func TestChecksumIgnoresLineEndings(t *testing.T) {
	if FileChecksum([]byte("SELECT 1;\r\nSELECT 2;\r\n")) != FileChecksum([]byte("SELECT 1;\nSELECT 2;\n")) {
		t.Error("a CRLF checkout changes the checksum")
	}
	if FileChecksum([]byte("SELECT 1;")) == FileChecksum([]byte("SELECT 2;")) {
		t.Error("different content, same checksum")
	}
}

func TestSumDetectsEveryKindOfChange(t *testing.T) {
	base := map[string]string{"0001_a.up.sql": "SELECT 1;", "0002_b.up.sql": "SELECT 2;"}
	cases := []struct {
		name   string
		mutate func(fstest.MapFS)
		want   string
	}{
		{"edited", func(f fstest.MapFS) { f["0002_b.up.sql"] = &fstest.MapFile{Data: []byte("SELECT 3;")} },
			"0002_b.up.sql: content changed"},
		{"added", func(f fstest.MapFS) { f["0003_c.up.sql"] = &fstest.MapFile{Data: []byte("SELECT 3;")} },
			"0003_c.up.sql: added"},
		{"removed", func(f fstest.MapFS) { delete(f, "0002_b.up.sql") },
			"0002_b.up.sql: listed in schemagate.sum but missing"},
		{"total line edited", func(f fstest.MapFS) {
			data := string(f[SumFile].Data)
			f[SumFile] = &fstest.MapFile{Data: []byte(strings.Replace(data, "sha256:", "sha256:0", 1))}
		}, "its first line does not match"},
		{"sum missing", func(f fstest.MapFS) { delete(f, SumFile) }, "schemagate.sum is missing"},
		{"merge conflict", func(f fstest.MapFS) {
			f[SumFile] = &fstest.MapFile{Data: []byte("<<<<<<< HEAD\n" + string(f[SumFile].Data))}
		}, "line 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fsys := hashed(t, base)
			if _, err := Load(fsys); err != nil {
				t.Fatalf("unchanged directory: %v", err)
			}
			tc.mutate(fsys)
			_, err := Load(fsys)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
			if schemagate.KindOf(err) != schemagate.KindIntegrity {
				t.Errorf("kind = %v, want integrity (exit 4)", schemagate.KindOf(err))
			}
		})
	}
}

func TestInvalidDirectoriesAreUsageErrors(t *testing.T) {
	cases := map[string]struct {
		files map[string]string
		want  string
	}{
		"duplicate version":   {map[string]string{"1_a.up.sql": "SELECT 1;", "001_b.up.sql": "SELECT 1;"}, "duplicate version 1"},
		"duplicate down":      {map[string]string{"1_a.up.sql": "SELECT 1;", "1_a.down.sql": "SELECT 1;", "01_a.down.sql": "SELECT 1;"}, "duplicate version 1"},
		"bad name":            {map[string]string{"init.sql": "SELECT 1;"}, "init.sql: file name does not follow"},
		"no version":          {map[string]string{"_a.up.sql": "SELECT 1;"}, "file name does not follow"},
		"too large":           {map[string]string{"99999999999999999999_a.up.sql": "SELECT 1;"}, "fits in 64 bits"},
		"empty":               {map[string]string{"1_a.up.sql": "  \n/* todo */\n-- later\n"}, "holds no SQL statement"},
		"orphan down":         {map[string]string{"1_a.down.sql": "SELECT 1;"}, "down file without an up file"},
		"down name differs":   {map[string]string{"1_a.up.sql": "SELECT 1;", "1_b.down.sql": "SELECT 1;"}, "differs from its up file"},
		"unknown directive":   {map[string]string{"1_a.up.sql": "-- schemagate:notx\nSELECT 1;"}, "unknown directive schemagate:notx"},
		"late no-transaction": {map[string]string{"1_a.up.sql": "SELECT 1;\n-- schemagate:no-transaction\n"}, "must stand in the file's leading comments"},
		"bad lock timeout":    {map[string]string{"1_a.up.sql": "-- schemagate:lock-timeout soon\nSELECT 1;"}, "positive duration"},
		"ignore w/o reason":   {map[string]string{"1_a.up.sql": "-- schemagate:ignore drop-column\nSELECT 1;"}, "needs a rule and the reason"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Read(mapFS(tc.files))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
			if schemagate.KindOf(err) != schemagate.KindUsage {
				t.Errorf("kind = %v, want usage (exit 2)", schemagate.KindOf(err))
			}
		})
	}
}

func TestDirectives(t *testing.T) {
	d, err := ParseDirectives("-- a migration\n-- schemagate:no-transaction\n--schemagate:lock-timeout 5s\n\nDROP INDEX x; -- schemagate:ignore drop-index the index is unused since 2024\n")
	if err != nil {
		t.Fatal(err)
	}
	if !d.NoTransaction || d.LockTimeout != 5*time.Second {
		t.Errorf("header directives not read: %+v", d)
	}
	if len(d.Ignores) != 1 || d.Ignores[0] != (Ignore{Rule: "drop-index", Reason: "the index is unused since 2024", Line: 5}) {
		t.Errorf("ignores = %+v", d.Ignores)
	}
}
