// Package sqlsplit splits a migration file into the statements it holds, by
// the lexical rules of one SQL dialect.
//
// # What a statement is
//
// A statement is the text between two delimiters (";" unless a MySQL
// DELIMITER command changed it), where delimiters inside string literals,
// quoted identifiers, comments and the bodies described below do not count.
// Split returns, for each statement, its Text: the source from the first
// byte of its first token to the last byte of its last token. Leading and
// trailing white space and comments are therefore not part of Text, the
// terminating delimiter is not either, and everything between the first and
// the last token is kept verbatim, comments included. A statement that holds
// no token at all (only white space and comments, or nothing between two
// delimiters) is dropped, so a file of comments yields no statement and no
// error. The last statement of a file needs no delimiter.
//
// Text is always a substring of the source: Text == src[Offset:Offset+len(Text)].
// Line and Column locate Offset: Line is 1-based and counts "\n" bytes,
// Column is the 1-based byte offset within that line (a tab or a multi-byte
// character counts as its bytes). A UTF-8 byte order mark at the start of the
// file is skipped like white space. White space is the ASCII set: space, \t,
// \n, \r, \v and \f.
//
// # Constructs per dialect
//
// Every dialect knows these, besides the delimiter:
//
//	'it''s'                       string; a doubled quote stands for itself
//	"a ""b"""                     quoted identifier (MySQL: a string, see below)
//	-- to end of line             line comment (MySQL: see below)
//	/* ... */                     block comment
//
// Postgres:
//
//	/* a /* b */ c */             block comments nest
//	$$ ... $$, $tag$ ... $tag$    dollar quotes; the tag is made of identifier
//	                              characters and does not start with a digit;
//	                              $1 is a parameter and a$b$ an identifier
//	E'it\'s', e'...'              escape strings: a backslash escapes the next
//	                              byte; other strings take it literally
//	                              (standard_conforming_strings on)
//	BEGIN ATOMIC ... END          a SQL-standard routine body, which may hold
//	                              delimiters: the statement goes on until the
//	                              END that matches BEGIN ATOMIC, counting the
//	                              CASE ... END pairs inside the body
//
// SQLite:
//
//	`a``b`, [a b]                 quoted identifiers
//	/* a /* b */                  block comments do not nest
//	CREATE [TEMP|TEMPORARY] TRIGGER ... BEGIN ...; ...; END
//	                              the trigger body may hold delimiters: in such
//	                              a statement, and only there, BEGIN and CASE
//	                              open a block that END closes, and the
//	                              statement ends at the first delimiter outside
//	                              every block; a plain BEGIN; is an ordinary
//	                              statement
//
// MySQL and MariaDB:
//
//	`a``b`                        quoted identifier
//	'it\'s', "a\"b", 'it''s'      strings, in which a backslash escapes the
//	                              next byte (the NO_BACKSLASH_ESCAPES and
//	                              ANSI_QUOTES modes are not supported)
//	# to end of line              line comment
//	-- to end of line             line comment only when white space, a control
//	                              character or the end of the input follows
//	                              "--": SELECT 1--1 is arithmetic
//	/*! ... */, /*!50100 ... */,  executable comments: SQL, not comments; they
//	/*M! ... */                   are tokens, delimiters inside them do not
//	                              split, and they stay in Text
//	DELIMITER $$                  the client command that changes the
//	                              delimiter of the statements that follow
//
// DELIMITER is recognised where a statement would start: as its first word,
// in any case, followed by white space. It takes the rest of its line (the
// new delimiter, optionally quoted, then nothing but white space or a line
// comment) and is not a statement itself. As with the command-line client, a
// custom delimiter ends a statement wherever it appears outside strings and
// comments, even inside a word (END$$), and BEGIN ... END bodies get no
// special treatment: with the default delimiter, a routine or trigger body is
// split at its semicolons, so such bodies need a DELIMITER change.
//
// Keywords (BEGIN, END, CASE, ATOMIC, CREATE, TEMP, TEMPORARY, TRIGGER,
// DELIMITER) are matched in any case, as whole words, outside strings,
// quoted identifiers and comments.
//
// # Errors
//
// A construct that the input leaves open (a string, a quoted identifier, a
// block or executable comment, a dollar quote, a BEGIN ATOMIC or trigger body)
// and a malformed DELIMITER command are reported as a *SyntaxError that
// locates where the construct started.
package sqlsplit

