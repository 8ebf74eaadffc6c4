// Command inspect compares schemagate's introspection with Atlas's, side by
// side in one run, on the schema the performance target is stated for:
// 1,000 tables of 10 columns, each with a primary key, one secondary index
// and one foreign key. It measures PostgreSQL (Atlas's sql/postgres) or
// MySQL/MariaDB (Atlas's sql/mysql).
//
// It lives in a module of its own so that schemagate itself never depends
// on Atlas. Run it from this directory:
//
//	go run . [-url postgres://postgres@127.0.0.1:5432/test?sslmode=disable] [-tables 1000] [-runs 9]
//	go run . -engine mysql [-url mysql://root@127.0.0.1:3306/test] [-tables 1000] [-runs 9]
//
// It creates a throw-away database on the server, builds the schema, then
// alternates the two sides run by run (so background load hits both alike)
// and prints the median of each, their ratio, and the memory one
// schemagate snapshot takes.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	atlasschema "ariga.io/atlas/sql/schema"
	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/schemagate/schemagate/schema"
)

func main() {
	engineName := flag.String("engine", "postgres", "postgres or mysql (MySQL and MariaDB)")
	serverURL := flag.String("url", "", "URL of a server database; a throw-away database is created beside it "+
		"(default $SCHEMAGATE_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test?sslmode=disable, "+
		"with -engine mysql $SCHEMAGATE_TEST_MYSQL_URL or mysql://root@127.0.0.1:3306/test)")
	tables := flag.Int("tables", 1000, "tables in the schema")
	runs := flag.Int("runs", 9, "timed runs of each side")
	flag.Parse()
	var e engine
	switch *engineName {
	case "postgres":
		e = postgresEngine()
	case "mysql", "mariadb":
		e = mysqlEngine()
	default:
		fmt.Fprintf(os.Stderr, "inspect bench: -engine %s: want postgres or mysql\n", *engineName)
		os.Exit(2)
	}
	if *serverURL == "" {
		*serverURL = e.defaultURL
	}
	if err := run(e, *serverURL, *tables, *runs); err != nil {
		fmt.Fprintln(os.Stderr, "inspect bench:", err)
		os.Exit(1)
	}
}

// engine is what the benchmark needs of one database engine.
type engine struct {
	defaultURL string
	// open opens a database URL of the engine.
	open func(url string) (*sql.DB, error)
	// createDatabase creates a database with a random name on the server
	// and returns its URL, its name and a function that drops it.
	createDatabase func(ctx context.Context, serverURL string) (url, name string, drop func(), err error)
	createSchema   func(ctx context.Context, db *sql.DB, tables int) error
	// inspect is schemagate's introspection of the database.
	inspect func(ctx context.Context, db *sql.DB, name string) (*schema.Schema, error)
	// atlas opens Atlas's driver on db.
	atlas func(db *sql.DB) (atlasschema.Inspector, error)
	// atlasSchema is the schema name Atlas inspects.
	atlasSchema func(name string) string
	// describe, if set, says which server the run measures.
	describe func(ctx context.Context, db *sql.DB) (string, error)
}

func run(e engine, serverURL string, tables, runs int) error {
	ctx := context.Background()
	dbURL, name, drop, err := e.createDatabase(ctx, serverURL)
	if err != nil {
		return err
	}
	defer drop()
	db, err := e.open(dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if e.describe != nil {
		desc, err := e.describe(ctx, db)
		if err != nil {
			return err
		}
		fmt.Println(desc)
	}

	start := time.Now()
	if err := e.createSchema(ctx, db, tables); err != nil {
		return err
	}
	fmt.Printf("schema: %d tables x 10 columns, PK + 1 index + 1 FK each (created in %v)\n",
		tables, time.Since(start).Round(time.Millisecond))

	ours := func() error {
		s, err := e.inspect(ctx, db, name)
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
		drv, err := e.atlas(db)
		if err != nil {
			return err
		}
		s, err := drv.InspectSchema(ctx, e.atlasSchema(name), nil)
		if err != nil {
			return err
		}
		if len(s.Tables) != tables {
			return fmt.Errorf("atlas inspected %d tables, want %d", len(s.Tables), tables)
		}
		return nil
	}
	snapshot, err := func() ([]byte, error) {
		s, err := e.inspect(ctx, db, name)
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
		live, err := e.inspect(ctx, db, name)
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

	allocated, retained, err := snapshotMemory(ctx, e, db, name)
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
func snapshotMemory(ctx context.Context, e engine, db *sql.DB, name string) (allocated, retained uint64, err error) {
	var before, after, kept runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	old := debug.SetGCPercent(-1)
	s, err := e.inspect(ctx, db, name)
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
