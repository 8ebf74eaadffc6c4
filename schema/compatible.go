package schema

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/schemagate/schemagate"
)

// Report is the verdict of Compatible.
type Report struct {
	// Compatible is true when there is no problem: the release can run on
	// the live schema. Warnings do not change it.
	Compatible bool `json:"compatible"`
	// Problems are the differences that break the release. Each one is
	// either missing (Difference.Missing: the database is behind, a
	// migration may still bring it) or a contradiction (the live schema
	// has the object in a shape the release cannot use).
	Problems []Difference `json:"problems,omitempty"`
	// Warnings are differences that do not break the release but that an
	// operator should know about, such as an extra constraint that can
	// reject some of its writes.
	Warnings []Difference `json:"warnings,omitempty"`
}

// HasContradictions reports whether some problem is a contradiction rather
// than something missing.
func (r Report) HasContradictions() bool {
	for _, p := range r.Problems {
		if !p.Missing() {
			return true
		}
	}
	return false
}

// Err returns nil when the report is compatible. Otherwise it returns a
// *schemagate.Error: KindIntegrity, reason "schema_incompatible", when some
// problem is a contradiction (waiting will not fix it); else KindBehind,
// reason "schema_behind" (objects the release needs are missing).
func (r Report) Err() error {
	if r.Compatible {
		return nil
	}
	first := r.Problems[0]
	kind, reason, what := schemagate.KindBehind, "schema_behind", "the database lacks what the release needs"
	hint := "apply the pending migrations (schemagate apply), or wait for them (schemagate verify --wait)"
	if r.HasContradictions() {
		kind, reason, what = schemagate.KindIntegrity, "schema_incompatible", "the database contradicts the schema the release needs"
		hint = "the live schema was changed in a way this release cannot use; see every difference with `schemagate diff`"
		for _, p := range r.Problems {
			if !p.Missing() {
				first = p
				break
			}
		}
	}
	more := ""
	if n := len(r.Problems) - 1; n > 0 {
		more = fmt.Sprintf(" (and %d more)", n)
	}
	return schemagate.Errorf(kind, reason, "%s: %s%s", what, first.Message, more).WithHint("%s", hint)
}

// verdict is what Compatible makes of one difference.
type verdict int

const (
	fine verdict = iota
	warning
	problem
)

// Compatible decides whether a release that needs the schema required can
// run on the schema live, by the rules in the package documentation.
// Both schemas should be of the same dialect; if they are not, that is
// itself a problem.
func Compatible(required, live *Schema) Report {
	c := compatibility{required: tablesByName(required), live: tablesByName(live)}
	if required != nil {
		c.dialect = required.Dialect
	}
	reqEnums, liveEnums := enumsByName(required), enumsByName(live)
	var r Report
	for _, d := range Diff(required, live) {
		if d.Kind == EnumValuesChanged {
			missing, reordered := enumChange(reqEnums[d.Object], liveEnums[d.Object])
			for _, label := range missing {
				r.Problems = append(r.Problems, Difference{Kind: EnumValueMissing, Object: d.Object, Want: label,
					Message: fmt.Sprintf("enum type %s lacks the value '%s'", d.Object, label)})
			}
			if len(missing) == 0 && reordered {
				r.Warnings = append(r.Warnings, d)
			}
			continue
		}
		v, explained := c.judge(d)
		if explained != "" {
			d.Message = explained
		}
		switch v {
		case problem:
			r.Problems = append(r.Problems, d)
		case warning:
			r.Warnings = append(r.Warnings, d)
		}
	}
	r.Compatible = len(r.Problems) == 0
	return r
}

type compatibility struct {
	required, live map[string]*Table
	dialect        string
}

