package sqlsplit

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// st builds an expected Statement.
func st(text string, offset, line, column int) Statement {
	return Statement{Text: text, Offset: offset, Line: line, Column: column}
}

type splitCase struct {
	name string
	src  string
	want []Statement
}

type errorCase struct {
	name         string
	src          string
	line, column int
	msg          string
}

func runSplitCases(t *testing.T, d Dialect, cases []splitCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Split(d, tc.src)
			if err != nil {
				t.Fatalf("Split(%v, %q): %v", d, tc.src, err)
			}
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Split(%v, %q)\n got %s\nwant %s", d, tc.src, dump(got), dump(tc.want))
			}
			if msg := checkInvariants(d, tc.src, got); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func runErrorCases(t *testing.T, d Dialect, cases []errorCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Split(d, tc.src)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Split(%v, %q) = %s, %v; want a *SyntaxError", d, tc.src, dump(got), err)
			}
			if got != nil {
				t.Errorf("Split returned statements with its error: %s", dump(got))
			}
			want := SyntaxError{Line: tc.line, Column: tc.column, Msg: tc.msg}
			if *se != want {
				t.Errorf("Split(%v, %q) error\n got %+v\nwant %+v", d, tc.src, *se, want)
			}
		})
	}
}

func dump(sts []Statement) string {
	var b strings.Builder
	b.WriteString("[")
	for _, s := range sts {
		fmt.Fprintf(&b, "\n\t{%q off=%d line=%d col=%d}", s.Text, s.Offset, s.Line, s.Column)
	}
	b.WriteString("]")
	return b.String()
}

// Cases every dialect splits the same way.
var commonCases = []splitCase{
	{"empty", "", nil},
	{"white space only", " \t\r\n\v\f", nil},
	{"comments only", "-- a\n/* b; */\n  -- c;\n", nil},
	{"empty statements", ";;\n; SELECT 1;;", []Statement{st("SELECT 1", 5, 2, 3)}},
	{"two statements", "SELECT 1;SELECT 2", []Statement{
		st("SELECT 1", 0, 1, 1), st("SELECT 2", 9, 1, 10)}},
	{"leading comments and white space", "  -- c\n\t/* d */ SELECT 1 ;\n", []Statement{
		st("SELECT 1", 16, 2, 10)}},
	{"comments inside are kept", "SELECT /* x; */ 1 -- y;\n + 2;", []Statement{
		st("SELECT /* x; */ 1 -- y;\n + 2", 0, 1, 1)}},
	{"trailing comments are not part of Text", "SELECT 1 -- done\n/* really */ ;\nSELECT 2 /* end */", []Statement{
		st("SELECT 1", 0, 1, 1), st("SELECT 2", 32, 3, 1)}},
	{"last statement without delimiter", "SELECT 1;\nSELECT 2\n\n", []Statement{
		st("SELECT 1", 0, 1, 1), st("SELECT 2", 10, 2, 1)}},
	{"string with doubled quote", "SELECT 'a;''b';SELECT 2", []Statement{
		st("SELECT 'a;''b'", 0, 1, 1), st("SELECT 2", 15, 1, 16)}},
	{"comment markers inside a string", "SELECT '--;', '/*;';x", []Statement{
		st("SELECT '--;', '/*;'", 0, 1, 1), st("x", 20, 1, 21)}},
	{"CRLF line ends", "SELECT 1;\r\nSELECT 2\r\n", []Statement{
		st("SELECT 1", 0, 1, 1), st("SELECT 2", 11, 2, 1)}},
	{"columns count bytes", "SELECT 'é';\tSELECT 2", []Statement{
		st("SELECT 'é'", 0, 1, 1), st("SELECT 2", 13, 1, 14)}},
	{"byte order mark", "\xef\xbb\xbfSELECT 1;\nSELECT 2", []Statement{
		st("SELECT 1", 3, 1, 4), st("SELECT 2", 13, 2, 1)}},
	{"plain BEGIN is a statement", "BEGIN;\nSELECT 1;\nCOMMIT;", []Statement{
		st("BEGIN", 0, 1, 1), st("SELECT 1", 7, 2, 1), st("COMMIT", 17, 3, 1)}},
	{"keywords in strings are not keywords", "SELECT 'BEGIN ATOMIC', 'CREATE TRIGGER t BEGIN';SELECT 2", []Statement{
		st("SELECT 'BEGIN ATOMIC', 'CREATE TRIGGER t BEGIN'", 0, 1, 1), st("SELECT 2", 48, 1, 49)}},
}

