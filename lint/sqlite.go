package lint

import (
	"context"
	"fmt"
	"strings"

	"github.com/schemagate/schemagate/sqlsplit"
)

// The SQLite analyzer. No SQLite grammar is linked in; a small token scan
// recognizes the statement forms that carry a risk (ALTER TABLE, DROP
// TABLE, UPDATE, DELETE, transaction control, PRAGMA foreign_keys) and the
// forms that carry none (CREATE, INSERT, SELECT, …). A statement of any
// other form is reported as statement-not-linted rather than guessed at.

type ltToken struct {
	text  string // upper-cased for words, unquoted for identifiers
	word  bool   // a bare word (keyword or identifier)
	ident bool   // a quoted identifier
}

// ltTokens splits a statement into tokens, dropping comments and white
// space.
func ltTokens(s string) []ltToken {
	var out []ltToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return out
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return out
			}
			i += j + 4
		case c == '\'' || c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			j := i + 1
			var sb strings.Builder
			for j < len(s) {
				if s[j] == closer {
					if closer != ']' && j+1 < len(s) && s[j+1] == closer {
						sb.WriteByte(closer)
						j += 2
						continue
					}
					break
				}
				sb.WriteByte(s[j])
				j++
			}
			out = append(out, ltToken{text: sb.String(), ident: c != '\''})
			if c == '\'' {
				out[len(out)-1].text = "'" + sb.String() + "'"
			}
			i = j + 1
		case isWordByte(c):
			j := i
			for j < len(s) && (isWordByte(s[j]) || s[j] >= '0' && s[j] <= '9' || s[j] == '$') {
				j++
			}
			out = append(out, ltToken{text: strings.ToUpper(s[i:j]), word: true})
			i = j
		default:
			out = append(out, ltToken{text: string(c)})
			i++
		}
	}
	return out
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

type ltAnalyzer struct {
	in      *Input
	res     *result
	m       *Migration
	src     *source
	report  bool
	created map[string]bool
	inTx    bool
	explTx  *pgStmt
	st      *pgStmt
}

func lintSQLite(ctx context.Context, in Input) (*result, error) {
	a := &ltAnalyzer{in: &in, res: &result{}}
	for i := range in.Migrations {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a.migration(&in.Migrations[i])
	}
	return a.res, nil
}

func (a *ltAnalyzer) migration(m *Migration) {
	a.m, a.report = m, true
	a.src = newSource(m.SQL)
	a.created = map[string]bool{}
	a.inTx = !m.Directives.NoTransaction
	a.explTx = nil
	pieces, err := sqlsplit.Split(sqlsplit.SQLite, m.SQL)
	if err != nil {
		a.st = &pgStmt{line: 1, col: 1}
		a.add(RuleStatementNotLinted, "Not linted: the file cannot be split into statements: "+err.Error()+".", "")
		return
	}
	for _, p := range pieces {
		start := skipLeading(m.SQL, p.Offset)
		end := p.Offset + len(p.Text)
		if end < start {
			continue
		}
		text := strings.TrimRight(m.SQL[start:end], " \t\r\n;")
		if text == "" {
			continue
		}
		line, col := a.src.position(start)
		a.st = &pgStmt{text: text, line: line, col: col}
		a.res.statement(m.File, line)
		a.statement(ltTokens(text))
	}
	if a.explTx != nil {
		a.st = a.explTx
		a.add(RuleTransactionControl, "BEGIN without a matching COMMIT: the statements after it are never committed.", "")
	}
}

func (a *ltAnalyzer) add(rule, msg, fix string) {
	a.res.findings = append(a.res.findings, Finding{
		Rule: rule, File: a.m.File, Line: a.st.line, Column: a.st.col,
		Statement: a.st.text, Message: msg, Fix: fix,
	})
}

