package schema

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/schemagate/schemagate"
)

// verdictCase is one change to the live schema and what Compatible must
// make of it: "fine", "warning", "missing" (a problem of something absent)
// or "contradiction" (any other problem).
type verdictCase struct {
	name   string
	change func(live *Schema)
	want   string
	kind   string // the difference kind reported, for warnings and problems
}

// checkVerdicts applies each change to a copy of the shop schema and checks
// Compatible(shop, changed).
func checkVerdicts(t *testing.T, cases []verdictCase) {
	t.Helper()
	required := shopSchema()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			live := clone(t, required)
			tc.change(live)
			r := Compatible(required, live)
			got := "fine"
			var found []Difference
			switch {
			case len(r.Problems) > 0:
				found = r.Problems
				got = "missing"
				if r.HasContradictions() {
					got = "contradiction"
				}
			case len(r.Warnings) > 0:
				found, got = r.Warnings, "warning"
			}
			if got != tc.want {
				t.Fatalf("verdict %s, want %s\nproblems: %v\nwarnings: %v", got, tc.want, r.Problems, r.Warnings)
			}
			if r.Compatible != (len(r.Problems) == 0) {
				t.Error("Compatible disagrees with Problems")
			}
			if tc.kind != "" && !slices.ContainsFunc(found, func(d Difference) bool { return d.Kind == tc.kind }) {
				t.Errorf("reported %v, want a %s", found, tc.kind)
			}
		})
	}
}

func orders(s *Schema) *Table    { return s.Table("orders") }
func customers(s *Schema) *Table { return s.Table("customers") }

func TestCompatibleIdentical(t *testing.T) {
	r := Compatible(shopSchema(), shuffled(t, shopSchema(), rand.New(rand.NewPCG(7, 7))))
	if !r.Compatible || len(r.Problems)+len(r.Warnings) != 0 {
		t.Errorf("identical schemas: %+v", r)
	}
	if r.Err() != nil {
		t.Errorf("Err = %v", r.Err())
	}
}

func TestCompatibleRule01Dialect(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"another dialect", func(s *Schema) { s.Dialect = "sqlite" }, "contradiction", DialectChanged},
	})
}

func TestCompatibleRule02Tables(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"required table missing", func(s *Schema) { s.Tables = s.Tables[1:] }, "missing", TableMissing},
		{"extra table", func(s *Schema) { s.Tables = append(s.Tables, &Table{Name: "audit"}) }, "fine", ""},
	})
}

func TestCompatibleRule03Columns(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"required column missing", func(s *Schema) { orders(s).Columns = orders(s).Columns[1:] }, "missing", ColumnMissing},
	})
}

func TestCompatibleRule04Types(t *testing.T) {
	setType := func(table func(*Schema) *Table, column, typ string) func(*Schema) {
		return func(s *Schema) { table(s).Column(column).Type = typ }
	}
	checkVerdicts(t, []verdictCase{
		{"numeric precision widened", setType(orders, "total", "numeric(14,2)"), "fine", ""},
		{"numeric scale changed", setType(orders, "total", "numeric(14,3)"), "contradiction", ColumnTypeChanged},
		{"numeric narrowed", setType(orders, "total", "numeric(10,2)"), "contradiction", ColumnTypeChanged},
		{"varchar widened", setType(customers, "email", "character varying(500)"), "fine", ""},
		{"varchar to text", setType(customers, "email", "text"), "fine", ""},
		{"varchar narrowed", setType(customers, "email", "character varying(100)"), "contradiction", ColumnTypeChanged},
		{"bigint to integer", setType(orders, "customer_id", "integer"), "contradiction", ColumnTypeChanged},
		{"text to integer", setType(customers, "name", "integer"), "contradiction", ColumnTypeChanged},
		{"array element widened", func(s *Schema) {
			s.Table("orders").Column("tags").Type = "character varying[]"
			// the required side is text[]; varchar without length is text
		}, "fine", ""},
		{"collation changed", func(s *Schema) { customers(s).Column("email").Collation = "" }, "warning", ColumnCollationChanged},
	})
}