var commonErrors = []errorCase{
	{"unterminated string", "SELECT 1;\n\nSELECT 'abc;\n", 3, 8, "unterminated string (started here)"},
	{"unterminated block comment", "SELECT 1; /* a ;", 1, 11, "unterminated block comment (started here)"},
}

func TestCommon(t *testing.T) {
	for _, d := range []Dialect{Postgres, SQLite, MySQL} {
		t.Run(d.String(), func(t *testing.T) {
			runSplitCases(t, d, commonCases)
			runErrorCases(t, d, commonErrors)
		})
	}
}

func TestPostgres(t *testing.T) {
	const atomic = "CREATE FUNCTION f() RETURNS int\nLANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN x THEN 1 ELSE 2 END;\n  SELECT 3;\nEND;\nSELECT 4;\n"
	runSplitCases(t, Postgres, []splitCase{
		{"backslash is literal in standard strings", `SELECT 'a\';SELECT 2`, []Statement{
			st(`SELECT 'a\'`, 0, 1, 1), st("SELECT 2", 12, 1, 13)}},
		{"escape strings", `SELECT E'it\'s;';SELECT e'\\';x`, []Statement{
			st(`SELECT E'it\'s;'`, 0, 1, 1), st(`SELECT e'\\'`, 17, 1, 18), st("x", 30, 1, 31)}},
		{"escape string with doubled quote", `SELECT E'a''b\\';x`, []Statement{
			st(`SELECT E'a''b\\'`, 0, 1, 1), st("x", 17, 1, 18)}},
		{"E inside a word starts no escape string", `SELECT xe'a\';SELECT 1`, []Statement{
			st(`SELECT xe'a\'`, 0, 1, 1), st("SELECT 1", 14, 1, 15)}},
		{"unicode strings", `SELECT U&'d\0061t\+000061;';x`, []Statement{
			st(`SELECT U&'d\0061t\+000061;'`, 0, 1, 1), st("x", 28, 1, 29)}},
		{"quoted identifiers", `SELECT "a;""b";SELECT 2`, []Statement{
			st(`SELECT "a;""b"`, 0, 1, 1), st("SELECT 2", 15, 1, 16)}},
		{"dollar quotes", "SELECT $$a;b$$;SELECT $fn$ $$; $fn$;x", []Statement{
			st("SELECT $$a;b$$", 0, 1, 1), st("SELECT $fn$ $$; $fn$", 15, 1, 16), st("x", 36, 1, 37)}},
		{"dollar quote tags are case-sensitive", "SELECT $a$ $A$; $a$;x", []Statement{
			st("SELECT $a$ $A$; $a$", 0, 1, 1), st("x", 20, 1, 21)}},
		{"dollar quote holding quotes and comments", "SELECT $q$ ' \" -- /* $q$;x", []Statement{
			st(`SELECT $q$ ' " -- /* $q$`, 0, 1, 1), st("x", 25, 1, 26)}},
		{"function body in a dollar quote", "CREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql;\nSELECT 1", []Statement{
			st("CREATE FUNCTION f() RETURNS trigger AS $body$\nBEGIN\n  RETURN NEW;\nEND;\n$body$ LANGUAGE plpgsql", 0, 1, 1),
			st("SELECT 1", 96, 6, 1)}},
		{"parameters are not dollar quotes", "SELECT $1;SELECT $2", []Statement{
			st("SELECT $1", 0, 1, 1), st("SELECT $2", 10, 1, 11)}},
		{"dollar inside an identifier", "SELECT a$b$c;SELECT 1", []Statement{
			st("SELECT a$b$c", 0, 1, 1), st("SELECT 1", 13, 1, 14)}},
		{"block comments nest", "SELECT 1 /* a /* b; */ c; */;SELECT 2", []Statement{
			st("SELECT 1", 0, 1, 1), st("SELECT 2", 29, 1, 30)}},
		{"double dash is always a comment", "SELECT 1--1;\nSELECT 2", []Statement{
			st("SELECT 1--1;\nSELECT 2", 0, 1, 1)}},
		{"BEGIN ATOMIC body", atomic, []Statement{
			st(atomic[:strings.LastIndex(atomic, "END;")+3], 0, 1, 1), st("SELECT 4", 115, 7, 1)}},
		{"BEGIN ATOMIC, any case, comment between", "create procedure p() begin /* x */ Atomic insert into t values (1); end;x", []Statement{
			st("create procedure p() begin /* x */ Atomic insert into t values (1); end", 0, 1, 1), st("x", 72, 1, 73)}},
		{"BEGIN ATOMIC with nested CASE", "CREATE FUNCTION f(x int) RETURNS int BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN CASE WHEN x > 9 THEN 2 ELSE 1 END ELSE 0 END; END;x", []Statement{
			st("CREATE FUNCTION f(x int) RETURNS int BEGIN ATOMIC SELECT CASE WHEN x > 0 THEN CASE WHEN x > 9 THEN 2 ELSE 1 END ELSE 0 END; END", 0, 1, 1),
			st("x", 128, 1, 129)}},
		{"empty BEGIN ATOMIC body", "CREATE PROCEDURE p() BEGIN ATOMIC END; SELECT 1", []Statement{
			st("CREATE PROCEDURE p() BEGIN ATOMIC END", 0, 1, 1), st("SELECT 1", 39, 1, 40)}},
		{"BEGIN then ATOMIC in another statement", "BEGIN; ATOMIC; END; SELECT 1", []Statement{
			st("BEGIN", 0, 1, 1), st("ATOMIC", 7, 1, 8), st("END", 15, 1, 16), st("SELECT 1", 20, 1, 21)}},
		{"BEGIN ATOMIC only as whole words", `SELECT begin_ atomic; SELECT "begin" atomic; SELECT 1`, []Statement{
			st("SELECT begin_ atomic", 0, 1, 1), st(`SELECT "begin" atomic`, 22, 1, 23), st("SELECT 1", 45, 1, 46)}},
		{"CASE outside a body counts nothing", "SELECT CASE WHEN true THEN 1 END; SELECT 2", []Statement{
			st("SELECT CASE WHEN true THEN 1 END", 0, 1, 1), st("SELECT 2", 34, 1, 35)}},
	})
	runErrorCases(t, Postgres, []errorCase{
		{"unterminated quoted identifier", "SELECT 1;\nSELECT \"abc", 2, 8, "unterminated quoted identifier (started here)"},
		{"unterminated nested block comment", "SELECT 1 /* a /* b */", 1, 10, "unterminated block comment (started here)"},
		{"unterminated escape string", `SELECT E'abc\'`, 1, 8, "unterminated escape string (started here)"},
		{"unterminated dollar quote", "SELECT 1;\n  SELECT $body$ x;\n", 2, 10, "unterminated dollar-quoted string $body$ (started here)"},
		{"unterminated empty-tag dollar quote", "SELECT $$ x; $a$", 1, 8, "unterminated dollar-quoted string $$ (started here)"},
		{"BEGIN ATOMIC without END", "CREATE FUNCTION f() BEGIN ATOMIC SELECT 1;", 1, 21, "BEGIN ATOMIC without matching END (started here)"},
		{"BEGIN ATOMIC with CASE eating its END", "CREATE FUNCTION f() BEGIN ATOMIC SELECT CASE WHEN true THEN 1; END;", 1, 21, "BEGIN ATOMIC without matching END (started here)"},
	})
}

