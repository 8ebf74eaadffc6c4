package schema

import "strings"

// NormalizeSpace returns sql with comments removed, every run of blanks
// outside quoted text collapsed to one space, and leading and trailing
// blanks and a trailing semicolon dropped. Text inside '…', "…" and `…`
// is kept byte for byte, so a literal's meaning never changes.
//
// It is the normalisation applied to view definitions and to expressions
// that an engine does not print in a canonical form of its own.
func NormalizeSpace(sql string) string {
	var b strings.Builder
	b.Grow(len(sql))
	pendingSpace := false
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			pendingSpace = true
			i++
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			pendingSpace = true
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				i = len(sql)
			} else {
				i += 2 + end + 2
			}
			pendingSpace = true
			continue
		}
		if pendingSpace && b.Len() > 0 {
			b.WriteByte(' ')
		}
		pendingSpace = false
		if c == '\'' || c == '"' || c == '`' {
			end := closingQuote(sql, i)
			b.WriteString(sql[i:end])
			i = end
			continue
		}
		b.WriteByte(c)
		i++
	}
	out := b.String()
	for strings.HasSuffix(out, ";") {
		out = strings.TrimRight(strings.TrimSuffix(out, ";"), " ")
	}
	return out
}

// closingQuote returns the index just past the quoted text that starts at
// sql[start]; a doubled quote character inside stands for itself. An
// unterminated quote runs to the end.
func closingQuote(sql string, start int) int {
	q := sql[start]
	for i := start + 1; i < len(sql); i++ {
		if sql[i] != q {
			continue
		}
		if i+1 < len(sql) && sql[i+1] == q {
			i++
			continue
		}
		return i + 1
	}
	return len(sql)
}