func TestWidensSafely(t *testing.T) {
	for _, tc := range []struct {
		dialect, from, to string
		want              bool
	}{
		{"postgres", "integer", "integer", true},
		{"postgres", "smallint", "integer", true},
		{"postgres", "smallint", "bigint", true},
		{"postgres", "integer", "bigint", true},
		{"postgres", "bigint", "integer", false},
		{"postgres", "integer", "smallint", false},
		{"postgres", "real", "double precision", true},
		{"postgres", "double precision", "real", false},
		{"postgres", "character varying(10)", "character varying(20)", true},
		{"postgres", "character varying(20)", "character varying(10)", false},
		{"postgres", "character varying(20)", "character varying", true},
		{"postgres", "character varying(20)", "text", true},
		{"postgres", "character varying", "text", true},
		{"postgres", "text", "character varying", true},
		{"postgres", "text", "character varying(100)", false},
		{"postgres", "character(2)", "character(3)", false},
		{"postgres", "numeric(10,2)", "numeric(12,2)", true},
		{"postgres", "numeric(10,2)", "numeric", true},
		{"postgres", "numeric(10,2)", "numeric(12,3)", false},
		{"postgres", "numeric(10,2)", "numeric(8,2)", false},
		{"postgres", "numeric", "numeric(10,2)", false},
		{"postgres", "integer", "numeric", false},
		{"postgres", "timestamp(3) without time zone", "timestamp without time zone", true},
		{"postgres", "timestamp(3) with time zone", "timestamp(6) with time zone", true},
		{"postgres", "timestamp(6) with time zone", "timestamp(3) with time zone", false},
		{"postgres", "timestamp without time zone", "timestamp with time zone", false},
		{"postgres", "integer[]", "bigint[]", true},
		{"postgres", "bigint[]", "integer[]", false},
		{"postgres", "integer", "integer[]", false},
		{"postgres", "text", "order_status", false},
		{"mysql", "int", "bigint", true},
		{"mysql", "tinyint", "smallint", true},
		{"mysql", "varchar(10)", "varchar(20)", true},
		{"mysql", "decimal(10,2)", "decimal(12,2)", true},
		{"mysql", "float", "double", false},
		{"sqlite", "varchar(10)", "varchar(5)", true},
		{"sqlite", "int", "bigint", true},
		{"sqlite", "integer", "text", false},
		{"sqlite", "real", "double", true},
		{"sqlite", "blob", "", true},
		{"sqlite", "decimal(10,2)", "numeric", true},
	} {
		if got := WidensSafely(tc.dialect, tc.from, tc.to); got != tc.want {
			t.Errorf("WidensSafely(%s, %q, %q) = %v, want %v", tc.dialect, tc.from, tc.to, got, tc.want)
		}
	}
}

func TestCompatibleRule05Nullability(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"nullable column became NOT NULL", func(s *Schema) { customers(s).Column("name").Nullable = false }, "contradiction", ColumnNullabilityChanged},
		{"NOT NULL column became nullable", func(s *Schema) { orders(s).Column("total").Nullable = true }, "warning", ColumnNullabilityChanged},
	})
}

func TestCompatibleRule06UnknownColumns(t *testing.T) {
	add := func(c *Column) func(*Schema) {
		return func(s *Schema) { orders(s).Columns = append(orders(s).Columns, c) }
	}
	checkVerdicts(t, []verdictCase{
		{"new nullable column", add(&Column{Name: "note", Type: "text", Nullable: true}), "fine", ""},
		{"new NOT NULL column with default", add(&Column{Name: "currency", Type: "text", Default: "'EUR'::text"}), "fine", ""},
		{"new identity column", add(&Column{Name: "seq", Type: "bigint", Identity: IdentityAlways}), "fine", ""},
		{"new generated column", add(&Column{Name: "double_total", Type: "numeric", Generated: "total * 2"}), "fine", ""},
		{"new NOT NULL column without default", add(&Column{Name: "currency", Type: "text"}), "contradiction", ColumnExtra},
	})
}