func TestSQLite(t *testing.T) {
	const trigger = "CREATE TRIGGER trg AFTER INSERT ON t\nBEGIN\n  UPDATE u SET n = CASE WHEN new.a > 0 THEN 1 ELSE 0 END;\n  INSERT INTO log VALUES ('end;');\nEND;\nSELECT 1;\n"
	runSplitCases(t, SQLite, []splitCase{
		{"quoted identifiers", "SELECT [a;b], `c;``d`, \"e;\"\"f\";x", []Statement{
			st("SELECT [a;b], `c;``d`, \"e;\"\"f\"", 0, 1, 1), st("x", 31, 1, 32)}},
		{"brackets have no escape", "SELECT [a]];x", []Statement{
			st("SELECT [a]]", 0, 1, 1), st("x", 12, 1, 13)}},
		{"backslash is literal", `SELECT 'a\';x`, []Statement{
			st(`SELECT 'a\'`, 0, 1, 1), st("x", 12, 1, 13)}},
		{"block comments do not nest", "SELECT 1 /* a /* b */; SELECT 2", []Statement{
			st("SELECT 1", 0, 1, 1), st("SELECT 2", 23, 1, 24)}},
		{"dollar is no quote", "SELECT $a;SELECT $$", []Statement{
			st("SELECT $a", 0, 1, 1), st("SELECT $$", 10, 1, 11)}},
		{"trigger body", trigger, []Statement{
			st(trigger[:strings.LastIndex(trigger, "END;")+3], 0, 1, 1), st("SELECT 1", 141, 6, 1)}},
		{"temp trigger, lower case, IF NOT EXISTS", "create temp trigger if not exists t before delete on x begin delete from y; end;x", []Statement{
			st("create temp trigger if not exists t before delete on x begin delete from y; end", 0, 1, 1), st("x", 80, 1, 81)}},
		{"TEMPORARY trigger", "CREATE TEMPORARY TRIGGER t AFTER UPDATE ON x BEGIN SELECT 1; SELECT 2; END; x", []Statement{
			st("CREATE TEMPORARY TRIGGER t AFTER UPDATE ON x BEGIN SELECT 1; SELECT 2; END", 0, 1, 1), st("x", 76, 1, 77)}},
		{"trigger with CASE in WHEN and in body", "CREATE TRIGGER t AFTER UPDATE ON x WHEN CASE WHEN new.a THEN 1 END BEGIN SELECT CASE WHEN 1 THEN RAISE(ABORT, 'no') END; END;x", []Statement{
			st("CREATE TRIGGER t AFTER UPDATE ON x WHEN CASE WHEN new.a THEN 1 END BEGIN SELECT CASE WHEN 1 THEN RAISE(ABORT, 'no') END; END", 0, 1, 1),
			st("x", 125, 1, 126)}},
		{"keywords in comments and quotes of a trigger", "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 'end' AS \"end\", [case] -- END;\n; /* END; */ END; x", []Statement{
			st("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 'end' AS \"end\", [case] -- END;\n; /* END; */ END", 0, 1, 1), st("x", 97, 2, 19)}},
		{"BEGIN outside a trigger", "BEGIN TRANSACTION; CREATE TABLE t (a); END TRANSACTION; x", []Statement{
			st("BEGIN TRANSACTION", 0, 1, 1), st("CREATE TABLE t (a)", 19, 1, 20), st("END TRANSACTION", 39, 1, 40), st("x", 56, 1, 57)}},
		{"CREATE of something else", "CREATE TABLE trigger_log (a); CREATE VIEW v AS SELECT 1 AS begin; x", []Statement{
			st("CREATE TABLE trigger_log (a)", 0, 1, 1), st("CREATE VIEW v AS SELECT 1 AS begin", 30, 1, 31), st("x", 66, 1, 67)}},
		{"two triggers", "CREATE TRIGGER a AFTER INSERT ON x BEGIN SELECT 1; END;\nCREATE TRIGGER b AFTER INSERT ON x BEGIN SELECT 2; END;", []Statement{
			st("CREATE TRIGGER a AFTER INSERT ON x BEGIN SELECT 1; END", 0, 1, 1),
			st("CREATE TRIGGER b AFTER INSERT ON x BEGIN SELECT 2; END", 56, 2, 1)}},
	})
	runErrorCases(t, SQLite, []errorCase{
		{"unterminated bracket", "SELECT [abc", 1, 8, "unterminated quoted identifier (started here)"},
		{"unterminated backquote", "SELECT `a``", 1, 8, "unterminated quoted identifier (started here)"},
		{"unterminated double quote", "SELECT \"a", 1, 8, "unterminated quoted identifier (started here)"},
		{"trigger without END", "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;", 1, 36, "trigger body BEGIN without matching END (started here)"},
		{"trigger whose CASE eats the END", "CREATE TRIGGER t AFTER INSERT ON x\nBEGIN SELECT CASE 1; END;", 2, 1, "trigger body BEGIN without matching END (started here)"},
	})
}

