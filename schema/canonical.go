package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
)

// Canonical returns s in canonical order: tables, views, enums and sequences
// by name; columns by name; indexes by name; unique, check and foreign-key
// constraints by their identity (see Diff). Key columns, enum values and
// index keys keep their order, because it carries meaning.
//
// The result shares columns, indexes and constraints with s; s itself is
// not modified. A nil s yields an empty schema.
func (s *Schema) Canonical() *Schema {
	if s == nil {
		return &Schema{}
	}
	out := &Schema{
		Dialect:   s.Dialect,
		Name:      s.Name,
		Tables:    make([]*Table, len(s.Tables)),
		Views:     sortedBy(s.Views, func(v *View) string { return v.Name }),
		Enums:     sortedBy(s.Enums, func(e *Enum) string { return e.Name }),
		Sequences: sortedBy(s.Sequences, func(q *Sequence) string { return q.Name }),
	}
	for i, t := range s.Tables {
		out.Tables[i] = t.canonical()
	}
	slices.SortFunc(out.Tables, func(a, b *Table) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func (t *Table) canonical() *Table {
	return &Table{
		Name:        t.Name,
		Columns:     sortedBy(t.Columns, func(c *Column) string { return c.Name }),
		PrimaryKey:  t.PrimaryKey,
		Indexes:     sortedBy(t.Indexes, func(ix *Index) string { return ix.Name }),
		Uniques:     sortedBy(t.Uniques, uniqueIdentity),
		Checks:      sortedBy(t.Checks, checkIdentity),
		ForeignKeys: sortedBy(t.ForeignKeys, foreignKeyIdentity),
	}
}

// sortedBy returns a sorted copy of list, ordered by key and, for equal
// keys, by the element's JSON form, so that the order never depends on the
// input order. An empty list yields nil, so that empty and absent encode
// alike.
func sortedBy[T any](list []*T, key func(*T) string) []*T {
	if len(list) == 0 {
		return nil
	}
	out := slices.Clone(list)
	slices.SortStableFunc(out, func(a, b *T) int {
		if c := strings.Compare(key(a), key(b)); c != 0 {
			return c
		}
		return bytes.Compare(compactJSON(a), compactJSON(b))
	})
	return out
}

// The identity of a constraint is what Diff matches it by: its name when it
// has one; otherwise (SQLite) its definition, since that is all there is.

func uniqueIdentity(u *Unique) string {
	if u.Name != "" {
		return u.Name
	}
	return describeUnique(u)
}

func checkIdentity(c *Check) string {
	if c.Name != "" {
		return c.Name
	}
	return "CHECK (" + c.Expression + ")"
}

func foreignKeyIdentity(fk *ForeignKey) string {
	if fk.Name != "" {
		return fk.Name
	}
	return "(" + strings.Join(fk.Columns, ", ") + ") REFERENCES " + fk.RefTable + " (" + strings.Join(fk.RefColumns, ", ") + ")"
}

// canonicalJSON is the canonical encoding the fingerprint is computed over:
// the canonical schema as compact JSON, object fields in the order the
// types declare them, empty lists and empty optional values left out, no
// HTML escaping, no trailing newline.
func canonicalJSON(s *Schema) []byte {
	return compactJSON(s.Canonical())
}

func compactJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// The model holds only strings, numbers, booleans and lists of
		// them: encoding cannot fail.
		panic("schema: encode: " + err.Error())
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// Fingerprint returns "sha256:" and the hex SHA-256 of the schema's
// canonical JSON. Two schemas have the same fingerprint exactly when Diff
// finds no difference between them. The namespace name (Schema.Name) is not
// part of it.
func (s *Schema) Fingerprint() string {
	return fingerprintOf(canonicalJSON(s))
}

func fingerprintOf(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return "sha256:" + hex.EncodeToString(sum[:])
}