func TestCompatibleRule07ValuesTheDatabaseFills(t *testing.T) {
	col := func(table func(*Schema) *Table, name string) func(*Schema) *Column {
		return func(s *Schema) *Column { return table(s).Column(name) }
	}
	createdAt, status := col(customers, "created_at"), col(orders, "status")
	id, totalCents, name := col(customers, "id"), col(orders, "total_cents"), col(customers, "name")
	checkVerdicts(t, []verdictCase{
		{"default dropped", func(s *Schema) { createdAt(s).Default = "" }, "contradiction", ColumnDefaultChanged},
		{"default changed", func(s *Schema) { status(s).Default = "'paid'::order_status" }, "warning", ColumnDefaultChanged},
		{"default replaced by identity", func(s *Schema) {
			c := col(orders, "id")(s)
			c.Default, c.Identity = "", IdentityByDefault
		}, "warning", ColumnDefaultChanged},
		{"default added", func(s *Schema) { name(s).Default = "''::text" }, "fine", ""},
		{"identity dropped", func(s *Schema) { id(s).Identity = "" }, "contradiction", ColumnIdentityChanged},
		{"identity always to by default", func(s *Schema) { id(s).Identity = IdentityByDefault }, "warning", ColumnIdentityChanged},
		{"became an identity GENERATED ALWAYS", func(s *Schema) {
			c := col(orders, "customer_id")(s)
			c.Identity = IdentityAlways
		}, "contradiction", ColumnIdentityChanged},
		{"became generated", func(s *Schema) { name(s).Generated = "'x'::text" }, "contradiction", ColumnGeneratedChanged},
		{"no longer generated", func(s *Schema) { totalCents(s).Generated = "" }, "contradiction", ColumnGeneratedChanged},
		{"generation expression changed", func(s *Schema) { totalCents(s).Generated = "total::bigint" }, "warning", ColumnGeneratedChanged},
	})
}

func TestCompatibleRule08PrimaryKey(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"primary key dropped", func(s *Schema) { orders(s).PrimaryKey = nil }, "missing", PrimaryKeyMissing},
		{"primary key on other columns", func(s *Schema) { orders(s).PrimaryKey.Columns = []string{"id", "status"} }, "contradiction", PrimaryKeyChanged},
		{"primary key renamed", func(s *Schema) { orders(s).PrimaryKey.Name = "orders_pk" }, "warning", PrimaryKeyChanged},
	})
	required := clone(t, shopSchema())
	orders(required).PrimaryKey = nil
	if r := Compatible(required, shopSchema()); !r.Compatible || len(r.Warnings) != 1 || r.Warnings[0].Kind != PrimaryKeyExtra {
		t.Errorf("extra primary key: %+v, want one warning", r)
	}
}

func TestCompatibleRule09Uniqueness(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"unique constraint dropped", func(s *Schema) { customers(s).Uniques = nil }, "missing", UniqueMissing},
		{"unique constraint changed", func(s *Schema) { orders(s).Uniques[0].Columns = []string{"status"} }, "contradiction", UniqueChanged},
		{"unique index dropped", func(s *Schema) { customers(s).Indexes = customers(s).Indexes[1:] }, "missing", IndexMissing},
		{"unique index changed", func(s *Schema) {
			customers(s).Index("customers_email_lower_idx").Predicate = "email IS NOT NULL"
		}, "contradiction", IndexChanged},
		{"extra unique constraint", func(s *Schema) {
			orders(s).Uniques = append(orders(s).Uniques, &Unique{Name: "orders_total_key", Columns: []string{"total"}})
		}, "warning", UniqueExtra},
		{"extra unique index", func(s *Schema) {
			orders(s).Indexes = append(orders(s).Indexes, &Index{Name: "orders_total_idx", Unique: true, Keys: []IndexKey{{Column: "total"}}})
		}, "warning", IndexExtra},
	})
}

func TestCompatibleRule10Indexes(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"index dropped", func(s *Schema) { orders(s).Indexes = orders(s).Indexes[1:] }, "warning", IndexMissing},
		{"index changed", func(s *Schema) { orders(s).Index("orders_tags_idx").Method = "gist" }, "warning", IndexChanged},
		{"index made unique", func(s *Schema) { orders(s).Index("orders_tags_idx").Unique = true }, "warning", IndexChanged},
		{"extra index", func(s *Schema) {
			orders(s).Indexes = append(orders(s).Indexes, &Index{Name: "orders_total_idx", Keys: []IndexKey{{Column: "total"}}})
		}, "fine", ""},
	})
}

func TestCompatibleRule11Checks(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"check dropped", func(s *Schema) { orders(s).Checks = nil }, "warning", CheckMissing},
		{"check changed", func(s *Schema) { orders(s).Checks[0].Expression = "total > 0::numeric" }, "warning", CheckChanged},
		{"extra check", func(s *Schema) {
			orders(s).Checks = append(orders(s).Checks, &Check{Name: "orders_x", Expression: "total < 1000::numeric"})
		}, "warning", CheckExtra},
	})
}