// judge classifies one difference. When the difference's own message does
// not say why it matters, judge returns a better one.
func (c *compatibility) judge(d Difference) (verdict, string) {
	switch d.Kind {
	case DialectChanged, TableMissing, ColumnMissing, PrimaryKeyMissing, UniqueMissing, UniqueChanged,
		ViewMissing, EnumMissing, SequenceMissing:
		return problem, ""
	case TableExtra, ViewExtra, EnumExtra, SequenceExtra:
		return fine, ""
	case ColumnCollationChanged, ViewChanged, SequenceChanged, CheckMissing, CheckExtra, CheckChanged,
		PrimaryKeyExtra, UniqueExtra, ForeignKeyExtra:
		return warning, ""
	case ColumnTypeChanged:
		if WidensSafely(c.dialect, d.Want, d.Got) {
			return fine, ""
		}
		return problem, ""
	case ColumnExtra:
		col := c.liveColumn(d)
		if col.Nullable || col.FillsItself() {
			return fine, ""
		}
		return problem, fmt.Sprintf("column %s.%s is NOT NULL without a default and the release does not know it: the release's INSERTs into %s fail",
			d.Table, d.Column, d.Table)
	case ColumnNullabilityChanged:
		if c.requiredColumn(d).Nullable {
			return problem, fmt.Sprintf("column %s.%s is NOT NULL, but the release may store NULL in it", d.Table, d.Column)
		}
		return warning, fmt.Sprintf("column %s.%s accepts NULL, which the release does not expect to read", d.Table, d.Column)
	case ColumnDefaultChanged:
		req, live := c.requiredColumn(d), c.liveColumn(d)
		switch {
		case req.Default == "":
			return fine, ""
		case !live.FillsItself():
			return problem, fmt.Sprintf("column %s.%s has no default, but the release relies on default %s", d.Table, d.Column, req.Default)
		}
		return warning, ""
	case ColumnIdentityChanged:
		req, live := c.requiredColumn(d), c.liveColumn(d)
		switch {
		case req.Identity != "" && !live.FillsItself():
			return problem, fmt.Sprintf("column %s.%s is no longer an identity and has no default, but the release relies on the database to fill it", d.Table, d.Column)
		case !req.RejectsWrites() && live.RejectsWrites():
			return problem, fmt.Sprintf("column %s.%s is GENERATED ALWAYS AS IDENTITY: the values the release writes into it are refused", d.Table, d.Column)
		case req.Identity == "":
			return fine, ""
		}
		return warning, ""
	case ColumnGeneratedChanged:
		req, live := c.requiredColumn(d), c.liveColumn(d)
		switch {
		case req.Generated == "" && live.Generated != "":
			return problem, fmt.Sprintf("column %s.%s is generated: the values the release writes into it are refused", d.Table, d.Column)
		case req.Generated != "" && live.Generated == "":
			return problem, fmt.Sprintf("column %s.%s is no longer generated: the values the release reads from it are not computed", d.Table, d.Column)
		}
		return warning, ""
	case PrimaryKeyChanged:
		req, live := c.required[d.Table].PrimaryKey, c.live[d.Table].PrimaryKey
		if slices.Equal(req.Columns, live.Columns) {
			return warning, "" // renamed only
		}
		return problem, ""
	case IndexMissing:
		if c.required[d.Table].Index(d.Object).Unique {
			return problem, fmt.Sprintf("unique index %s on %s is missing: the release relies on the uniqueness it enforces", d.Object, d.Table)
		}
		return warning, fmt.Sprintf("index %s on %s is missing: queries that use it are slower", d.Object, d.Table)
	case IndexExtra:
		if c.live[d.Table].Index(d.Object).Unique {
			return warning, ""
		}
		return fine, ""
	case IndexChanged:
		if c.required[d.Table].Index(d.Object).Unique {
			return problem, ""
		}
		return warning, ""
	case ForeignKeyMissing:
		req := c.requiredForeignKey(d)
		if actsOnRows(req.OnDelete) || actsOnRows(req.OnUpdate) {
			return problem, fmt.Sprintf("foreign key %s on %s is missing: the release relies on its ON DELETE %s ON UPDATE %s", d.Object, d.Table, req.OnDelete, req.OnUpdate)
		}
		return warning, ""
	case ForeignKeyChanged:
		req, live := c.requiredForeignKey(d), c.liveForeignKey(d)
		if (actsOnRows(req.OnDelete) && req.OnDelete != live.OnDelete) || (actsOnRows(req.OnUpdate) && req.OnUpdate != live.OnUpdate) {
			return problem, ""
		}
		return warning, ""
	}
	// A kind this function does not know yet is a problem until a rule
	// says otherwise: never call a schema compatible by omission.
	return problem, ""
}

func (c *compatibility) requiredColumn(d Difference) *Column {
	return c.required[d.Table].Column(d.Column)
}

func (c *compatibility) liveColumn(d Difference) *Column { return c.live[d.Table].Column(d.Column) }

func (c *compatibility) requiredForeignKey(d Difference) *ForeignKey {
	return foreignKeyByIdentity(c.required[d.Table], d.Object)
}

func (c *compatibility) liveForeignKey(d Difference) *ForeignKey {
	return foreignKeyByIdentity(c.live[d.Table], d.Object)
}

func foreignKeyByIdentity(t *Table, identity string) *ForeignKey {
	for _, fk := range t.ForeignKeys {
		if foreignKeyIdentity(fk) == identity {
			return fk
		}
	}
	return nil
}

func tablesByName(s *Schema) map[string]*Table {
	if s == nil {
		return nil
	}
	m := make(map[string]*Table, len(s.Tables))
	for _, t := range s.Tables {
		m[t.Name] = t
	}
	return m
}

func enumsByName(s *Schema) map[string]*Enum {
	if s == nil {
		return nil
	}
	m := make(map[string]*Enum, len(s.Enums))
	for _, e := range s.Enums {
		m[e.Name] = e
	}
	return m
}

