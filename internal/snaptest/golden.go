// Package snaptest runs the golden snapshot corpus of an engine: for each
// CORPUS/NAME.sql, a fresh database holding the file's statements is
// inspected and its snapshot compared with CORPUS/NAME.golden.json.
package snaptest

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/schemagate/schemagate/schema"
)

// update is -update: rewrite the golden files with what the engine reads.
var update = flag.Bool("update", false, "rewrite golden files")

// Update reports whether -update was given.
func Update() bool { return *update }

// Golden runs one parallel subtest per corpus file. load creates a fresh
// database with the given statements and returns the schema inspected from
// it. Besides the byte comparison, the golden file must decode as a valid
// snapshot of the same schema.
func Golden(t *testing.T, corpus string, load func(t *testing.T, sqlText string) *schema.Schema) {
	files, err := filepath.Glob(filepath.Join(corpus, "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in %s: %v", corpus, err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".sql")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			live := load(t, string(src))
			got := schema.EncodeSnapshot(live)
			golden := filepath.Join(corpus, name+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("snapshot of %s differs from %s (run with -update to accept):\n%s", file, golden, got)
			}
			snap, err := schema.DecodeSnapshot(want)
			if err != nil {
				t.Fatalf("DecodeSnapshot(golden): %v", err)
			}
			if d := schema.Diff(snap.Schema, live); len(d) != 0 {
				t.Errorf("Diff(golden, live) = %v, want none", d)
			}
		})
	}
}

// SameForEveryOrder builds one schema once per seed, each time from
// script(seed), which creates the same objects in another order, and
// requires byte-identical snapshots: creation order is not part of a
// schema.
func SameForEveryOrder(t *testing.T, seeds int, script func(seed uint64) string, load func(t *testing.T, sqlText string) *schema.Schema) {
	t.Helper()
	var first []byte
	for seed := range uint64(seeds) {
		sqlText := script(seed)
		got := schema.EncodeSnapshot(load(t, sqlText))
		if first == nil {
			first = got
			continue
		}
		if !bytes.Equal(got, first) {
			t.Fatalf("seed %d gives another snapshot:\n%s\nscript:\n%s", seed, got, sqlText)
		}
	}
}
