package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/schemagate/schemagate"
)

func TestSnapshotIgnoresOrder(t *testing.T) {
	base := shopSchema()
	want := EncodeSnapshot(base)
	for seed := range uint64(20) {
		s := shuffled(t, base, rand.New(rand.NewPCG(seed, seed)))
		if got := EncodeSnapshot(s); !bytes.Equal(got, want) {
			t.Fatalf("seed %d: snapshot depends on order:\n%s\nwant\n%s", seed, got, want)
		}
		if s.Fingerprint() != base.Fingerprint() {
			t.Fatalf("seed %d: fingerprint depends on order", seed)
		}
	}
}

func TestFingerprintIgnoresNamespaceName(t *testing.T) {
	a, b := shopSchema(), shopSchema()
	b.Name = "app"
	if a.Fingerprint() != b.Fingerprint() || !bytes.Equal(EncodeSnapshot(a), EncodeSnapshot(b)) {
		t.Error("the namespace name changed the fingerprint")
	}
	if d := Diff(a, b); len(d) != 0 {
		t.Errorf("Diff = %v, want none", d)
	}
}

// TestFingerprintCatchesEveryChange mutates one listed property at a time:
// each mutation must change the fingerprint and be reported by Diff with
// the expected kind.
func TestFingerprintCatchesEveryChange(t *testing.T) {
	orders := func(s *Schema) *Table { return s.Table("orders") }
	customers := func(s *Schema) *Table { return s.Table("customers") }
	mutations := []struct {
		name   string
		mutate func(s *Schema)
		kind   string
	}{
		{"dialect", func(s *Schema) { s.Dialect = "sqlite" }, DialectChanged},
		{"table added", func(s *Schema) { s.Tables = append(s.Tables, &Table{Name: "audit"}) }, TableExtra},
		{"table dropped", func(s *Schema) { s.Tables = s.Tables[:1] }, TableMissing},
		{"table renamed", func(s *Schema) { customers(s).Name = "clients" }, TableMissing},
		{"column added", func(s *Schema) {
			orders(s).Columns = append(orders(s).Columns, &Column{Name: "note", Type: "text", Nullable: true})
		}, ColumnExtra},
		{"column dropped", func(s *Schema) { orders(s).Columns = orders(s).Columns[1:] }, ColumnMissing},
		{"column renamed", func(s *Schema) { orders(s).Column("total").Name = "amount" }, ColumnMissing},
		{"column type", func(s *Schema) { orders(s).Column("total").Type = "numeric(14,2)" }, ColumnTypeChanged},
		{"column collation", func(s *Schema) { customers(s).Column("email").Collation = "" }, ColumnCollationChanged},
		{"column nullability", func(s *Schema) { orders(s).Column("total").Nullable = true }, ColumnNullabilityChanged},
		{"column default", func(s *Schema) { orders(s).Column("status").Default = "'paid'::order_status" }, ColumnDefaultChanged},
		{"column default dropped", func(s *Schema) { customers(s).Column("created_at").Default = "" }, ColumnDefaultChanged},
		{"column identity", func(s *Schema) { customers(s).Column("id").Identity = IdentityByDefault }, ColumnIdentityChanged},
		{"column generated", func(s *Schema) { orders(s).Column("total_cents").Generated = "total::bigint" }, ColumnGeneratedChanged},
		{"column virtual", func(s *Schema) { orders(s).Column("total_cents").Virtual = true }, ColumnGeneratedChanged},
		{"primary key columns", func(s *Schema) { orders(s).PrimaryKey.Columns = []string{"id", "status"} }, PrimaryKeyChanged},
		{"primary key name", func(s *Schema) { orders(s).PrimaryKey.Name = "orders_pk" }, PrimaryKeyChanged},
		{"primary key dropped", func(s *Schema) { orders(s).PrimaryKey = nil }, PrimaryKeyMissing},
		{"index added", func(s *Schema) {
			orders(s).Indexes = append(orders(s).Indexes, &Index{Name: "orders_total_idx", Keys: []IndexKey{{Column: "total"}}})
		}, IndexExtra},
		{"index dropped", func(s *Schema) { orders(s).Indexes = orders(s).Indexes[1:] }, IndexMissing},
		{"index unique", func(s *Schema) { orders(s).Index("orders_tags_idx").Unique = true }, IndexChanged},
		{"index nulls not distinct", func(s *Schema) { customers(s).Index("customers_email_lower_idx").NullsNotDistinct = true }, IndexChanged},
		{"index method", func(s *Schema) { orders(s).Index("orders_tags_idx").Method = "gist" }, IndexChanged},
		{"index key column", func(s *Schema) { orders(s).Index("orders_status_idx").Keys[1].Column = "total" }, IndexChanged},
		{"index key order", func(s *Schema) {
			k := orders(s).Index("orders_status_idx").Keys
			k[0], k[1] = k[1], k[0]
		}, IndexChanged},
		{"index expression", func(s *Schema) {
			customers(s).Index("customers_email_lower_idx").Keys[0].Expression = "upper(email::text)"
		}, IndexChanged},
		{"index key descending", func(s *Schema) { orders(s).Index("orders_status_idx").Keys[0].Descending = true }, IndexChanged},
		{"index key nulls", func(s *Schema) { orders(s).Index("orders_status_idx").Keys[1].Nulls = "" }, IndexChanged},
		{"index key collation", func(s *Schema) { orders(s).Index("orders_status_idx").Keys[0].Collation = "C" }, IndexChanged},
		{"index key opclass", func(s *Schema) { orders(s).Index("orders_tags_idx").Keys[0].OpClass = "" }, IndexChanged},
		{"index include", func(s *Schema) { customers(s).Index("customers_created_idx").Include = nil }, IndexChanged},
		{"index predicate", func(s *Schema) { customers(s).Index("customers_created_idx").Predicate = "" }, IndexChanged},
		{"unique added", func(s *Schema) {
			orders(s).Uniques = append(orders(s).Uniques, &Unique{Name: "orders_total_key", Columns: []string{"total"}})
		}, UniqueExtra},
		{"unique dropped", func(s *Schema) { orders(s).Uniques = nil }, UniqueMissing},
		{"unique columns", func(s *Schema) { orders(s).Uniques[0].Columns = []string{"customer_id"} }, UniqueChanged},
		{"unique nulls not distinct", func(s *Schema) { orders(s).Uniques[0].NullsNotDistinct = false }, UniqueChanged},
		{"check added", func(s *Schema) {
			orders(s).Checks = append(orders(s).Checks, &Check{Name: "orders_x", Expression: "true"})
		}, CheckExtra},
		{"check dropped", func(s *Schema) { orders(s).Checks = nil }, CheckMissing},
		{"check expression", func(s *Schema) { orders(s).Checks[0].Expression = "total > 0::numeric" }, CheckChanged},
		{"foreign key added", func(s *Schema) {
			customers(s).ForeignKeys = append(customers(s).ForeignKeys, &ForeignKey{Name: "customers_self", Columns: []string{"id"},
				RefTable: "customers", RefColumns: []string{"id"}, OnDelete: ActionNoAction, OnUpdate: ActionNoAction})
		}, ForeignKeyExtra},
		{"foreign key dropped", func(s *Schema) { orders(s).ForeignKeys = nil }, ForeignKeyMissing},
		{"foreign key columns", func(s *Schema) { orders(s).ForeignKeys[0].Columns = []string{"id"} }, ForeignKeyChanged},
		{"foreign key ref table", func(s *Schema) { orders(s).ForeignKeys[0].RefTable = "other.customers" }, ForeignKeyChanged},
		{"foreign key ref columns", func(s *Schema) { orders(s).ForeignKeys[0].RefColumns = []string{"email"} }, ForeignKeyChanged},
		{"foreign key on delete", func(s *Schema) { orders(s).ForeignKeys[0].OnDelete = ActionSetNull }, ForeignKeyChanged},
		{"foreign key on update", func(s *Schema) { orders(s).ForeignKeys[0].OnUpdate = ActionCascade }, ForeignKeyChanged},
		{"view added", func(s *Schema) { s.Views = append(s.Views, &View{Name: "v2", Definition: "SELECT 1"}) }, ViewExtra},
		{"view dropped", func(s *Schema) { s.Views = s.Views[1:] }, ViewMissing},
		{"view definition", func(s *Schema) { s.View("open_orders").Definition = "SELECT id FROM orders" }, ViewChanged},
		{"view materialized", func(s *Schema) { s.View("open_orders").Materialized = true }, ViewChanged},
		{"enum added", func(s *Schema) { s.Enums = append(s.Enums, &Enum{Name: "mood", Values: []string{"ok"}}) }, EnumExtra},
		{"enum dropped", func(s *Schema) { s.Enums = s.Enums[1:] }, EnumMissing},
		{"enum value added", func(s *Schema) {
			e := s.Enum("order_status")
			e.Values = append(e.Values, "refunded")
		}, EnumValuesChanged},
		{"enum value order", func(s *Schema) {
			v := s.Enum("order_status").Values
			v[0], v[1] = v[1], v[0]
		}, EnumValuesChanged},
		{"sequence added", func(s *Schema) { s.Sequences = append(s.Sequences, &Sequence{Name: "s2", Start: 1, Increment: 1}) }, SequenceExtra},
		{"sequence dropped", func(s *Schema) { s.Sequences = s.Sequences[1:] }, SequenceMissing},
		{"sequence type", func(s *Schema) { s.Sequence("invoice_seq").Type = "bigint" }, SequenceChanged},
		{"sequence start", func(s *Schema) { s.Sequence("invoice_seq").Start = 1 }, SequenceChanged},
		{"sequence increment", func(s *Schema) { s.Sequence("invoice_seq").Increment = 10 }, SequenceChanged},
		{"sequence min", func(s *Schema) { s.Sequence("invoice_seq").Min = 0 }, SequenceChanged},
		{"sequence max", func(s *Schema) { s.Sequence("invoice_seq").Max = 9999 }, SequenceChanged},
		{"sequence cycle", func(s *Schema) { s.Sequence("invoice_seq").Cycle = true }, SequenceChanged},
		{"sequence owner", func(s *Schema) { s.Sequence("invoice_seq").OwnedBy = "orders.id" }, SequenceChanged},
	}
	base := shopSchema()
	fp := base.Fingerprint()
	seen := map[string]bool{}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			s := clone(t, base)
			m.mutate(s)
			if s.Fingerprint() == fp {
				t.Errorf("fingerprint did not change")
			}
			diffs := Diff(base, s)
			if !slices.ContainsFunc(diffs, func(d Difference) bool { return d.Kind == m.kind }) {
				t.Errorf("Diff = %v, want a %s", diffs, m.kind)
			}
			for _, d := range diffs {
				if d.Message == "" {
					t.Errorf("%s has no message", d.Kind)
				}
			}
			// Decoding the snapshot gives back the same schema.
			snap, err := DecodeSnapshot(EncodeSnapshot(s))
			if err != nil {
				t.Fatal(err)
			}
			if snap.Schema.Fingerprint() != s.Fingerprint() {
				t.Error("fingerprint changed through encode and decode")
			}
		})
		seen[m.kind] = true
	}
	// Every kind Diff can report is exercised above.
	for _, kind := range []string{DialectChanged, TableMissing, TableExtra, ColumnMissing, ColumnExtra,
		ColumnTypeChanged, ColumnCollationChanged, ColumnNullabilityChanged, ColumnDefaultChanged,
		ColumnIdentityChanged, ColumnGeneratedChanged, PrimaryKeyChanged, PrimaryKeyMissing, IndexMissing,
		IndexExtra, IndexChanged, UniqueMissing, UniqueExtra, UniqueChanged, CheckMissing, CheckExtra,
		CheckChanged, ForeignKeyMissing, ForeignKeyExtra, ForeignKeyChanged, ViewMissing, ViewExtra,
		ViewChanged, EnumMissing, EnumExtra, EnumValuesChanged, SequenceMissing, SequenceExtra, SequenceChanged} {
		if !seen[kind] {
			t.Errorf("no mutation produces %s", kind)
		}
	}
}

