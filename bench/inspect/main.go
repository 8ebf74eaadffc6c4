// Command inspect compares schemagate's PostgreSQL introspection with
// Atlas's, side by side in one run, on the schema the performance target
// is stated for: 1,000 tables of 10 columns, each with a primary key, one
// secondary index and one foreign key.
//
// It lives in a module of its own so that schemagate itself never depends
// on Atlas. Run it from this directory:
//
//	go run . [-url postgres://postgres@127.0.0.1:5432/test?sslmode=disable] [-tables 1000] [-runs 9]
//
// It creates a throw-away database on the server, builds the schema, then
// alternates the two sides run by run (so background load hits both alike)
// and prints the median of each, their ratio, and the memory one
// schemagate snapshot takes.
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	atlas "ariga.io/atlas/sql/postgres"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/schemagate/schemagate/dialect/postgres"
	"github.com/schemagate/schemagate/internal/testdb"
	"github.com/schemagate/schemagate/schema"
)

func main() {
	serverURL := flag.String("url", envOr("SCHEMAGATE_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"),
		"URL of a PostgreSQL server database; a throw-away database is created beside it")
	tables := flag.Int("tables", 1000, "tables in the schema")
	runs := flag.Int("runs", 9, "timed runs of each side")
	flag.Parse()
	if err := run(*serverURL, *tables, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "inspect bench:", err)
		os.Exit(1)
	}
}

func run(serverURL string, tables, runs int) error {
	ctx := context.Background()
	dbURL, drop, err := createDatabase(ctx, serverURL)
	if err != nil {
		return err
	}
	defer drop()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()

	start := time.Now()
	if err := testdb.CreateBigSchema(ctx, db, tables); err != nil {
		return err
	}
	fmt.Printf("schema: %d tables x 10 columns, PK + 1 index + 1 FK each (created in %v)\n",
		tables, time.Since(start).Round(time.Millisecond))

	ours := func() error {
		s, err := postgres.Inspect(ctx, db, "public")
		if err != nil {
			return err
		}
		if len(s.Tables) != tables {
			return fmt.Errorf("schemagate inspected %d tables, want %d", len(s.Tables), tables)
		}
		_ = schema.EncodeSnapshot(s)
		return nil
	}
	theirs := func() error {
		drv, err := atlas.Open(db)
		if err != nil {
			return err
		}
		s, err := drv.InspectSchema(ctx, "public", nil)
		if err != nil {
			return err
		}
		if len(s.Tables) != tables {
			return fmt.Errorf("atlas inspected %d tables, want %d", len(s.Tables), tables)
		}
		return nil
	}
	snapshot, err := func() ([]byte, error) {
		s, err := postgres.Inspect(ctx, db, "public")
		if err != nil {
			return nil, err
		}
		return schema.EncodeSnapshot(s), nil
	}()
	if err != nil {
		return err
	}
	// verify --snapshot: read the snapshot, inspect, judge compatibility.
	check := func() error {
		snap, err := schema.DecodeSnapshot(snapshot)
		if err != nil {
			return err
		}
		live, err := postgres.Inspect(ctx, db, "public")
		if err != nil {
			return err
		}
		if r := schema.Compatible(snap.Schema, live); !r.Compatible {
			return fmt.Errorf("live schema incompatible with its own snapshot: %v", r.Problems)
		}
		return nil
	}

	// One warm-up each: connections, prepared statements, catalog caches.
	for _, f := range []func() error{ours, theirs, check} {
		if err := f(); err != nil {
			return err
		}
	}
	var oursT, theirsT, checkT []time.Duration
	for range runs {
		for _, m := range []struct {
			f   func() error
			out *[]time.Duration
		}{{ours, &oursT}, {theirs, &theirsT}, {check, &checkT}} {
			t0 := time.Now()
			if err := m.f(); err != nil {
				return err
			}
			*m.out = append(*m.out, time.Since(t0))
		}
	}

	allocated, retained, err := snapshotMemory(ctx, db)
	if err != nil {
		return err
	}
	mo, mt, mc := median(oursT), median(theirsT), median(checkT)
	fmt.Printf("runs: %d each, alternating\n", runs)
	fmt.Printf("schemagate Inspect+EncodeSnapshot  median %8.1f ms  (min %.1f, max %.1f)\n", ms(mo), ms(slices.Min(oursT)), ms(slices.Max(oursT)))
	fmt.Printf("atlas Open+InspectSchema           median %8.1f ms  (min %.1f, max %.1f)\n", ms(mt), ms(slices.Min(theirsT)), ms(slices.Max(theirsT)))
	fmt.Printf("ratio atlas/schemagate             %8.1fx\n", float64(mt)/float64(mo))
	fmt.Printf("verify path (Decode+Inspect+Compatible) p50 %.1f ms\n", ms(mc))
	fmt.Printf("schemagate memory per snapshot: %.1f MiB allocated (upper bound of peak heap), %.1f MiB retained model, snapshot file %.1f MiB\n",
		mib(allocated), mib(retained), mib(uint64(len(snapshot))))
	return nil
}

// snapshotMemory measures one Inspect+EncodeSnapshot with the collector
// off: every byte allocated is still on the heap at the end, so the growth
// of the heap bounds its peak from above. retained is what stays reachable
// (the model and the file).
func snapshotMemory(ctx context.Context, db *sql.DB) (allocated, retained uint64, err error) {
	var before, after, kept runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	old := debug.SetGCPercent(-1)
	s, err := postgres.Inspect(ctx, db, "public")
	if err != nil {
		debug.SetGCPercent(old)
		return 0, 0, err
	}
	file := schema.EncodeSnapshot(s)
	runtime.ReadMemStats(&after)
	debug.SetGCPercent(old)
	runtime.GC()
	runtime.ReadMemStats(&kept)
	runtime.KeepAlive(s)
	runtime.KeepAlive(file)
	return after.HeapAlloc - before.HeapAlloc, kept.HeapAlloc - before.HeapAlloc, nil
}

// createDatabase creates a database with a random name on the server and
// returns its URL and a function that drops it.
func createDatabase(ctx context.Context, serverURL string) (string, func(), error) {
	var b [4]byte
	_, _ = rand.Read(b[:])
	name := "sgt_bench_inspect_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", serverURL)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE "`+name+`"`); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS "`+name+`" WITH (FORCE)`); err != nil {
			fmt.Fprintf(os.Stderr, "drop database %s: %v\n", name, err)
		}
	}
	return u.String(), drop, nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