func TestMySQL(t *testing.T) {
	const proc = "DELIMITER $$\nCREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND$$\nDELIMITER ;\nCALL p();\n"
	runSplitCases(t, MySQL, []splitCase{
		{"double dash without space is arithmetic", "SELECT 1--1;SELECT 2", []Statement{
			st("SELECT 1--1", 0, 1, 1), st("SELECT 2", 12, 1, 13)}},
		{"double dash and space is a comment", "SELECT 1 -- c;\nSELECT 2;", []Statement{
			st("SELECT 1 -- c;\nSELECT 2", 0, 1, 1)}},
		{"double dash and tab is a comment", "SELECT 1 --\tc;\n;x", []Statement{
			st("SELECT 1", 0, 1, 1), st("x", 16, 2, 2)}},
		{"double dash and newline is a comment", "SELECT 1 --\n;x", []Statement{
			st("SELECT 1", 0, 1, 1), st("x", 13, 2, 2)}},
		{"double dash at the end is a comment", "SELECT 1;SELECT 2--", []Statement{
			st("SELECT 1", 0, 1, 1), st("SELECT 2", 9, 1, 10)}},
		{"hash comment", "SELECT 1 # a;b\n, 2;x", []Statement{
			st("SELECT 1 # a;b\n, 2", 0, 1, 1), st("x", 19, 2, 5)}},
		{"backslash escapes in strings", `SELECT 'it\'s;', "a\";b", 'x''y;', '\\';z`, []Statement{
			st(`SELECT 'it\'s;', "a\";b", 'x''y;', '\\'`, 0, 1, 1), st("z", 40, 1, 41)}},
		{"backquoted identifiers", "SELECT `a;``b`;x", []Statement{
			st("SELECT `a;``b`", 0, 1, 1), st("x", 15, 1, 16)}},
		{"backslash in a backquoted identifier is literal", "SELECT `a\\`;x", []Statement{
			st("SELECT `a\\`", 0, 1, 1), st("x", 12, 1, 13)}},
		{"executable comments are statements", "/*!40101 SET NAMES utf8; */;\nCREATE TABLE t (a int) /*!50100 PARTITION BY HASH(a) */;", []Statement{
			st("/*!40101 SET NAMES utf8; */", 0, 1, 1), st("CREATE TABLE t (a int) /*!50100 PARTITION BY HASH(a) */", 29, 2, 1)}},
		{"comment end inside a string of an executable comment", "/*!50000 SELECT '*/;' */;x", []Statement{
			st("/*!50000 SELECT '*/;' */", 0, 1, 1), st("x", 25, 1, 26)}},
		{"MariaDB executable comment", "/*M!100100 SET x=1; */;y", []Statement{
			st("/*M!100100 SET x=1; */", 0, 1, 1), st("y", 23, 1, 24)}},
		{"ordinary and hint comments", "/* a; */ SELECT /*+ BKA(t) */ 1 /* ; */;x", []Statement{
			st("SELECT /*+ BKA(t) */ 1", 9, 1, 10), st("x", 40, 1, 41)}},
		{"DELIMITER for a procedure", proc, []Statement{
			st("CREATE PROCEDURE p()\nBEGIN\n  SELECT 1;\n  SELECT 2;\nEND", 13, 2, 1), st("CALL p()", 82, 8, 1)}},
		{"lower-case delimiter, several statements", "delimiter //\nSELECT 1//SELECT 2 //\n  Delimiter ;\nSELECT 3;", []Statement{
			st("SELECT 1", 13, 2, 1), st("SELECT 2", 23, 2, 11), st("SELECT 3", 49, 4, 1)}},
		{"no DELIMITER: bodies split at semicolons", "CREATE PROCEDURE p() BEGIN SELECT 1; END;", []Statement{
			st("CREATE PROCEDURE p() BEGIN SELECT 1", 0, 1, 1), st("END", 37, 1, 38)}},
		{"DELIMITER after a statement on the same line", "SELECT 1; DELIMITER ;;\nSELECT 2; SELECT 3;;x", []Statement{
			st("SELECT 1", 0, 1, 1), st("SELECT 2; SELECT 3", 23, 2, 1), st("x", 43, 2, 21)}},
		{"delimiter inside a statement is a word", "SELECT\ndelimiter FROM t;x", []Statement{
			st("SELECT\ndelimiter FROM t", 0, 1, 1), st("x", 24, 2, 18)}},
		{"delimiter not followed by space is a word", "delimiter;x", []Statement{
			st("delimiter", 0, 1, 1), st("x", 10, 1, 11)}},
		{"DELIMITER with a trailing comment", "DELIMITER $$ -- switch\nSELECT 1$$ DELIMITER ; # back\nSELECT 2;", []Statement{
			st("SELECT 1", 23, 2, 1), st("SELECT 2", 53, 3, 1)}},
		{"quoted DELIMITER argument", "DELIMITER '//'\nSELECT 1//", []Statement{
			st("SELECT 1", 15, 2, 1)}},
		{"custom delimiter in strings and comments", "DELIMITER $$\nSELECT '$$', `$$`, \"$$\" /* $$ */ # $$\n, 1$$", []Statement{
			st("SELECT '$$', `$$`, \"$$\" /* $$ */ # $$\n, 1", 13, 2, 1)}},
		{"custom delimiter inside a number", "DELIMITER $$\nSELECT 1$$SELECT 2$$", []Statement{
			st("SELECT 1", 13, 2, 1), st("SELECT 2", 23, 2, 11)}},
		{"custom delimiter starting with a semicolon", "DELIMITER ;;\nSELECT 1; SELECT 2;;x", []Statement{
			st("SELECT 1; SELECT 2", 13, 2, 1), st("x", 33, 2, 21)}},
		{"DELIMITER in a comment is a comment", "-- DELIMITER $$\nSELECT 1;", []Statement{
			st("SELECT 1", 16, 2, 1)}},
		{"DELIMITER after a leading comment", "/* x */ DELIMITER $$\nSELECT 1$$", []Statement{
			st("SELECT 1", 21, 2, 1)}},
		{"DELIMITER with CRLF line ends", "DELIMITER $$\r\nSELECT 1$$\r\nDELIMITER ;\r\nSELECT 2;\r\n", []Statement{
			st("SELECT 1", 14, 2, 1), st("SELECT 2", 39, 4, 1)}},
		{"DELIMITER at the end of the input", "SELECT 1;\nDELIMITER $$", []Statement{
			st("SELECT 1", 0, 1, 1)}},
	})
	runErrorCases(t, MySQL, []errorCase{
		{"unterminated string with escaped quote", `SELECT 'abc\'`, 1, 8, "unterminated string (started here)"},
		{"unterminated double-quoted string", `SELECT "abc`, 1, 8, "unterminated string (started here)"},
		{"unterminated backquote", "SELECT `a", 1, 8, "unterminated quoted identifier (started here)"},
		{"unterminated executable comment", "SELECT 1;\n/*!40101 SET x=1;", 2, 1, "unterminated executable comment (started here)"},
		{"unterminated string in an executable comment", "/*!40101 SET x='*/;", 1, 16, "unterminated string (started here)"},
		{"DELIMITER without argument", "SELECT 1;\ndelimiter \nSELECT 2", 2, 1, "DELIMITER needs an argument, the new delimiter"},
		{"DELIMITER at the end of the input without argument", "DELIMITER", 1, 1, "DELIMITER needs an argument, the new delimiter"},
		{"DELIMITER with a backslash", `DELIMITER a\b`, 1, 11, `DELIMITER a\b: a delimiter cannot contain a backslash`},
		{"DELIMITER with an empty quoted argument", `DELIMITER ''`, 1, 11, "DELIMITER needs a non-empty delimiter"},
		{"DELIMITER with an unterminated quoted argument", "DELIMITER '$$\nSELECT 1", 1, 11, "unterminated quoted DELIMITER argument (started here)"},
		{"DELIMITER followed by SQL", "DELIMITER $$ SELECT 1$$", 1, 14, "unexpected text after DELIMITER $$: the command takes the rest of its line"},
	})
}

