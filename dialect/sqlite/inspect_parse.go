package sqlite

import (
	"strings"

	"github.com/schemagate/schemagate/schema"
)

// SQLite keeps each object's CREATE statement as written and offers no
// catalog for check constraints, generation expressions, index expressions
// and predicates or view queries. The functions below read those from the
// statement with a small tokenizer: enough to find clauses at the right
// nesting level, never a full parser. Expressions come back as written,
// through schema.NormalizeSpace.

// inspectToken is one lexical token of a CREATE statement.
type inspectToken struct {
	// kind is 'w' for a word or quoted identifier, '\'' for a string
	// literal, or the punctuation character itself ('(', ')', ',', …);
	// numbers and operators are 'o'.
	kind       byte
	quoted     bool // a "…", `…` or […] identifier
	start, end int  // byte offsets in the statement
}

func (t inspectToken) text(sql string) string { return sql[t.start:t.end] }

// is reports whether t is the unquoted keyword kw.
func (t inspectToken) is(sql, kw string) bool {
	return t.kind == 'w' && !t.quoted && strings.EqualFold(t.text(sql), kw)
}

func inspectTokenize(sql string) []inspectToken {
	var toks []inspectToken
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += end + 4
			}
		case c == '\'':
			end := inspectQuoteEnd(sql, i, '\'')
			toks = append(toks, inspectToken{kind: '\'', start: i, end: end})
			i = end
		case c == '"' || c == '`':
			end := inspectQuoteEnd(sql, i, c)
			toks = append(toks, inspectToken{kind: 'w', quoted: true, start: i, end: end})
			i = end
		case c == '[':
			end := strings.IndexByte(sql[i:], ']')
			if end < 0 {
				end = len(sql) - i - 1
			}
			toks = append(toks, inspectToken{kind: 'w', quoted: true, start: i, end: i + end + 1})
			i += end + 1
		case inspectWordByte(c):
			start := i
			for i < len(sql) && (inspectWordByte(sql[i]) || (sql[i] >= '0' && sql[i] <= '9')) {
				i++
			}
			toks = append(toks, inspectToken{kind: 'w', start: start, end: i})
		case c == '(' || c == ')' || c == ',' || c == ';' || c == '.':
			toks = append(toks, inspectToken{kind: c, start: i, end: i + 1})
			i++
		default:
			toks = append(toks, inspectToken{kind: 'o', start: i, end: i + 1})
			i++
		}
	}
	return toks
}

func inspectWordByte(c byte) bool {
	return c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
}

// inspectQuoteEnd returns the offset just past the quoted text starting at
// start; a doubled quote stands for itself.
func inspectQuoteEnd(sql string, start int, q byte) int {
	for i := start + 1; i < len(sql); i++ {
		if sql[i] == q {
			if i+1 < len(sql) && sql[i+1] == q {
				i++
				continue
			}
			return i + 1
		}
	}
	return len(sql)
}

// inspectUnquote returns an identifier's name.
func inspectUnquote(sql string, t inspectToken) string {
	s := t.text(sql)
	if !t.quoted || len(s) < 2 {
		return s
	}
	switch s[0] {
	case '"':
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	case '`':
		return strings.ReplaceAll(s[1:len(s)-1], "``", "`")
	}
	return s[1 : len(s)-1]
}