func TestCompatibleRule12ForeignKeys(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"cascading foreign key dropped", func(s *Schema) { orders(s).ForeignKeys = nil }, "missing", ForeignKeyMissing},
		{"cascade became no action", func(s *Schema) { orders(s).ForeignKeys[0].OnDelete = ActionNoAction }, "contradiction", ForeignKeyChanged},
		{"on update changed where release relies on none", func(s *Schema) { orders(s).ForeignKeys[0].OnUpdate = ActionRestrict }, "warning", ForeignKeyChanged},
		{"extra foreign key", func(s *Schema) {
			customers(s).ForeignKeys = append(customers(s).ForeignKeys, &ForeignKey{Name: "customers_self", Columns: []string{"id"},
				RefTable: "customers", RefColumns: []string{"id"}, OnDelete: ActionNoAction, OnUpdate: ActionNoAction})
		}, "warning", ForeignKeyExtra},
	})
	// A foreign key that only refuses changes is not relied upon.
	required := clone(t, shopSchema())
	orders(required).ForeignKeys[0].OnDelete = ActionRestrict
	live := clone(t, required)
	orders(live).ForeignKeys = nil
	if r := Compatible(required, live); !r.Compatible || len(r.Warnings) != 1 || r.Warnings[0].Kind != ForeignKeyMissing {
		t.Errorf("restricting foreign key dropped: %+v, want one warning", r)
	}
}

func TestCompatibleRule13Views(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"view dropped", func(s *Schema) { s.Views = s.Views[1:] }, "missing", ViewMissing},
		{"view changed", func(s *Schema) { s.View("open_orders").Definition = "SELECT 1 AS id" }, "warning", ViewChanged},
		{"extra view", func(s *Schema) { s.Views = append(s.Views, &View{Name: "v", Definition: "SELECT 1"}) }, "fine", ""},
	})
}

func TestCompatibleRule14Enums(t *testing.T) {
	values := func(vs ...string) func(*Schema) {
		return func(s *Schema) { s.Enum("order_status").Values = vs }
	}
	checkVerdicts(t, []verdictCase{
		{"enum dropped", func(s *Schema) { s.Enums = s.Enums[1:] }, "missing", EnumMissing},
		{"value missing", values("pending", "paid"), "missing", EnumValueMissing},
		{"value added at the end", values("pending", "paid", "shipped", "refunded"), "fine", ""},
		{"value added in between", values("pending", "authorized", "paid", "shipped"), "fine", ""},
		{"values reordered", values("paid", "pending", "shipped"), "warning", EnumValuesChanged},
		{"extra enum", func(s *Schema) { s.Enums = append(s.Enums, &Enum{Name: "mood", Values: []string{"ok"}}) }, "fine", ""},
	})
}

func TestCompatibleRule15Sequences(t *testing.T) {
	checkVerdicts(t, []verdictCase{
		{"sequence dropped", func(s *Schema) { s.Sequences = s.Sequences[1:] }, "missing", SequenceMissing},
		{"sequence changed", func(s *Schema) { s.Sequence("invoice_seq").Increment = 2 }, "warning", SequenceChanged},
		{"extra sequence", func(s *Schema) { s.Sequences = append(s.Sequences, &Sequence{Name: "s", Start: 1, Increment: 1}) }, "fine", ""},
	})
}

func TestCompatibleUnknownKindIsAProblem(t *testing.T) {
	var c compatibility
	if v, _ := c.judge(Difference{Kind: "something_new"}); v != problem {
		t.Error("a difference of unknown kind is not a problem")
	}
}

func TestReportErr(t *testing.T) {
	required := shopSchema()

	behind := clone(t, required)
	behind.Tables = behind.Tables[1:]
	err := Compatible(required, behind).Err()
	if schemagate.KindOf(err) != schemagate.KindBehind || schemagate.ReasonOf(err) != "schema_behind" || schemagate.ExitCode(err) != 3 {
		t.Errorf("missing table: %v (%s, %s), want behind, schema_behind", err, schemagate.KindOf(err), schemagate.ReasonOf(err))
	}

	both := clone(t, behind)
	orders(both).Column("total").Type = "text"
	err = Compatible(required, both).Err()
	if schemagate.KindOf(err) != schemagate.KindIntegrity || schemagate.ReasonOf(err) != "schema_incompatible" || schemagate.ExitCode(err) != 4 {
		t.Errorf("missing table and changed type: %v, want integrity, schema_incompatible", err)
	}
	if schemagate.HintOf(err) == "" {
		t.Error("no hint")
	}
}