func TestSyntaxErrorMessage(t *testing.T) {
	src := strings.Repeat("\n", 11) + "    SELECT $body$ unterminated"
	_, err := Split(Postgres, src)
	const want = "line 12, column 12: unterminated dollar-quoted string $body$ (started here)"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func TestUnknownDialect(t *testing.T) {
	for _, d := range []Dialect{0, MySQL + 1} {
		got, err := Split(d, "SELECT 1")
		var se *SyntaxError
		if err == nil || errors.As(err, &se) || got != nil {
			t.Errorf("Split(%d) = %v, %v; want a plain error", int(d), got, err)
		}
	}
}

func TestDialectNames(t *testing.T) {
	for _, d := range []Dialect{Postgres, SQLite, MySQL} {
		got, err := ParseDialect(strings.ToUpper(d.String()))
		if err != nil || got != d {
			t.Errorf("ParseDialect(%q) = %v, %v", d.String(), got, err)
		}
	}
	for name, want := range map[string]Dialect{"postgresql": Postgres, "pg": Postgres, "sqlite3": SQLite, "mariadb": MySQL} {
		if got, err := ParseDialect(name); err != nil || got != want {
			t.Errorf("ParseDialect(%q) = %v, %v; want %v", name, got, err, want)
		}
	}
	if _, err := ParseDialect("oracle"); err == nil {
		t.Error("ParseDialect(oracle) succeeded")
	}
	if got := Dialect(9).String(); got != "Dialect(9)" {
		t.Errorf("Dialect(9).String() = %q", got)
	}
}

// TestLargeInput checks positions far into a long file, where the position
// cursor has moved many times.
func TestLargeInput(t *testing.T) {
	for _, d := range []Dialect{Postgres, SQLite, MySQL} {
		src := benchInput(d, 2000)
		got, err := Split(d, src)
		if err != nil {
			t.Fatalf("%v: %v", d, err)
		}
		if want := 2000 + 2000/5; len(got) != want { // see benchInput
			t.Fatalf("%v: %d statements, want %d", d, len(got), want)
		}
		if msg := checkPositions(src, got); msg != "" {
			t.Fatalf("%v: %s", d, msg)
		}
	}
}