func (a *ltAnalyzer) holdsData(table string) bool {
	if a.created[table] {
		return false
	}
	if a.in.ExistingTables == nil {
		return true
	}
	return a.in.ExistingTables[table]
}

// ltName reads a possibly schema-qualified name at t[i], returning the
// lower-cased table name and the index after it.
func ltName(t []ltToken, i int) (string, int) {
	if i >= len(t) || !(t[i].word || t[i].ident) {
		return "", i
	}
	name := t[i].text
	i++
	if i+1 < len(t) && t[i].text == "." && (t[i+1].word || t[i+1].ident) {
		name = t[i+1].text
		i += 2
	}
	return strings.ToLower(name), i
}

func is(t []ltToken, i int, words ...string) bool {
	for k, w := range words {
		if i+k >= len(t) || !t[i+k].word || t[i+k].text != w {
			return false
		}
	}
	return true
}

func (a *ltAnalyzer) statement(t []ltToken) {
	if len(t) == 0 {
		return
	}
	inTx := a.inTx || a.explTx != nil
	switch {
	case is(t, 0, "CREATE"):
		i := 1
		for is(t, i, "TEMP") || is(t, i, "TEMPORARY") || is(t, i, "VIRTUAL") {
			i++
		}
		if is(t, i, "TABLE") {
			i++
			if is(t, i, "IF", "NOT", "EXISTS") {
				i += 3
			}
			name, _ := ltName(t, i)
			a.created[name] = true
		}
	case is(t, 0, "ALTER", "TABLE"):
		a.alterTable(t)
	case is(t, 0, "DROP", "TABLE"):
		i := 2
		if is(t, i, "IF", "EXISTS") {
			i += 2
		}
		name, _ := ltName(t, i)
		if a.holdsData(name) {
			a.add(RuleDropTable, fmt.Sprintf("Drops table %s and all its data.", name), "")
		}
	case is(t, 0, "UPDATE"), is(t, 0, "DELETE"):
		i := 1
		if is(t, 0, "DELETE") {
			if !is(t, 1, "FROM") {
				a.notLinted()
				return
			}
			i = 2
		} else if is(t, 1, "OR") {
			i = 3
		}
		name, _ := ltName(t, i)
		if a.holdsData(name) && !hasTopLevelWord(t, "WHERE") {
			a.add(RuleUnboundedWrite, fmt.Sprintf("%s without WHERE changes every row of %s.", t[0].text, name), "")
		}
	case is(t, 0, "BEGIN"):
		if inTx {
			a.add(RuleTransactionControl, "BEGIN inside the migration's transaction fails: SQLite does not nest transactions.", "")
			return
		}
		a.explTx = a.st
	case is(t, 0, "COMMIT"), is(t, 0, "END"), is(t, 0, "ROLLBACK") && !is(t, 1, "TO"):
		if a.explTx != nil {
			a.explTx = nil
			return
		}
		a.add(RuleTransactionControl, "COMMIT or ROLLBACK in a migration: it ends the transaction schemagate opened, so the statements after it run unprotected.", "")
	case is(t, 0, "PRAGMA"):
		name, _ := ltName(t, 1)
		if name == "foreign_keys" && inTx && len(t) > 2 {
			a.add(RuleSQLiteForeignKeysInTransaction, "PRAGMA foreign_keys is a no-op inside a transaction, and this migration runs in one.", "")
		}
	case is(t, 0, "VACUUM"):
		if inTx {
			a.add(RuleNotAllowedInTransaction, "VACUUM cannot run inside a transaction, and this migration runs in one.", "Move it to a migration of its own that starts with -- schemagate:no-transaction.")
		}
	case is(t, 0, "INSERT"), is(t, 0, "REPLACE"), is(t, 0, "SELECT"), is(t, 0, "SAVEPOINT"), is(t, 0, "RELEASE"),
		is(t, 0, "ROLLBACK"), is(t, 0, "ANALYZE"), is(t, 0, "REINDEX"), is(t, 0, "VALUES"),
		is(t, 0, "DROP", "INDEX"), is(t, 0, "DROP", "VIEW"), is(t, 0, "DROP", "TRIGGER"):
		// No rule applies to these forms.
	default:
		a.notLinted()
	}
}