func TestEncodeSnapshotLayout(t *testing.T) {
	data := EncodeSnapshot(shopSchema())
	if !bytes.HasSuffix(data, []byte("}\n")) {
		t.Error("no trailing newline")
	}
	if !json.Valid(data) {
		t.Fatalf("not valid JSON:\n%s", data)
	}
	for _, line := range []string{
		`  "format_version": 1,`,
		`  "fingerprint": "` + shopSchema().Fingerprint() + `",`,
		`          {"name": "email", "type": "character varying(320)", "collation": "C", "nullable": false},`,
		`        "values": ["pending", "paid", "shipped"]`,
		`            "columns": ["customer_id", "status"],`,
	} {
		if !strings.Contains(string(data), "\n"+line+"\n") {
			t.Errorf("snapshot lacks the line %q:\n%s", line, data)
		}
	}
	// No HTML escaping: expressions keep their operators readable.
	if strings.Contains(string(data), `\u003e`) || !strings.Contains(string(data), "total >= 0") {
		t.Error("expressions are HTML-escaped")
	}
}

func TestLayoutJSONMatchesCompact(t *testing.T) {
	for _, src := range []string{
		`{}`, `[]`, `{"a":[]}`, `{"a":{"b":[1,2,{"c":"x,y:{z}"}]},"d":"q\"}"}`, `[[1],[2,[3]]]`, `"s"`, `12`,
	} {
		out := layoutJSON(nil, []byte(src), 0)
		var a, b any
		if err := json.Unmarshal([]byte(src), &a); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("layout of %s is not JSON: %s", src, out)
		}
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if !bytes.Equal(ja, jb) {
			t.Errorf("layout of %s = %s, another value", src, out)
		}
	}
}