import (
	"fmt"
	"strings"
)

// Dialect selects the lexical rules.
type Dialect int

const (
	Postgres Dialect = iota + 1
	SQLite
	MySQL
)

// String returns the dialect's name: "postgres", "sqlite" or "mysql".
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	case MySQL:
		return "mysql"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// ParseDialect returns the dialect with the given name, case-insensitively:
// "postgres" (or "postgresql", "pg"), "sqlite" (or "sqlite3"), "mysql" (or
// "mariadb").
func ParseDialect(name string) (Dialect, error) {
	switch strings.ToLower(name) {
	case "postgres", "postgresql", "pg":
		return Postgres, nil
	case "sqlite", "sqlite3":
		return SQLite, nil
	case "mysql", "mariadb":
		return MySQL, nil
	}
	return 0, fmt.Errorf("sqlsplit: unknown dialect %q (want postgres, sqlite or mysql)", name)
}

// Statement is one statement of a file.
type Statement struct {
	// Text is the statement without its terminating delimiter, from the
	// first byte of its first token to the last byte of its last token:
	// leading and trailing white space and comments are excluded, comments
	// inside the statement are kept verbatim.
	Text string
	// Offset is the byte offset of Text in the source.
	Offset int
	// Line and Column (1-based, Column in bytes) locate Text's first byte.
	Line   int
	Column int
}

