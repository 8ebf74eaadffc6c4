package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/schema"
)

// Inspect reads the tables, columns, keys, indexes, check constraints,
// foreign keys and views of the MySQL or MariaDB database named database
// and returns them in canonical order. A database that does not exist
// yields an empty schema.
//
// It reads the whole database with one information_schema query per kind
// of object (columns, indexes, checks, foreign keys, views), never one per
// table, so a database of a thousand tables costs the same five round
// trips as one of ten. It needs MariaDB 10.3 or MySQL 8.0; on MySQL 5.7,
// which has no CHECK_CONSTRAINTS table (and ignored CHECK), checks are left
// out. information_schema is not transactional, so an inspection that runs
// during a migration may see some of its statements and not others.
//
// # Normalisation
//
// Values are spelled the way the server prints them, with these rules so
// that MariaDB and MySQL 8 of any version print one schema alike, and so
// that the same DDL always reads the same:
//
//   - Types are COLUMN_TYPE ("varchar(255)", "decimal(10,2)",
//     "enum('a','b')", "bigint unsigned", "datetime(6)") without the display
//     width of integer types, which MySQL 8 no longer prints and which does
//     not change what a column holds: int(11) is "int", year(4) is "year".
//     tinyint(1) keeps its width: it is how both servers print BOOLEAN, and
//     clients map it to a boolean, so it is a different type to an
//     application. A width that comes with ZEROFILL is kept too.
//   - Collation is set only when it differs from the table's default
//     collation; the character set follows from the collation.
//   - Default is an SQL expression: a string literal quoted ('active'), a
//     number bare (0.00), CURRENT_TIMESTAMP in upper case with its
//     precision if any, other expressions as the server prints them
//     (uuid()). MariaDB's "NULL" for a nullable column without a default is
//     no default, as it is on MySQL. ON UPDATE CURRENT_TIMESTAMP is not part
//     of the model.
//   - AUTO_INCREMENT is an identity "by default": the server fills the
//     column when an INSERT leaves it out and accepts a given value.
//   - A primary key has no name to show (MySQL calls every one PRIMARY).
//   - A unique index on plain columns is a unique constraint: MySQL makes
//     no difference between UNIQUE (…) and CREATE UNIQUE INDEX, so the two
//     read alike. A unique index with a prefix, a descending key, an
//     expression or another method is listed as an index.
//   - An index key on a column prefix is written as MySQL writes it,
//     "name(10)", in IndexKey.Column (the model has no field of its own for
//     the length). Method is "fulltext", "spatial" or "hash", and "" for
//     the default B-tree. MySQL 8 functional key parts are expressions.
//   - Names the server generates (MariaDB's CONSTRAINT_n for checks,
//     MySQL's table_chk_n, InnoDB's table_ibfk_n for foreign keys) depend
//     on the order of creation, not on the definition, so they are left
//     out and such a constraint is identified by its definition. MariaDB
//     names a column-level check after its column, which is kept; a JSON
//     column on MariaDB is longtext with the check json_valid(`column`).
//   - Check expressions lose their outer parentheses; a MySQL check that is
//     NOT ENFORCED says so at the end of its expression.
//   - Foreign-key actions: InnoDB checks NO ACTION at once, exactly like
//     RESTRICT, and MariaDB reports the default as RESTRICT where MySQL
//     reports NO ACTION, so both read "NO ACTION".
//   - View queries drop the "`database`." qualifier the server adds to
//     every name of the inspected database, and go through
//     schema.NormalizeSpace.
//   - MariaDB sequences and schemagate's own tables are not part of the
//     schema. MySQL has no enum or sequence objects: ENUM is a column type.
func Inspect(ctx context.Context, q dialect.Querier, database string) (*schema.Schema, error) {
	in := &inspector{q: q, database: database, tables: map[string]*inspectTable{},
		schema: &schema.Schema{Dialect: "mysql", Name: database}}
	if err := in.serverVersion(ctx); err != nil {
		return nil, fmt.Errorf("inspect database %s: server version: %w", database, err)
	}
	for _, step := range []struct {
		what string
		run  func(context.Context) error
	}{
		{"columns", in.columns},
		{"indexes", in.indexes},
		{"checks", in.checks},
		{"foreign keys", in.foreignKeys},
		{"views", in.views},
	} {
		if err := step.run(ctx); err != nil {
			return nil, fmt.Errorf("inspect database %s: %s: %w", database, step.what, err)
		}
	}
	return in.schema.Canonical(), nil
}