// inspectClose returns the index of the ')' that closes the '(' at
// toks[open], or len(toks) when it is not closed.
func inspectClose(toks []inspectToken, open int) int {
	depth := 0
	for i := open; i < len(toks); i++ {
		switch toks[i].kind {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(toks)
}

// inspectSplit splits toks at the commas outside parentheses.
func inspectSplit(toks []inspectToken) [][]inspectToken {
	var items [][]inspectToken
	depth, start := 0, 0
	for i, t := range toks {
		switch t.kind {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				items = append(items, toks[start:i])
				start = i + 1
			}
		}
	}
	return append(items, toks[start:])
}

// inspectInside returns the normalised text between the parentheses that
// open at toks[open].
func inspectInside(sql string, toks []inspectToken, open int) string {
	end := inspectClose(toks, open)
	if end >= len(toks) {
		return schema.NormalizeSpace(sql[toks[open].end:])
	}
	return schema.NormalizeSpace(sql[toks[open].end:toks[end].start])
}

// inspectCreateTable is what a CREATE TABLE statement tells beyond the
// pragmas.
type inspectCreateTable struct {
	checks []*schema.Check
	// generated maps a lower-cased column name to its expression.
	generated map[string]string
	// collations maps a lower-cased column name to its COLLATE clause,
	// upper-cased (SQLite's collation names are case-insensitive).
	collations map[string]string
	// withoutRowid is true for a WITHOUT ROWID table.
	withoutRowid bool
}

func inspectParseCreateTable(sql string) inspectCreateTable {
	var out inspectCreateTable
	toks := inspectTokenize(sql)
	open := -1
	for i, t := range toks {
		if t.kind == '(' {
			open = i
			break
		}
		if t.is(sql, "AS") {
			return out // CREATE TABLE … AS SELECT: no constraints
		}
	}
	if open < 0 {
		return out
	}
	end := inspectClose(toks, open)
	for _, item := range inspectSplit(toks[open+1 : end]) {
		out.parseItem(sql, item)
	}
	for i := end + 1; i+1 < len(toks); i++ {
		if toks[i].is(sql, "WITHOUT") && toks[i+1].is(sql, "ROWID") {
			out.withoutRowid = true
		}
	}
	return out
}

// parseItem reads one column definition or table constraint.
func (out *inspectCreateTable) parseItem(sql string, item []inspectToken) {
	if len(item) == 0 {
		return
	}
	column := ""
	first := item[0]
	if !first.is(sql, "CONSTRAINT") && !first.is(sql, "PRIMARY") && !first.is(sql, "UNIQUE") &&
		!first.is(sql, "CHECK") && !first.is(sql, "FOREIGN") {
		column = inspectUnquote(sql, first)
		item = item[1:]
	}
	name := ""
	for i := 0; i < len(item); i++ {
		t := item[i]
		switch {
		case t.kind == '(':
			i = inspectClose(item, i) // skip type arguments, defaults, column lists
			continue
		case t.is(sql, "CONSTRAINT") && i+1 < len(item):
			name = inspectUnquote(sql, item[i+1])
			i++
			continue
		case t.is(sql, "CHECK") && i+1 < len(item) && item[i+1].kind == '(':
			out.checks = append(out.checks, &schema.Check{Name: name, Expression: inspectInside(sql, item, i+1)})
			i = inspectClose(item, i+1)
		case t.is(sql, "COLLATE") && column != "" && i+1 < len(item):
			if out.collations == nil {
				out.collations = map[string]string{}
			}
			out.collations[strings.ToLower(column)] = strings.ToUpper(inspectUnquote(sql, item[i+1]))
			i++
		case t.is(sql, "AS") && column != "" && i+1 < len(item) && item[i+1].kind == '(':
			if out.generated == nil {
				out.generated = map[string]string{}
			}
			out.generated[strings.ToLower(column)] = inspectInside(sql, item, i+1)
			i = inspectClose(item, i+1)
		}
		name = "" // a constraint name applies to the clause right after it
	}
}

// inspectCreateIndex is what a CREATE INDEX statement tells beyond the
// pragmas: the text of each key (used for expression keys) and the
// predicate of a partial index.
type inspectCreateIndex struct {
	keys      []string
	predicate string
}

func inspectParseCreateIndex(sql string) inspectCreateIndex {
	var out inspectCreateIndex
	toks := inspectTokenize(sql)
	open := -1
	for i, t := range toks {
		if t.is(sql, "ON") {
			for j := i + 1; j < len(toks); j++ {
				if toks[j].kind == '(' {
					open = j
					break
				}
			}
			break
		}
	}
	if open < 0 {
		return out
	}
	end := inspectClose(toks, open)
	for _, key := range inspectSplit(toks[open+1 : end]) {
		// Drop the ordering and collation that follow the expression;
		// the pragmas report those.
		for len(key) > 0 {
			n := len(key)
			if key[n-1].is(sql, "ASC") || key[n-1].is(sql, "DESC") {
				key = key[:n-1]
				continue
			}
			if n >= 2 && key[n-2].is(sql, "COLLATE") {
				key = key[:n-2]
				continue
			}
			break
		}
		text := ""
		if len(key) > 0 {
			text = schema.NormalizeSpace(sql[key[0].start:key[len(key)-1].end])
		}
		out.keys = append(out.keys, text)
	}
	if end+1 < len(toks) && toks[end+1].is(sql, "WHERE") {
		out.predicate = schema.NormalizeSpace(sql[toks[end+1].end:])
	}
	return out
}

// inspectViewQuery returns the query of a CREATE VIEW statement: the text
// after the first AS outside parentheses.
func inspectViewQuery(sql string) string {
	toks := inspectTokenize(sql)
	for i := 0; i < len(toks); i++ {
		switch {
		case toks[i].kind == '(':
			i = inspectClose(toks, i)
		case toks[i].is(sql, "AS"):
			return schema.NormalizeSpace(sql[toks[i].end:])
		}
	}
	return schema.NormalizeSpace(sql)
}