// enumChange returns the labels of req that live lacks, and whether the
// labels both have appear in another relative order in live (which changes
// comparisons and ORDER BY).
func enumChange(req, live *Enum) (missing []string, reordered bool) {
	pos := make(map[string]int, len(live.Values))
	for i, v := range live.Values {
		pos[v] = i
	}
	last := -1
	for _, v := range req.Values {
		p, ok := pos[v]
		if !ok {
			missing = append(missing, v)
			continue
		}
		if p < last {
			reordered = true
		}
		last = p
	}
	return missing, reordered
}

// WidensSafely reports whether changing a column of type from to type to
// keeps every value and every write of a release that knows the column as
// from. Types are spelled as the dialect's inspector normalises them.
//
// For SQLite, which stores values by type affinity and ignores declared
// lengths, two types widen safely when they have the same affinity. For the
// other dialects the safe widenings are: a smaller integer to a larger one
// (smallint → integer → bigint; MySQL tinyint and mediumint included),
// real → double precision, varchar(n) → varchar(m ≥ n), varchar without
// length or text (and back between the last two, which are one type),
// numeric(p,s) → numeric(q ≥ p, s) or unconstrained numeric, a time or
// timestamp precision to a larger one or to none, and an array of a type to
// an array of its widening.
func WidensSafely(dialect, from, to string) bool {
	if from == to {
		return true
	}
	if dialect == "sqlite" {
		return sqliteAffinity(from) == sqliteAffinity(to)
	}
	if strings.HasSuffix(from, "[]") || strings.HasSuffix(to, "[]") {
		f, fok := strings.CutSuffix(from, "[]")
		t, tok := strings.CutSuffix(to, "[]")
		return fok && tok && WidensSafely(dialect, f, t)
	}
	f, t := parseTypeName(from), parseTypeName(to)
	if f.name == t.name && slices.Equal(f.args, t.args) {
		return true // two spellings of one type
	}
	if fr, tr := integerRank[f.name], integerRank[t.name]; fr > 0 && tr > 0 {
		return len(f.args) == 0 && len(t.args) == 0 && tr > fr
	}
	switch f.name {
	case "real":
		return t.name == "double precision"
	case "character varying":
		if t.name == "text" {
			return true
		}
		return t.name == "character varying" && (len(t.args) == 0 || (len(f.args) == 1 && len(t.args) == 1 && t.args[0] >= f.args[0]))
	case "text":
		return t.name == "character varying" && len(t.args) == 0
	case "numeric":
		if t.name != "numeric" {
			return false
		}
		if len(t.args) == 0 {
			return true
		}
		fp, fs := numericArgs(f.args)
		tp, ts := numericArgs(t.args)
		return len(f.args) > 0 && ts == fs && tp >= fp
	case "timestamp without time zone", "timestamp with time zone", "time without time zone", "time with time zone":
		if t.name != f.name {
			return false
		}
		return len(t.args) == 0 || (len(f.args) == 1 && len(t.args) == 1 && t.args[0] >= f.args[0])
	}
	return false
}

var integerRank = map[string]int{"tinyint": 1, "smallint": 2, "mediumint": 3, "integer": 4, "bigint": 5}

// typeAliases maps other spellings to the one WidensSafely reasons about.
var typeAliases = map[string]string{
	"int": "integer", "int4": "integer", "int2": "smallint", "int8": "bigint",
	"varchar": "character varying", "decimal": "numeric",
	"float4": "real", "float8": "double precision", "double": "double precision",
	"timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
	"time": "time without time zone", "timetz": "time with time zone",
}

type typeName struct {
	name string
	args []int
}

// parseTypeName splits "numeric(10,2)" or "timestamp(3) with time zone" into
// its name and its numeric arguments. Arguments that are not numbers make
// the whole spelling the name, which then only equals itself.
func parseTypeName(s string) typeName {
	s = strings.ToLower(strings.TrimSpace(s))
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return typeName{name: alias(s)}
	}
	end := strings.IndexByte(s[open:], ')')
	if end < 0 {
		return typeName{name: s}
	}
	end += open
	var args []int
	for _, a := range strings.Split(s[open+1:end], ",") {
		n, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil {
			return typeName{name: s}
		}
		args = append(args, n)
	}
	name := strings.TrimSpace(strings.TrimSpace(s[:open]) + " " + strings.TrimSpace(s[end+1:]))
	return typeName{name: alias(name), args: args}
}

func alias(name string) string {
	if a, ok := typeAliases[name]; ok {
		return a
	}
	return name
}

// numericArgs returns precision and scale; numeric(p) means scale 0.
func numericArgs(args []int) (precision, scale int) {
	switch len(args) {
	case 1:
		return args[0], 0
	case 2:
		return args[0], args[1]
	}
	return 0, 0
}

// sqliteAffinity applies SQLite's rules for the affinity of a declared
// type, in their order of precedence.
func sqliteAffinity(declared string) string {
	t := strings.ToUpper(declared)
	switch {
	case strings.Contains(t, "INT"):
		return "INTEGER"
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return "TEXT"
	case t == "", strings.Contains(t, "BLOB"):
		return "BLOB"
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return "REAL"
	}
	return "NUMERIC"
}