// Inspect implements dialect.Inspector for the database the URL names.
func (d *Database) Inspect(ctx context.Context, q dialect.Querier) (*schema.Schema, error) {
	name, err := d.database(ctx, q)
	if err != nil {
		return nil, err
	}
	return Inspect(ctx, q, name)
}

type inspector struct {
	q        dialect.Querier
	database string
	schema   *schema.Schema
	tables   map[string]*inspectTable
	// viewNames are the views the tables query listed.
	viewNames []string
	// mariadb tells the two servers apart; version is major*10000 +
	// minor*100 + patch of the server's own numbering.
	mariadb bool
	version int
}

type inspectTable struct {
	table     *schema.Table
	collation string
}

func (in *inspector) serverVersion(ctx context.Context) error {
	var v string
	if err := in.q.QueryRowContext(ctx, `SELECT VERSION()`).Scan(&v); err != nil {
		return err
	}
	in.mariadb = strings.Contains(strings.ToLower(v), "mariadb")
	in.version = parseVersion(v)
	return nil
}

// parseVersion turns "10.11.6-MariaDB-0+deb12u1" or "8.0.36" into 101106 or
// 80036.
func parseVersion(v string) int {
	n := 0
	for i, part := range strings.SplitN(v, ".", 3) {
		digits := part
		if j := strings.IndexFunc(part, func(r rune) bool { return r < '0' || r > '9' }); j >= 0 {
			digits = part[:j]
		}
		x, _ := strconv.Atoi(digits)
		n += x * []int{10000, 100, 1}[i]
	}
	return n
}

// information_schema tables are not indexed on MariaDB: joining two of them
// compares every row with every row, which takes seconds for a thousand
// tables. Each query below therefore reads one of them, filtered on
// TABLE_SCHEMA (which both servers use to open only that database), and
// the rows are joined here.

// tablesQuery lists the database's tables and views.
const tablesQuery = `
SELECT TABLE_NAME, TABLE_TYPE, COALESCE(TABLE_COLLATION, '')
FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`

func (in *inspector) columns(ctx context.Context) error {
	collations := map[string]string{}
	rows, err := in.q.QueryContext(ctx, tablesQuery, in.database)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name, kind, collation string
		if err := rows.Scan(&name, &kind, &collation); err != nil {
			return err
		}
		// Views, MariaDB sequences and schemagate's own tables are not
		// tables of the model.
		if (kind == "BASE TABLE" || kind == "SYSTEM VERSIONED") && !strings.HasPrefix(name, "schemagate_") {
			collations[name] = collation
		}
		if kind == "VIEW" {
			in.viewNames = append(in.viewNames, name)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()

	rows, err = in.q.QueryContext(ctx, `
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
       COALESCE(COLLATION_NAME, ''), COALESCE(GENERATION_EXPRESSION, '')
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME, ORDINAL_POSITION`, in.database)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		tableName, name, columnType, dataType string
		nullable, extra, collation, generated string
		def                                   sql.NullString
		t                                     *inspectTable
	)
	for rows.Next() {
		if err := rows.Scan(&tableName, &name, &columnType, &dataType,
			&nullable, &def, &extra, &collation, &generated); err != nil {
			return err
		}
		tableCollation, ok := collations[tableName]
		if !ok {
			continue
		}
		if t == nil || t.table.Name != tableName {
			t = &inspectTable{table: &schema.Table{Name: tableName}, collation: tableCollation}
			in.tables[tableName] = t
			in.schema.Tables = append(in.schema.Tables, t.table)
		}
		extra = strings.ToLower(extra)
		c := &schema.Column{
			Name:     name,
			Type:     normalizeType(columnType),
			Nullable: nullable == "YES",
		}
		if collation != "" && collation != t.collation {
			c.Collation = collation
		}
		if strings.Contains(extra, "auto_increment") {
			c.Identity = schema.IdentityByDefault
		}
		if strings.Contains(extra, "generated") && generated != "" {
			c.Generated = schema.NormalizeSpace(generated)
			c.Virtual = strings.Contains(extra, "virtual")
		} else if def.Valid {
			c.Default = in.normalizeDefault(def.String, dataType, extra)
		}
		t.table.Columns = append(t.table.Columns, c)
	}
	return rows.Err()
}

