package schema

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestDiffDirectionAndOrder(t *testing.T) {
	want := &Schema{Dialect: "postgres", Tables: []*Table{
		{Name: "b", Columns: []*Column{{Name: "x", Type: "integer"}, {Name: "y", Type: "text"}}},
		{Name: "a"},
	}, Enums: []*Enum{{Name: "e", Values: []string{"1"}}}}
	got := &Schema{Dialect: "postgres", Tables: []*Table{
		{Name: "c"},
		{Name: "b", Columns: []*Column{{Name: "z", Type: "integer", Nullable: true}, {Name: "x", Type: "bigint"}}},
	}, Views: []*View{{Name: "v", Definition: "SELECT 1"}}}

	var kinds []string
	for _, d := range Diff(want, got) {
		kinds = append(kinds, d.Kind+" "+d.Table+d.Object+"."+d.Column)
	}
	wantKinds := []string{
		"enum_missing e.",
		"table_missing a.",
		"column_type_changed b.x",
		"column_missing b.y",
		"column_extra b.z",
		"table_extra c.",
		"view_extra v.",
	}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("Diff =\n%q\nwant\n%q", kinds, wantKinds)
	}

	// Shuffled input gives the same differences in the same order.
	r := rand.New(rand.NewPCG(1, 2))
	for range 10 {
		if a, b := Diff(want, got), Diff(shuffled(t, want, r), shuffled(t, got, r)); !reflect.DeepEqual(a, b) {
			t.Fatalf("Diff depends on input order:\n%v\n%v", a, b)
		}
	}
}

func TestDiffNilIsEmpty(t *testing.T) {
	if d := Diff(nil, nil); len(d) != 0 {
		t.Errorf("Diff(nil, nil) = %v", d)
	}
	s := &Schema{Tables: []*Table{{Name: "t"}}}
	if d := Diff(s, nil); len(d) != 1 || d[0].Kind != TableMissing || !d[0].Missing() {
		t.Errorf("Diff(s, nil) = %v", d)
	}
	if d := Diff(nil, s); len(d) != 1 || d[0].Kind != TableExtra || d[0].Missing() {
		t.Errorf("Diff(nil, s) = %v", d)
	}
}

func TestDiffColumnDetails(t *testing.T) {
	want := &Schema{Tables: []*Table{{Name: "t", Columns: []*Column{{Name: "c", Type: "character varying(10)", Default: "'x'::character varying"}}}}}
	got := &Schema{Tables: []*Table{{Name: "t", Columns: []*Column{{Name: "c", Type: "text", Nullable: true}}}}}
	d := Diff(want, got)
	if len(d) != 3 {
		t.Fatalf("Diff = %v", d)
	}
	if d[0] != (Difference{Kind: ColumnTypeChanged, Table: "t", Column: "c", Want: "character varying(10)", Got: "text",
		Message: "column t.c has type text, want character varying(10)"}) {
		t.Errorf("type difference = %+v", d[0])
	}
	if d[1].Kind != ColumnNullabilityChanged || d[1].Want != "NOT NULL" || d[1].Got != "NULL" {
		t.Errorf("nullability difference = %+v", d[1])
	}
	if d[2].Kind != ColumnDefaultChanged || d[2].Message != "column t.c has no default, want default 'x'::character varying" {
		t.Errorf("default difference = %+v", d[2])
	}
}

// Constraints without names (SQLite) are matched by their definition, so a
// change shows as one missing and one extra.
func TestDiffUnnamedConstraints(t *testing.T) {
	want := &Schema{Dialect: "sqlite", Tables: []*Table{{Name: "t",
		Uniques:     []*Unique{{Columns: []string{"a"}}, {Columns: []string{"b", "c"}}},
		Checks:      []*Check{{Expression: "a > 0"}},
		ForeignKeys: []*ForeignKey{{Columns: []string{"a"}, RefTable: "p", RefColumns: []string{"id"}, OnDelete: ActionCascade, OnUpdate: ActionNoAction}},
	}}}
	got := &Schema{Dialect: "sqlite", Tables: []*Table{{Name: "t",
		Uniques:     []*Unique{{Columns: []string{"b", "c"}}, {Columns: []string{"a", "b"}}},
		Checks:      []*Check{{Expression: "a > 0"}},
		ForeignKeys: []*ForeignKey{{Columns: []string{"a"}, RefTable: "p", RefColumns: []string{"id"}, OnDelete: ActionSetNull, OnUpdate: ActionNoAction}},
	}}}
	var kinds []string
	for _, d := range Diff(want, got) {
		kinds = append(kinds, d.Kind+" "+d.Object)
	}
	wantKinds := []string{
		"unique_missing UNIQUE (a)",
		"unique_extra UNIQUE (a, b)",
		"foreign_key_changed (a) REFERENCES p (id)",
	}
	if !reflect.DeepEqual(kinds, wantKinds) {
		t.Errorf("Diff =\n%q\nwant\n%q", kinds, wantKinds)
	}
}

func TestDifferenceJSON(t *testing.T) {
	data, err := json.Marshal(Difference{Kind: IndexMissing, Table: "t", Object: "t_idx", Want: "INDEX (a)", Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"kind":"index_missing","table":"t","object":"t_idx","want":"INDEX (a)","message":"m"}`; string(data) != want {
		t.Errorf("JSON = %s, want %s", data, want)
	}
}
