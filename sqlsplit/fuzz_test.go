package sqlsplit

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// checkInvariants returns a description of the first property that sts,
// the result of Split(d, src), breaks, or "".
func checkInvariants(d Dialect, src string, sts []Statement) string {
	if msg := checkPositions(src, sts); msg != "" {
		return msg
	}
	return checkStability(d, src, sts)
}

// checkPositions checks that each Text is where Offset, Line and Column say,
// in order, without overlap and without white space at its ends.
func checkPositions(src string, sts []Statement) string {
	prevEnd := 0
	for i, s := range sts {
		switch {
		case s.Text == "":
			return fmt.Sprintf("statement %d: empty Text", i+1)
		case s.Offset < prevEnd || (i > 0 && s.Offset == prevEnd):
			return fmt.Sprintf("statement %d at offset %d overlaps or touches the one before, which ends at %d", i+1, s.Offset, prevEnd)
		case s.Offset+len(s.Text) > len(src) || src[s.Offset:s.Offset+len(s.Text)] != s.Text:
			return fmt.Sprintf("statement %d: Text %q is not src[%d:%d]", i+1, s.Text, s.Offset, s.Offset+len(s.Text))
		case isSpace(s.Text[0]) || isSpace(s.Text[len(s.Text)-1]):
			return fmt.Sprintf("statement %d: Text %q has white space at an end", i+1, s.Text)
		}
		line := strings.Count(src[:s.Offset], "\n") + 1
		col := s.Offset - (strings.LastIndexByte(src[:s.Offset], '\n') + 1) + 1
		if s.Line != line || s.Column != col {
			return fmt.Sprintf("statement %d at offset %d: line %d, column %d; want line %d, column %d", i+1, s.Offset, s.Line, s.Column, line, col)
		}
		prevEnd = s.Offset + len(s.Text)
	}
	return ""
}

// checkStability checks that splitting parts of src, or the statements
// joined again, gives the same statements.
func checkStability(d Dialect, src string, sts []Statement) string {
	// The state is reset after each delimiter: the source up to the start
	// of a statement holds exactly the statements before it.
	for i := range sts {
		before, err := Split(d, src[:sts[i].Offset])
		if err != nil {
			return fmt.Sprintf("splitting the source before statement %d: %v", i+1, err)
		}
		if want := sts[:i]; !slices.Equal(before, want) {
			return fmt.Sprintf("the source before statement %d splits into %v, want %v", i+1, before, want)
		}
	}

	// A DELIMITER command makes Texts hold semicolons, and the statements
	// after it depend on it; leave those alone.
	if d == MySQL && strings.Contains(strings.ToLower(src), "delimiter") {
		return ""
	}

	// The source from the start of a statement holds that statement and
	// those after it.
	for i := 1; i < len(sts); i++ {
		if strings.HasPrefix(sts[i].Text, "\xef\xbb\xbf") {
			continue // would be skipped as a leading byte order mark
		}
		off := sts[i].Offset
		after, err := Split(d, src[off:])
		if err != nil {
			return fmt.Sprintf("splitting the source from statement %d: %v", i+1, err)
		}
		if len(after) != len(sts)-i {
			return fmt.Sprintf("the source from statement %d splits into %d statements, want %d", i+1, len(after), len(sts)-i)
		}
		for j, s := range after {
			if w := sts[i+j]; s.Text != w.Text || s.Offset+off != w.Offset {
				return fmt.Sprintf("the source from statement %d: statement %d is %q at %d, want %q at %d", i+1, j+1, s.Text, s.Offset+off, w.Text, w.Offset)
			}
		}
	}

	// Joining the statements with the default delimiter gives them back.
	// The joined text starts with a newline so that a byte order mark
	// that was a token in src does not become the skipped leading one.
	var b strings.Builder
	b.WriteString("\n")
	for _, s := range sts {
		b.WriteString(s.Text)
		b.WriteString(";\n")
	}
	joined := b.String()
	again, err := Split(d, joined)
	if err != nil {
		return fmt.Sprintf("splitting the joined statements %q: %v", joined, err)
	}
	if len(again) != len(sts) {
		return fmt.Sprintf("the joined statements %q split into %d statements, want %d", joined, len(again), len(sts))
	}
	for i := range again {
		if again[i].Text != sts[i].Text {
			return fmt.Sprintf("the joined statements %q: statement %d is %q, want %q", joined, i+1, again[i].Text, sts[i].Text)
		}
	}
	return ""
}