// integerWidth matches the display width of an integer type.
var integerWidth = regexp.MustCompile(`^(tinyint|smallint|mediumint|int|integer|bigint|year)\(\d+\)`)

// normalizeType drops what does not change what a column holds; see
// Inspect.
func normalizeType(columnType string) string {
	t := strings.ToLower(strings.TrimSpace(columnType))
	if t == "tinyint(1)" || strings.HasPrefix(t, "tinyint(1) ") || strings.Contains(t, "zerofill") {
		return t
	}
	return integerWidth.ReplaceAllString(t, "$1")
}

// currentTimestamp matches both servers' spelling of CURRENT_TIMESTAMP
// (MariaDB: current_timestamp(), current_timestamp(6); MySQL:
// CURRENT_TIMESTAMP, CURRENT_TIMESTAMP(6)) and its synonyms.
var currentTimestamp = regexp.MustCompile(`(?i)^(?:current_timestamp|now|localtimestamp|localtime)(?:\((\d*)\))?$`)

// normalizeDefault turns COLUMN_DEFAULT into an SQL expression; see Inspect.
func (in *inspector) normalizeDefault(def, dataType, extra string) string {
	if m := currentTimestamp.FindStringSubmatch(def); m != nil {
		if m[1] != "" && m[1] != "0" {
			return "CURRENT_TIMESTAMP(" + m[1] + ")"
		}
		return "CURRENT_TIMESTAMP"
	}
	if in.mariadb {
		// MariaDB prints defaults as expressions already, literals quoted.
		if def == "NULL" {
			return ""
		}
		return def
	}
	// MySQL prints a literal default raw and an expression default (marked
	// DEFAULT_GENERATED) as written, in parentheses.
	if strings.Contains(extra, "default_generated") {
		return strings.TrimSpace(stripOuterParens(def))
	}
	switch dataType {
	case "tinyint", "smallint", "mediumint", "int", "integer", "bigint",
		"decimal", "numeric", "float", "double", "real", "year":
		return def
	case "bit":
		if strings.HasPrefix(def, "b'") {
			return def
		}
	}
	return "'" + strings.ReplaceAll(def, "'", "''") + "'"
}