func (a *ltAnalyzer) notLinted() {
	a.add(RuleStatementNotLinted, "Not linted: the SQLite scan does not know this statement form, so no rule checked it.", "")
}

// hasTopLevelWord reports whether word occurs outside parentheses.
func hasTopLevelWord(t []ltToken, word string) bool {
	depth := 0
	for _, tok := range t {
		switch {
		case tok.text == "(" && !tok.word && !tok.ident:
			depth++
		case tok.text == ")" && !tok.word && !tok.ident:
			depth--
		case depth == 0 && tok.word && tok.text == word:
			return true
		}
	}
	return false
}

func (a *ltAnalyzer) alterTable(t []ltToken) {
	table, i := ltName(t, 2)
	data := a.holdsData(table)
	switch {
	case is(t, i, "RENAME", "TO"):
		if data {
			newName, _ := ltName(t, i+2)
			a.add(RuleRenameTable, fmt.Sprintf("Renames table %s to %s: the release still running uses the old name.", table, newName),
				fmt.Sprintf("Rename, then CREATE VIEW %s AS SELECT * FROM %s for the old release (read-only in SQLite); drop it once no release uses %s.", table, newName, table))
		}
	case is(t, i, "RENAME"):
		j := i + 1
		if is(t, j, "COLUMN") {
			j++
		}
		old, j := ltName(t, j)
		if data && is(t, j, "TO") {
			nu, _ := ltName(t, j+1)
			a.add(RuleRenameColumn, fmt.Sprintf("Renames column %s.%s to %s: the release still running uses the old name.", table, old, nu), "")
		}
	case is(t, i, "DROP"):
		j := i + 1
		if is(t, j, "COLUMN") {
			j++
		}
		col, _ := ltName(t, j)
		if data {
			a.add(RuleDropColumn, fmt.Sprintf("Drops column %s.%s and its data.", table, col), "")
		}
	case is(t, i, "ADD"):
		j := i + 1
		if is(t, j, "COLUMN") {
			j++
		}
		col, j := ltName(t, j)
		a.addColumn(table, col, t[j:])
	default:
		a.notLinted()
	}
}

// addColumn reports the ADD COLUMN forms SQLite rejects.
func (a *ltAnalyzer) addColumn(table, col string, def []ltToken) {
	var reasons []string
	notNull, hasDefault, nullDefault := false, false, false
	for k := 0; k < len(def); k++ {
		switch {
		case is(def, k, "PRIMARY", "KEY"):
			reasons = append(reasons, "it is a PRIMARY KEY")
		case is(def, k, "UNIQUE"):
			reasons = append(reasons, "it is UNIQUE")
		case is(def, k, "NOT", "NULL"):
			notNull = true
		case is(def, k, "DEFAULT"):
			hasDefault = true
			if k+1 < len(def) {
				switch n := def[k+1]; {
				case n.word && (n.text == "CURRENT_TIME" || n.text == "CURRENT_DATE" || n.text == "CURRENT_TIMESTAMP"):
					reasons = append(reasons, "its default "+n.text+" is not constant")
				case !n.word && !n.ident && n.text == "(":
					reasons = append(reasons, "its default is an expression")
				case n.word && n.text == "NULL":
					nullDefault = true
				}
			}
		}
	}
	if notNull && (!hasDefault || nullDefault) {
		reasons = append(reasons, "it is NOT NULL without a non-NULL default")
	}
	if len(reasons) > 0 {
		a.add(RuleSQLiteAddColumnRejected, fmt.Sprintf("SQLite rejects adding column %s to %s: %s.", col, table, strings.Join(reasons, "; ")), "")
	}
}