// checkError returns what is wrong with err, the error of Split(d, src), or "".
func checkError(src string, err error) string {
	var se *SyntaxError
	if !errors.As(err, &se) {
		return fmt.Sprintf("error %v is not a *SyntaxError", err)
	}
	if se.Line < 1 || se.Column < 1 || se.Msg == "" {
		return fmt.Sprintf("malformed error %+v", *se)
	}
	// The position must name a byte of src.
	off := 0
	for l := 1; l < se.Line; l++ {
		k := strings.IndexByte(src[off:], '\n')
		if k < 0 {
			return fmt.Sprintf("error %+v: src has only %d lines", *se, l)
		}
		off += k + 1
	}
	eol := len(src)
	if k := strings.IndexByte(src[off:], '\n'); k >= 0 {
		eol = off + k
	}
	if off+se.Column-1 >= eol {
		return fmt.Sprintf("error %+v: line %d has only %d bytes", *se, se.Line, eol-off)
	}
	return ""
}

// fuzzSeeds are inputs that exercise the rules of every dialect.
var fuzzSeeds = []string{
	"",
	"SELECT 1; SELECT 2",
	"-- only a comment\n/* and another */",
	"SELECT 'a;''b', \"c;\"\"d\" -- e;\n/* f; */ ;;",
	"SELECT E'it\\'s;', e'\\\\'; SELECT 'a\\'",
	"SELECT $$a;b$$, $tag$ $$; $tag$, $1, a$b$c; SELECT $",
	"SELECT 1 /* a /* b; */ c; */; SELECT 2",
	"CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN x THEN 1 END; SELECT 2; END; SELECT 3",
	"BEGIN; ATOMIC; END; begin /* x */ atomic; end",
	"SELECT U&'d\\0061t'; SELECT 1--1;\nSELECT 2",
	"CREATE TRIGGER t AFTER INSERT ON x BEGIN UPDATE y SET a = CASE WHEN 1 THEN 2 END; DELETE FROM z; END; SELECT 1",
	"create temp trigger t before delete on x when case when 1 then 1 end begin select 1; end;",
	"BEGIN TRANSACTION; SELECT [a;b], `c;``d`; COMMIT",
	"SELECT 1--1; SELECT 2 -- c;\nSELECT 3 # d;\n; SELECT 'it\\'s', \"a\\\"b\"",
	"/*!40101 SET NAMES utf8; */; CREATE TABLE t (a int) /*!50100 PARTITION BY HASH(a) */; /*M!100100 SET x=1; */",
	"DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT 1; END$$\nDELIMITER ;\nCALL p();",
	"delimiter //\nSELECT 1//SELECT 2 //\nDELIMITER ;;\nSELECT 3; SELECT 4;;",
	"SELECT 1; DELIMITER '$$' # c\nSELECT '$$'$$",
	"SELECT 'unterminated",
	"SELECT \"unterminated",
	"SELECT `unterminated",
	"SELECT [unterminated",
	"SELECT 1 /* unterminated",
	"SELECT $body$ unterminated",
	"CREATE FUNCTION f() BEGIN ATOMIC SELECT 1;",
	"CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;",
	"/*!40101 unterminated",
	"DELIMITER",
	"DELIMITER $$ SELECT 1",
	"\xef\xbb\xbfSELECT 1;\r\nSELECT 'é'",
}

func FuzzSplit(f *testing.F) {
	for _, s := range fuzzSeeds {
		for d := Postgres; d <= MySQL; d++ {
			f.Add(uint8(d), s)
		}
	}
	f.Fuzz(func(t *testing.T, dialect uint8, src string) {
		d := Dialect(dialect%3) + Postgres
		sts, err := Split(d, src)
		if err != nil {
			if sts != nil {
				t.Fatalf("Split(%v, %q) returned statements with error %v", d, src, err)
			}
			if msg := checkError(src, err); msg != "" {
				t.Fatalf("Split(%v, %q): %s", d, src, msg)
			}
			return
		}
		if msg := checkInvariants(d, src, sts); msg != "" {
			t.Fatalf("Split(%v, %q): %s", d, src, msg)
		}
	})
}