func (in *inspector) indexes(ctx context.Context) error {
	expression := "NULL"
	if !in.mariadb && in.version >= 80013 {
		expression = "s.EXPRESSION"
	}
	rows, err := in.q.QueryContext(ctx, `
SELECT s.TABLE_NAME, s.INDEX_NAME, s.NON_UNIQUE, COALESCE(s.COLUMN_NAME, ''), s.SUB_PART,
       COALESCE(s.COLLATION, ''), s.INDEX_TYPE, COALESCE(`+expression+`, '')
FROM information_schema.STATISTICS s
WHERE s.TABLE_SCHEMA = ?
ORDER BY s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX`, in.database)
	if err != nil {
		return err
	}
	defer rows.Close()
	type index struct {
		table   *inspectTable
		name    string
		unique  bool
		method  string
		keys    []schema.IndexKey
		columns []string // plain column keys, for a constraint
		plain   bool     // every key is a whole column, ascending
	}
	var all []*index
	var cur *index
	for rows.Next() {
		var (
			tableName, name, column, collation, indexType, expr string
			nonUnique                                           int64
			subPart                                             sql.NullInt64
		)
		if err := rows.Scan(&tableName, &name, &nonUnique, &column, &subPart, &collation, &indexType, &expr); err != nil {
			return err
		}
		t := in.tables[tableName]
		if t == nil {
			continue // a view, a sequence or schemagate's own table
		}
		if cur == nil || cur.table != t || cur.name != name {
			method := strings.ToLower(indexType)
			if method == "btree" {
				method = ""
			}
			cur = &index{table: t, name: name, unique: nonUnique == 0, method: method, plain: method == ""}
			all = append(all, cur)
		}
		key := schema.IndexKey{Column: column, Descending: collation == "D"}
		if expr != "" {
			key = schema.IndexKey{Expression: schema.NormalizeSpace(stripOuterParens(expr)), Descending: collation == "D"}
			cur.plain = false
		} else if subPart.Valid && cur.method != "spatial" {
			// A spatial key always reports a 32-byte part; it is not a
			// prefix anyone chose.
			key.Column = fmt.Sprintf("%s(%d)", column, subPart.Int64)
			cur.plain = false
		}
		if key.Descending {
			cur.plain = false
		}
		cur.keys = append(cur.keys, key)
		cur.columns = append(cur.columns, key.Column)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, ix := range all {
		t := ix.table.table
		switch {
		case ix.name == "PRIMARY":
			t.PrimaryKey = &schema.PrimaryKey{Columns: ix.columns}
		case ix.unique && ix.plain:
			t.Uniques = append(t.Uniques, &schema.Unique{Name: ix.name, Columns: ix.columns})
		default:
			t.Indexes = append(t.Indexes, &schema.Index{Name: ix.name, Unique: ix.unique, Method: ix.method, Keys: ix.keys})
		}
	}
	return nil
}

// MySQL 5.7 parsed CHECK and ignored it; 8.0.16 enforces checks and added
// CHECK_CONSTRAINTS, whose rows have no table name (check names are unique
// per database there). MariaDB names checks per table and reports the
// table in the same view.
const (
	inspectChecksMariaDB = `
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?
ORDER BY TABLE_NAME, CONSTRAINT_NAME`
	inspectChecksMySQL = `
SELECT CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?`
	inspectCheckTablesMySQL = `
SELECT TABLE_NAME, CONSTRAINT_NAME, ENFORCED
FROM information_schema.TABLE_CONSTRAINTS
WHERE TABLE_SCHEMA = ? AND CONSTRAINT_TYPE = 'CHECK'
ORDER BY TABLE_NAME, CONSTRAINT_NAME`
)

// generatedCheckName matches the names MariaDB gives unnamed checks.
var generatedCheckName = regexp.MustCompile(`^CONSTRAINT_\d+$`)

func (in *inspector) checks(ctx context.Context) error {
	switch {
	case in.mariadb:
		return in.readChecks(ctx, inspectChecksMariaDB, nil)
	case in.version >= 80016:
		clauses := map[string]string{}
		rows, err := in.q.QueryContext(ctx, inspectChecksMySQL, in.database)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name, clause string
			if err := rows.Scan(&name, &clause); err != nil {
				return err
			}
			clauses[name] = clause
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return in.readChecks(ctx, inspectCheckTablesMySQL, clauses)
	}
	return nil
}

// readChecks reads rows of table name, constraint name and either the
// check clause (MariaDB) or whether it is enforced (MySQL, whose clauses
// come in by name).
func (in *inspector) readChecks(ctx context.Context, query string, clauses map[string]string) error {
	rows, err := in.q.QueryContext(ctx, query, in.database)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var tableName, name, third string
		if err := rows.Scan(&tableName, &name, &third); err != nil {
			return err
		}
		t := in.tables[tableName]
		if t == nil {
			continue
		}
		clause, enforced := third, true
		if clauses != nil {
			clause, enforced = clauses[name], third != "NO"
		}
		if generatedCheckName.MatchString(name) || isGeneratedSuffix(name, tableName+"_chk_") {
			name = ""
		}
		expr := schema.NormalizeSpace(stripOuterParens(strings.TrimSpace(clause)))
		if !enforced {
			expr += " NOT ENFORCED"
		}
		t.table.Checks = append(t.table.Checks, &schema.Check{Name: name, Expression: expr})
	}
	return rows.Err()
}

// isGeneratedSuffix reports whether name is prefix followed by a number,
// the form of the names MySQL and InnoDB generate (t_chk_1, t_ibfk_1).
func isGeneratedSuffix(name, prefix string) bool {
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok || rest == "" {
		return false
	}
	_, err := strconv.Atoi(rest)
	return err == nil && rest[0] != '+' && rest[0] != '-'
}