// SyntaxError reports input that cannot be split: a construct left open
// at the end of the input, or a malformed DELIMITER command. Line and Column
// (1-based, Column in bytes) locate where the construct started.
type SyntaxError struct {
	Line   int
	Column int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Split returns the statements of src, in source order. On a *SyntaxError
// it returns no statement.
func Split(d Dialect, src string) ([]Statement, error) {
	s := splitter{
		src:       src,
		start:     -1,
		blockOpen: -1,
		beginAt:   -1,
		line:      1,
	}
	// Most statements end with ';': size the result once, within reason
	// for a source whose semicolons are mostly in strings.
	n := strings.Count(src, ";") + 1
	n = min(n, len(src)/8+1)
	s.out = make([]Statement, 0, n)
	i := 0
	if strings.HasPrefix(src, "\xef\xbb\xbf") {
		i = 3
	}
	var err error
	switch d {
	case Postgres:
		err = s.postgres(i)
	case SQLite:
		err = s.sqlite(i)
	case MySQL:
		err = s.mysql(i)
	default:
		return nil, fmt.Errorf("sqlsplit: unknown dialect %d", int(d))
	}
	if err != nil {
		return nil, err
	}
	return s.out, nil
}

// splitter holds the state of one Split call.
type splitter struct {
	src string
	out []Statement

	// The statement being read: start is the offset of its first token
	// (-1 before it), end the offset just past its last token.
	start, end int

	// Block tracking (Postgres BEGIN ATOMIC, SQLite trigger bodies).
	depth     int // open blocks
	blockOpen int // offset of the keyword that opened the outermost block
	beginAt   int // Postgres: offset of BEGIN when it is the last token, else -1
	trigger   int // SQLite: progress through CREATE [TEMP] TRIGGER, see sqliteWord

	// MySQL delimiter; delim0 is its first byte.
	delim  string
	delim0 byte

	// Position cursor: line is the line of offset off, which starts at
	// lineStart. Offsets asked for mostly increase, so each Split counts
	// every newline about once.
	off, line, lineStart int
}

// token records a token at src[from:to] in the current statement.
func (s *splitter) token(from, to int) {
	if s.start < 0 {
		s.start = from
	}
	s.end = to
}

// emit ends the current statement.
func (s *splitter) emit() {
	if s.start >= 0 {
		line, col := s.position(s.start)
		s.out = append(s.out, Statement{
			Text:   s.src[s.start:s.end],
			Offset: s.start,
			Line:   line,
			Column: col,
		})
	}
	s.start = -1
	s.depth = 0
	s.blockOpen = -1
	s.beginAt = -1
	s.trigger = 0
}

// position returns the 1-based line and byte column of offset off.
func (s *splitter) position(off int) (line, col int) {
	if off < s.off {
		s.off, s.line, s.lineStart = 0, 1, 0
	}
	seg := s.src[s.off:off]
	if n := strings.Count(seg, "\n"); n > 0 {
		s.line += n
		s.lineStart = s.off + strings.LastIndexByte(seg, '\n') + 1
	}
	s.off = off
	return s.line, off - s.lineStart + 1
}

// errorAt returns a *SyntaxError located at offset off.
func (s *splitter) errorAt(off int, format string, args ...any) error {
	line, col := s.position(off)
	return &SyntaxError{Line: line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

// Byte classes for the main loops. Each dialect has its own table, so the
// loop tests one table entry per byte.
const (
	cOther   uint8 = iota // a one-byte token
	cSpace                // white space
	cWord                 // starts a word (letter, '_', non-ASCII byte)
	cDigit                // starts a number
	cSquote               // '
	cDquote               // "
	cBquote               // `
	cBracket              // [ (SQLite)
	cDash                 // -
	cSlash                // /
	cSemi                 // ;
	cDollar               // $ (Postgres)
	cHash                 // # (MySQL)
)

var pgClass, sqliteClass, mysqlClass [256]uint8

// identChar tells which bytes continue a word, in every dialect: letters,
// digits, '_', '$' and non-ASCII bytes.
var identChar [256]bool

func init() {
	for _, t := range []*[256]uint8{&pgClass, &sqliteClass, &mysqlClass} {
		for c := 0; c < 256; c++ {
			switch {
			case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
				t[c] = cWord
			case c >= '0' && c <= '9':
				t[c] = cDigit
			case isSpace(byte(c)):
				t[c] = cSpace
			}
		}
		t['\''] = cSquote
		t['"'] = cDquote
		t['-'] = cDash
		t['/'] = cSlash
		t[';'] = cSemi
	}
	pgClass['$'] = cDollar
	sqliteClass['`'] = cBquote
	sqliteClass['['] = cBracket
	mysqlClass['`'] = cBquote
	mysqlClass['#'] = cHash

	for c := 0; c < 256; c++ {
		identChar[c] = c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			c >= '0' && c <= '9' || c >= 0x80
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// isKeyword reports whether word is kw, ignoring ASCII case; kw is lower case.
func isKeyword(word, kw string) bool {
	if len(word) != len(kw) {
		return false
	}
	for i := 0; i < len(kw); i++ {
		if word[i]|0x20 != kw[i] {
			return false
		}
	}
	return true
}

// skipDoubled returns the offset just past the literal opened by the quote
// q at src[i], where a doubled q stands for itself, or -1 when the input
// ends first.
func skipDoubled(src string, i int, q byte) int {
	j := i + 1
	for {
		k := strings.IndexByte(src[j:], q)
		if k < 0 {
			return -1
		}
		j += k + 1
		if j < len(src) && src[j] == q {
			j++
			continue
		}
		return j
	}
}

// skipBackslash is skipDoubled for literals in which a backslash also
// escapes the next byte.
func skipBackslash(src string, i int, q byte) int {
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case q:
			if j+1 < len(src) && src[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return -1
}

// skipLine returns the offset of the newline that ends the line comment
// starting at i (len(src) when the input ends first). The newline is white
// space of its own.
func skipLine(src string, i int) int {
	if k := strings.IndexByte(src[i:], '\n'); k >= 0 {
		return i + k
	}
	return len(src)
}

// skipBlock returns the offset just past the non-nesting block comment
// opened at src[i:i+2], or -1.
func skipBlock(src string, i int) int {
	if k := strings.Index(src[i+2:], "*/"); k >= 0 {
		return i + 2 + k + 2
	}
	return -1
}

// skipWord returns the end of the word that starts at i.
func skipWord(src string, i int) int {
	j := i + 1
	for j < len(src) && identChar[src[j]] {
		j++
	}
	return j
}

// quoted records the string or quoted identifier src[i:end] as a token and
// returns end; end < 0 means the input ended inside it, which is an error.
func (s *splitter) quoted(i int, end int, what string) (int, error) {
	if end < 0 {
		return 0, s.errorAt(i, "unterminated %s (started here)", what)
	}
	s.token(i, end)
	return end, nil
}

// postgres splits s.src by the Postgres rules, from offset i.
func (s *splitter) postgres(i int) error {
	src := s.src
	n := len(src)
	var err error
	for i < n {
		c := src[i]
		switch pgClass[c] {
		case cSpace:
			i++
		case cWord:
			j := skipWord(src, i)
			if j-i == 1 && c|0x20 == 'e' && j < n && src[j] == '\'' {
				// E'…': escape string.
				if i, err = s.quoted(i, skipBackslash(src, j, '\''), "escape string"); err != nil {
					return err
				}
				s.beginAt = -1
				continue
			}
			s.postgresWord(i, j)
			i = j
		case cDigit:
			// A number never holds '$': 1$$…$$ is a number then a
			// dollar quote.
			j := i + 1
			for j < n && identChar[src[j]] && src[j] != '$' {
				j++
			}
			s.token(i, j)
			s.beginAt = -1
			i = j
		case cSquote:
			if i, err = s.quoted(i, skipDoubled(src, i, '\''), "string"); err != nil {
				return err
			}
			s.beginAt = -1
		case cDquote:
			if i, err = s.quoted(i, skipDoubled(src, i, '"'), "quoted identifier"); err != nil {
				return err
			}
			s.beginAt = -1
		case cDollar:
			if i, err = s.dollar(i); err != nil {
				return err
			}
			s.beginAt = -1
		case cDash:
			if i+1 < n && src[i+1] == '-' {
				i = skipLine(src, i)
				continue
			}
			s.token(i, i+1)
			s.beginAt = -1
			i++
		case cSlash:
			if i+1 < n && src[i+1] == '*' {
				if i, err = s.nestedComment(i); err != nil {
					return err
				}
				continue
			}
			s.token(i, i+1)
			s.beginAt = -1
			i++
		case cSemi:
			if s.depth == 0 {
				s.emit()
			} else {
				s.token(i, i+1)
				s.beginAt = -1
			}
			i++
		default:
			s.token(i, i+1)
			s.beginAt = -1
			i++
		}
	}
	if s.depth > 0 {
		return s.errorAt(s.blockOpen, "BEGIN ATOMIC without matching END (started here)")
	}
	s.emit()
	return nil
}

// postgresWord records the word src[i:j] and tracks BEGIN ATOMIC … END.
func (s *splitter) postgresWord(i, j int) {
	s.token(i, j)
	begin := s.beginAt
	s.beginAt = -1
	w := s.src[i:j]
	switch len(w) {
	case 3:
		if s.depth > 0 && isKeyword(w, "end") {
			s.depth--
		}
	case 4:
		if s.depth > 0 && isKeyword(w, "case") {
			s.depth++
		}
	case 5:
		if isKeyword(w, "begin") {
			s.beginAt = i
		}
	case 6:
		if begin >= 0 && isKeyword(w, "atomic") {
			if s.depth == 0 {
				s.blockOpen = begin
			}
			s.depth++
		}
	}
}

// dollar handles a '$' at src[i] in Postgres: a dollar quote, or a one-byte
// token (a parameter such as $1, or a stray '$').
func (s *splitter) dollar(i int) (int, error) {
	src := s.src
	j := i + 1
	if j < len(src) && src[j] != '$' {
		if c := src[j]; pgClass[c] != cWord {
			s.token(i, j)
			return j, nil
		}
		for j < len(src) && identChar[src[j]] && src[j] != '$' {
			j++
		}
	}
	if j >= len(src) || src[j] != '$' {
		// $name without a closing '$' is no quote.
		s.token(i, i+1)
		return i + 1, nil
	}
	tag := src[i : j+1]
	k := strings.Index(src[j+1:], tag)
	if k < 0 {
		return 0, s.errorAt(i, "unterminated dollar-quoted string %s (started here)", tag)
	}
	end := j + 1 + k + len(tag)
	s.token(i, end)
	return end, nil
}

// nestedComment skips the Postgres block comment opened at src[i:i+2];
// such comments nest.
func (s *splitter) nestedComment(i int) (int, error) {
	src := s.src
	depth := 1
	j := i + 2
	for j+1 < len(src) {
		switch {
		case src[j] == '*' && src[j+1] == '/':
			j += 2
			if depth--; depth == 0 {
				return j, nil
			}
		case src[j] == '/' && src[j+1] == '*':
			j += 2
			depth++
		default:
			j++
		}
	}
	return 0, s.errorAt(i, "unterminated block comment (started here)")
}

// sqlite splits s.src by the SQLite rules, from offset i.
func (s *splitter) sqlite(i int) error {
	src := s.src
	n := len(src)
	var err error
	for i < n {
		c := src[i]
		switch sqliteClass[c] {
		case cSpace:
			i++
		case cWord:
			j := skipWord(src, i)
			s.token(i, j)
			s.sqliteWord(i, src[i:j])
			i = j
		case cDigit:
			j := skipWord(src, i)
			s.token(i, j)
			i = j
		case cSquote:
			if i, err = s.quoted(i, skipDoubled(src, i, '\''), "string"); err != nil {
				return err
			}
		case cDquote:
			if i, err = s.quoted(i, skipDoubled(src, i, '"'), "quoted identifier"); err != nil {
				return err
			}
		case cBquote:
			if i, err = s.quoted(i, skipDoubled(src, i, '`'), "quoted identifier"); err != nil {
				return err
			}
		case cBracket:
			end := -1
			if k := strings.IndexByte(src[i+1:], ']'); k >= 0 {
				end = i + 1 + k + 1
			}
			if i, err = s.quoted(i, end, "quoted identifier"); err != nil {
				return err
			}
		case cDash:
			if i+1 < n && src[i+1] == '-' {
				i = skipLine(src, i)
				continue
			}
			s.token(i, i+1)
			i++
		case cSlash:
			if i+1 < n && src[i+1] == '*' {
				end := skipBlock(src, i)
				if end < 0 {
					return s.errorAt(i, "unterminated block comment (started here)")
				}
				i = end
				continue
			}
			s.token(i, i+1)
			i++
		case cSemi:
			if s.depth == 0 {
				s.emit()
			} else {
				s.token(i, i+1)
			}
			i++
		default:
			s.token(i, i+1)
			i++
		}
	}
	if s.depth > 0 {
		return s.errorAt(s.blockOpen, "trigger body BEGIN without matching END (started here)")
	}
	s.emit()
	return nil
}

// Progress through the head of a SQLite statement, in s.trigger.
const (
	trigStart  = iota // no word yet
	trigCreate        // CREATE
	trigTemp          // CREATE TEMP
	trigBody          // CREATE [TEMP] TRIGGER: BEGIN, CASE and END count
	trigNoTrig        // any other statement
)

// sqliteWord tracks CREATE [TEMP|TEMPORARY] TRIGGER … BEGIN … END for the
// word w at offset i.
func (s *splitter) sqliteWord(i int, w string) {
	switch s.trigger {
	case trigStart:
		s.trigger = trigNoTrig
		if isKeyword(w, "create") {
			s.trigger = trigCreate
		}
	case trigCreate:
		switch {
		case isKeyword(w, "temp"), isKeyword(w, "temporary"):
			s.trigger = trigTemp
		case isKeyword(w, "trigger"):
			s.trigger = trigBody
		default:
			s.trigger = trigNoTrig
		}
	case trigTemp:
		s.trigger = trigNoTrig
		if isKeyword(w, "trigger") {
			s.trigger = trigBody
		}
	case trigBody:
		switch {
		case isKeyword(w, "begin"), isKeyword(w, "case"):
			if s.depth == 0 {
				s.blockOpen = i
			}
			s.depth++
		case s.depth > 0 && isKeyword(w, "end"):
			s.depth--
		}
	}
}

// mysql splits s.src by the MySQL rules, from offset i.
func (s *splitter) mysql(i int) error {
	src := s.src
	n := len(src)
	s.delim, s.delim0 = ";", ';'
	custom := false // the delimiter is not ";"
	var err error
	for i < n {
		c := src[i]
		if custom && c == s.delim0 && strings.HasPrefix(src[i:], s.delim) {
			s.emit()
			i += len(s.delim)
			continue
		}
		switch mysqlClass[c] {
		case cSpace:
			i++
		case cWord:
			j := s.mysqlWordEnd(i, custom)
			if s.start < 0 && j-i == 9 && isKeyword(src[i:j], "delimiter") &&
				(j == n || isSpace(src[j])) {
				if i, err = s.delimiterCommand(i, j); err != nil {
					return err
				}
				custom = s.delim != ";"
				continue
			}
			s.token(i, j)
			i = j
		case cDigit:
			j := s.mysqlWordEnd(i, custom)
			s.token(i, j)
			i = j
		case cSquote, cDquote:
			if i, err = s.quoted(i, skipBackslash(src, i, c), "string"); err != nil {
				return err
			}
		case cBquote:
			if i, err = s.quoted(i, skipDoubled(src, i, '`'), "quoted identifier"); err != nil {
				return err
			}
		case cHash:
			i = skipLine(src, i)
		case cDash:
			if i+1 < n && src[i+1] == '-' && (i+2 == n || src[i+2] <= ' ') {
				i = skipLine(src, i)
				continue
			}
			s.token(i, i+1)
			i++
		case cSlash:
			if i+1 < n && src[i+1] == '*' {
				if i+2 < n && (src[i+2] == '!' || src[i+2] == 'M' && i+3 < n && src[i+3] == '!') {
					if i, err = s.executableComment(i); err != nil {
						return err
					}
					continue
				}
				end := skipBlock(src, i)
				if end < 0 {
					return s.errorAt(i, "unterminated block comment (started here)")
				}
				i = end
				continue
			}
			s.token(i, i+1)
			i++
		case cSemi:
			if custom {
				s.token(i, i+1)
			} else {
				s.emit()
			}
			i++
		default:
			s.token(i, i+1)
			i++
		}
	}
	s.emit()
	return nil
}

// mysqlWordEnd returns the end of the word or number that starts at i. A
// custom delimiter ends it, as in END$$.
func (s *splitter) mysqlWordEnd(i int, custom bool) int {
	if !custom || !identChar[s.delim0] {
		return skipWord(s.src, i)
	}
	src := s.src
	j := i + 1
	for j < len(src) && identChar[src[j]] && !(src[j] == s.delim0 && strings.HasPrefix(src[j:], s.delim)) {
		j++
	}
	return j
}

// executableComment records the MySQL executable comment /*! … */ (or
// /*M! … */) opened at src[i] as a token: its content is SQL, so strings
// inside it are skipped as strings, and it ends at the first */ outside them.
func (s *splitter) executableComment(i int) (int, error) {
	src := s.src
	for j := i + 3; j < len(src); j++ {
		switch c := src[j]; c {
		case '\'', '"':
			end := skipBackslash(src, j, c)
			if end < 0 {
				return 0, s.errorAt(j, "unterminated string (started here)")
			}
			j = end - 1
		case '`':
			end := skipDoubled(src, j, '`')
			if end < 0 {
				return 0, s.errorAt(j, "unterminated quoted identifier (started here)")
			}
			j = end - 1
		case '*':
			if j+1 < len(src) && src[j+1] == '/' {
				s.token(i, j+2)
				return j + 2, nil
			}
		}
	}
	return 0, s.errorAt(i, "unterminated executable comment (started here)")
}

// delimiterCommand reads the MySQL client command DELIMITER whose keyword is
// src[i:j] and sets the delimiter. It returns the offset of the end of its
// line.
func (s *splitter) delimiterCommand(i, j int) (int, error) {
	src := s.src
	eol := skipLine(src, j)
	line := src[j:eol]
	k := 0
	for k < len(line) && isSpace(line[k]) {
		k++
	}
	if k == len(line) {
		return 0, s.errorAt(i, "DELIMITER needs an argument, the new delimiter")
	}
	argAt := j + k
	var delim string
	if q := line[k]; q == '\'' || q == '"' || q == '`' {
		e := strings.IndexByte(line[k+1:], q)
		if e < 0 {
			return 0, s.errorAt(argAt, "unterminated quoted DELIMITER argument (started here)")
		}
		delim = line[k+1 : k+1+e]
		k += 1 + e + 1
	} else {
		e := k
		for e < len(line) && !isSpace(line[e]) {
			e++
		}
		delim = line[k:e]
		k = e
	}
	switch {
	case delim == "":
		return 0, s.errorAt(argAt, "DELIMITER needs a non-empty delimiter")
	case strings.Contains(delim, "\\"):
		return 0, s.errorAt(argAt, "DELIMITER %s: a delimiter cannot contain a backslash", delim)
	}
	// Nothing may follow on the line but white space and a line comment:
	// the command takes the whole line, and SQL there would be lost.
	for k < len(line) && isSpace(line[k]) {
		k++
	}
	if rest := line[k:]; rest != "" && rest[0] != '#' &&
		!(strings.HasPrefix(rest, "--") && (len(rest) == 2 || rest[2] <= ' ')) {
		return 0, s.errorAt(j+k, "unexpected text after DELIMITER %s: the command takes the rest of its line", delim)
	}
	s.delim, s.delim0 = delim, delim[0]
	return eol, nil
}