func TestDecodeSnapshotRoundTrip(t *testing.T) {
	s := shopSchema()
	data := EncodeSnapshot(s)
	snap, err := DecodeSnapshot(data)
	if err != nil {
		t.Fatal(err)
	}
	if snap.FormatVersion != FormatVersion || snap.Dialect != "postgres" || snap.Fingerprint != s.Fingerprint() {
		t.Errorf("header = %d %s %s", snap.FormatVersion, snap.Dialect, snap.Fingerprint)
	}
	if again := EncodeSnapshot(snap.Schema); !bytes.Equal(again, data) {
		t.Errorf("re-encoding a decoded snapshot changed it:\n%s", again)
	}
	if err := snap.CheckDialect("postgres"); err != nil {
		t.Errorf("CheckDialect(postgres) = %v", err)
	}
}

func TestDecodeSnapshotRejects(t *testing.T) {
	good := string(EncodeSnapshot(shopSchema()))
	for _, tc := range []struct {
		name   string
		data   string
		kind   schemagate.Kind
		reason string
	}{
		{"future format", strings.Replace(good, `"format_version": 1`, `"format_version": 2`, 1), schemagate.KindUsage, "snapshot_format"},
		{"past format", strings.Replace(good, `"format_version": 1`, `"format_version": 0`, 1), schemagate.KindUsage, "snapshot_format"},
		{"no format", `{"dialect": "postgres", "schema": {"dialect": "postgres"}}`, schemagate.KindUsage, "snapshot_malformed"},
		{"malformed JSON", good[:len(good)/2], schemagate.KindUsage, "snapshot_malformed"},
		{"not JSON", "CREATE TABLE users (id int);", schemagate.KindUsage, "snapshot_malformed"},
		{"empty", "", schemagate.KindUsage, "snapshot_malformed"},
		{"unknown field", strings.Replace(good, `"dialect": "postgres",`, `"dialect": "postgres", "extra": 1,`, 1), schemagate.KindUsage, "snapshot_malformed"},
		{"trailing data", good + "{}", schemagate.KindUsage, "snapshot_malformed"},
		{"no schema", `{"format_version": 1, "dialect": "postgres", "fingerprint": ""}`, schemagate.KindUsage, "snapshot_malformed"},
		{"null table", strings.Replace(good, `"tables": [`, `"tables": [null, `, 1), schemagate.KindUsage, "snapshot_malformed"},
		{"edited type", strings.Replace(good, `"type": "numeric(12,2)"`, `"type": "numeric(14,2)"`, 1), schemagate.KindIntegrity, "snapshot_corrupt"},
		{"edited fingerprint", strings.Replace(good, `"fingerprint": "sha256:`, `"fingerprint": "sha256:0`, 1), schemagate.KindIntegrity, "snapshot_corrupt"},
		{"dialects disagree", strings.Replace(good, `"dialect": "postgres",`, `"dialect": "sqlite",`, 1), schemagate.KindIntegrity, "snapshot_corrupt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.data == good {
				t.Fatal("the test case did not change the snapshot")
			}
			_, err := DecodeSnapshot([]byte(tc.data))
			var e *schemagate.Error
			if !errors.As(err, &e) {
				t.Fatalf("DecodeSnapshot = %v, want a *schemagate.Error", err)
			}
			if e.Kind != tc.kind || e.Reason != tc.reason {
				t.Errorf("DecodeSnapshot = %v (%s, %s), want %s, %s", err, e.Kind, e.Reason, tc.kind, tc.reason)
			}
			if e.Hint == "" {
				t.Error("no hint")
			}
		})
	}
}

func TestSnapshotCheckDialect(t *testing.T) {
	snap, err := DecodeSnapshot(EncodeSnapshot(shopSchema()))
	if err != nil {
		t.Fatal(err)
	}
	err = snap.CheckDialect("sqlite")
	if schemagate.KindOf(err) != schemagate.KindUsage || schemagate.ReasonOf(err) != "snapshot_dialect" {
		t.Fatalf("CheckDialect(sqlite) = %v, want usage error snapshot_dialect", err)
	}
	if !strings.Contains(err.Error(), "postgres") || !strings.Contains(err.Error(), "sqlite") {
		t.Errorf("message %q does not name both dialects", err)
	}
	if schemagate.ExitCode(err) != 2 {
		t.Errorf("exit code %d, want 2", schemagate.ExitCode(err))
	}
}