func (in *inspector) foreignKeys(ctx context.Context) error {
	type rules struct{ onUpdate, onDelete string }
	actions := map[[2]string]rules{}
	rows, err := in.q.QueryContext(ctx, `
SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?`, in.database)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var table, name string
		var r rules
		if err := rows.Scan(&table, &name, &r.onUpdate, &r.onDelete); err != nil {
			return err
		}
		actions[[2]string{table, name}] = r
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()

	rows, err = in.q.QueryContext(ctx, `
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,
       REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`, in.database)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur *schema.ForeignKey
	var curTable, curName string
	for rows.Next() {
		var tableName, name, column, refSchema, refTable, refColumn string
		if err := rows.Scan(&tableName, &name, &column, &refSchema, &refTable, &refColumn); err != nil {
			return err
		}
		t := in.tables[tableName]
		r, ok := actions[[2]string{tableName, name}]
		if t == nil || !ok {
			continue
		}
		if cur == nil || curTable != tableName || curName != name {
			curTable, curName = tableName, name
			if refSchema != in.database {
				refTable = refSchema + "." + refTable
			}
			cur = &schema.ForeignKey{RefTable: refTable, OnDelete: normalizeAction(r.onDelete), OnUpdate: normalizeAction(r.onUpdate)}
			if !isGeneratedSuffix(name, tableName+"_ibfk_") {
				cur.Name = name
			}
			t.table.ForeignKeys = append(t.table.ForeignKeys, cur)
		}
		cur.Columns = append(cur.Columns, column)
		cur.RefColumns = append(cur.RefColumns, refColumn)
	}
	return rows.Err()
}

// normalizeAction spells a referential action as the model does; InnoDB's
// RESTRICT and NO ACTION are one behaviour.
func normalizeAction(rule string) string {
	switch strings.ToUpper(rule) {
	case "CASCADE":
		return schema.ActionCascade
	case "SET NULL":
		return schema.ActionSetNull
	case "SET DEFAULT":
		return schema.ActionSetDefault
	}
	return schema.ActionNoAction
}

// maxViewFilter is the most view names the views query filters on; past
// it, the query reads the whole database's views.
const maxViewFilter = 1000

// views reads the definitions of the views the tables query listed. On
// MariaDB, reading VIEWS for a whole database opens every table's .frm to
// find the views among them, which costs as much as another pass over the
// columns; filtered on the views' names, it opens only those.
func (in *inspector) views(ctx context.Context) error {
	if len(in.viewNames) == 0 {
		return nil
	}
	query := `SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?`
	args := []any{in.database}
	if len(in.viewNames) <= maxViewFilter {
		query += ` AND TABLE_NAME IN (?` + strings.Repeat(", ?", len(in.viewNames)-1) + `)`
		for _, n := range in.viewNames {
			args = append(args, n)
		}
	}
	rows, err := in.q.QueryContext(ctx, query+` ORDER BY TABLE_NAME`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	qualifier := "`" + strings.ReplaceAll(in.database, "`", "``") + "`."
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			return err
		}
		in.schema.Views = append(in.schema.Views, &schema.View{
			Name:       name,
			Definition: schema.NormalizeSpace(removeOutsideQuotes(def, qualifier)),
		})
	}
	return rows.Err()
}

// removeOutsideQuotes removes every occurrence of s in sql that is not
// inside a string literal.
func removeOutsideQuotes(sql, s string) string {
	var b strings.Builder
	b.Grow(len(sql))
	for i := 0; i < len(sql); {
		c := sql[i]
		if c == '\'' || c == '"' {
			end := i + 1
			for end < len(sql) && sql[end] != c {
				if sql[end] == '\\' {
					end++
				}
				end++
			}
			end = min(end+1, len(sql))
			b.WriteString(sql[i:end])
			i = end
			continue
		}
		if strings.HasPrefix(sql[i:], s) {
			i += len(s)
			continue
		}
		b.WriteByte(c)
		i++
	}
	return b.String()
}

// stripOuterParens removes parentheses that enclose the whole of s.
func stripOuterParens(s string) string {
	for len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' && enclosesAll(s) {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// enclosesAll reports whether the parenthesis that opens s closes at its
// last byte (quotes respected).
func enclosesAll(s string) bool {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '`':
			for i++; i < len(s) && s[i] != c; i++ {
				if s[i] == '\\' && c != '`' {
					i++
				}
			}
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i != len(s)-1 {
				return false
			}
		}
	}
	return depth == 0
}
