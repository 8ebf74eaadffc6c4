package mysql

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"

	"github.com/schemagate/schemagate/dialect"
	"github.com/schemagate/schemagate/schema"
)

// Inspect reads the tables, columns, keys, indexes, check constraints,
// foreign keys and views of the MySQL or MariaDB database named database
// and returns them in canonical order. A database that does not exist
// yields an empty schema.
//
// It reads the whole database with one query per kind of object (tables,
// columns, indexes, checks, foreign keys, views), never one per table, so
// a database of a thousand tables costs the same round trips as one of
// ten. Given a pool (*sql.DB), it runs those queries on two connections
// at once; given a *sql.Conn or *sql.Tx, one after the other. On MariaDB
// the foreign keys come from InnoDB's dictionary, which is much cheaper
// to read than information_schema (see innodbForeignKeys). It needs
// MariaDB 10.3 or MySQL 8.0; on MySQL 5.7, which has no CHECK_CONSTRAINTS
// table (and ignored CHECK), checks are left out. information_schema is
// not transactional, so an inspection that runs during a migration may see
// some of its statements and not others.
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
	in := &inspector{q: q, database: database}
	if err := in.serverVersion(ctx); err != nil {
		return nil, fmt.Errorf("inspect database %s: server version: %w", database, err)
	}
	if err := in.run(ctx, in.reads()); err != nil {
		return nil, fmt.Errorf("inspect database %s: %w", database, err)
	}
	return in.assemble().Canonical(), nil
}

// Inspect implements dialect.Inspector for the database the URL names.
func (d *Database) Inspect(ctx context.Context, q dialect.Querier) (*schema.Schema, error) {
	name, err := d.database(ctx, q)
	if err != nil {
		return nil, err
	}
	return Inspect(ctx, q, name)
}

// inspector reads one database. Each read fills its own fields of the
// inspector and nothing else, so that the reads can run at the same time;
// assemble then joins what they found into the schema.
type inspector struct {
	q        dialect.Querier
	database string
	// mariadb tells the two servers apart; version is major*10000 +
	// minor*100 + patch of the server's own numbering.
	mariadb bool
	version int
	// lowerCaseNames is the server's lower_case_table_names.
	lowerCaseNames int

	tables      []tableRow        // tables, views and sequences
	views       []*schema.View    // the views' definitions
	columns     []columnGroup     // columns, table by table
	indexes     []*indexRow       // indexes, table by table
	checks      []tableCheck      // check constraints
	foreignKeys []tableForeignKey // foreign keys
}

type tableRow struct{ name, kind, collation string }

// columnGroup is columns of table. Their Collation is what the server
// reports; assemble keeps it only where it differs from the table's.
type columnGroup struct {
	table   string
	columns []*schema.Column
}

type indexRow struct {
	table   string
	name    string
	unique  bool
	method  string
	keys    []schema.IndexKey
	columns []string // plain column keys, for a constraint
	plain   bool     // every key is a whole column, ascending
}

type tableCheck struct {
	table string
	check *schema.Check
}

type tableForeignKey struct {
	table string
	fk    *schema.ForeignKey
}

func (in *inspector) serverVersion(ctx context.Context) error {
	var v string
	if err := in.q.QueryRowContext(ctx, `SELECT VERSION(), @@lower_case_table_names`).Scan(&v, &in.lowerCaseNames); err != nil {
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

// A read is one query, or a short chain of them, that fills one field of
// the inspector.
type read struct {
	what string
	run  func(context.Context) error
}

// inspectConnections is how many connections of a pool one inspection
// uses at a time. Two keep both busy: the columns read takes about as long
// as all the others together. A pool keeps two idle connections unless
// told otherwise, so a third would be opened and closed again by every
// inspection, which costs more than it saves on a server of few cores.
const inspectConnections = 2

// reads lists the reads, the longest first.
func (in *inspector) reads() []read {
	return []read{
		{"columns", in.readColumns},
		{"indexes", in.readIndexes},
		{"tables", in.readTables},
		{"checks", in.readChecks},
		{"foreign keys", in.readForeignKeys},
	}
}

// pool returns the inspector's querier when it is a pool of connections.
func (in *inspector) pool() *sql.DB {
	db, _ := in.q.(*sql.DB)
	return db
}

// run runs the reads. Given a pool, it runs them at the same time on up to
// inspectConnections connections: on MariaDB every information_schema
// query opens each table of the database again, which costs the server
// far more than anything the client does, and the reads do not depend on
// one another. Given one connection or a transaction, it runs them one
// after the other. Either way the result is the same: information_schema
// is not transactional on MySQL or MariaDB (not even inside a
// transaction), so one connection gives no more consistent a picture than
// several do; an inspection that runs during a migration may see some of
// its statements and not others.
func (in *inspector) run(ctx context.Context, reads []read) error {
	if in.pool() == nil {
		for _, r := range reads {
			if err := r.run(ctx); err != nil {
				return fmt.Errorf("%s: %w", r.what, err)
			}
		}
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range min(inspectConnections, len(reads)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(reads) {
					return
				}
				if err := reads[i].run(ctx); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("%s: %w", reads[i].what, err)
					}
					mu.Unlock()
					cancel()
					return
				}
			}
		})
	}
	wg.Wait()
	return firstErr
}

// assemble joins what the reads found.
func (in *inspector) assemble() *schema.Schema {
	s := &schema.Schema{Dialect: "mysql", Name: in.database, Views: in.views}
	collations := make(map[string]string, len(in.tables))
	for _, r := range in.tables {
		// Views, MariaDB sequences and schemagate's own tables are not
		// tables of the model.
		if (r.kind == "BASE TABLE" || r.kind == "SYSTEM VERSIONED") && !strings.HasPrefix(r.name, "schemagate_") {
			collations[r.name] = r.collation
		}
	}
	// A table is in the model once a column of it is: one created between
	// the reads is left out, or comes in whole.
	tables := make(map[string]*schema.Table, len(collations))
	for _, g := range in.columns {
		collation, ok := collations[g.table]
		if !ok {
			continue
		}
		for _, c := range g.columns {
			if c.Collation == collation {
				c.Collation = ""
			}
		}
		if t := tables[g.table]; t != nil {
			t.Columns = append(t.Columns, g.columns...)
			continue
		}
		t := &schema.Table{Name: g.table, Columns: g.columns}
		tables[g.table] = t
		s.Tables = append(s.Tables, t)
	}
	for _, ix := range in.indexes {
		t := tables[ix.table]
		switch {
		case t == nil:
		case ix.name == "PRIMARY":
			t.PrimaryKey = &schema.PrimaryKey{Columns: ix.columns}
		case ix.unique && ix.plain:
			t.Uniques = append(t.Uniques, &schema.Unique{Name: ix.name, Columns: ix.columns})
		default:
			t.Indexes = append(t.Indexes, &schema.Index{Name: ix.name, Unique: ix.unique, Method: ix.method, Keys: ix.keys})
		}
	}
	for _, c := range in.checks {
		if t := tables[c.table]; t != nil {
			t.Checks = append(t.Checks, c.check)
		}
	}
	for _, f := range in.foreignKeys {
		if t := tables[f.table]; t != nil {
			t.ForeignKeys = append(t.ForeignKeys, f.fk)
		}
	}
	return s
}

// information_schema tables are not indexed on MariaDB: joining two of them
// compares every row with every row, which takes seconds for a thousand
// tables. Each query below therefore reads one of them, filtered on
// TABLE_SCHEMA (which both servers use to open only that database), and
// the rows are joined here. None sorts more than it must: the model is
// put in canonical order in the end anyway, and sorting the columns' rows,
// which carry long text, makes MariaDB's biggest query a fifth slower.

// tablesQuery lists the database's tables and views.
//
// On MariaDB it also asks whether TABLE_ROWS is NULL, which it ignores.
// TABLE_TYPE and TABLE_COLLATION alone make MariaDB build every table
// afresh from its definition (parsing each default and check expression
// again); TABLE_ROWS makes it open the tables the ordinary way instead,
// through the table cache, where the indexes and checks reads leave them.
// That is less than half the work.
const tablesQuery = `
SELECT TABLE_NAME, TABLE_TYPE, COALESCE(TABLE_COLLATION, ''), %s
FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`

// readTables lists the tables and views, then reads the views.
func (in *inspector) readTables(ctx context.Context) error {
	open := "0"
	if in.mariadb {
		open = "TABLE_ROWS IS NULL"
	}
	rows, err := in.q.QueryContext(ctx, fmt.Sprintf(tablesQuery, open), in.database)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		viewNames []string
		ignored   int64
	)
	for rows.Next() {
		var r tableRow
		if err := rows.Scan(&r.name, &r.kind, &r.collation, &ignored); err != nil {
			return err
		}
		in.tables = append(in.tables, r)
		if r.kind == "VIEW" {
			viewNames = append(viewNames, r.name)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	return in.readViews(ctx, viewNames)
}

// columnsQuery reads the columns. The driver allocates for every string
// it returns but for neither NULL nor a small number, and the columns are
// most of the rows an inspection reads: so what is mostly empty comes as
// NULL, a yes or no as 1 or 0, and DATA_TYPE only where normalizeDefault
// needs it (MySQL). Whether there is a default is asked apart: MySQL
// reports an empty string default as an empty COLUMN_DEFAULT, which must
// not read as none.
const columnsQuery = `
SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, %s, IS_NULLABLE = 'YES',
       COLUMN_DEFAULT IS NOT NULL, COLUMN_DEFAULT, NULLIF(EXTRA, ''),
       COLLATION_NAME, NULLIF(GENERATION_EXPRESSION, '')
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ?`

func (in *inspector) readColumns(ctx context.Context) error {
	dataTypeColumn := "DATA_TYPE"
	if in.mariadb {
		dataTypeColumn = "NULL"
	}
	rows, err := in.q.QueryContext(ctx, fmt.Sprintf(columnsQuery, dataTypeColumn), in.database)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		tableName, name, columnType, dataType sql.RawBytes
		def, extra, collation, generated      sql.RawBytes
		nullable, hasDefault                  int64
		strs                                  = interner{}
		types                                 = map[string]string{}
		extras                                = map[string]string{}
		defaults                              = map[defaultKey]string{}
		slab                                  []schema.Column
		list                                  []*schema.Column
		groups                                []columnGroup
		table                                 string
		start                                 int
	)
	// The server lists a table's columns together: they go in one group.
	group := func() {
		if len(list) > start {
			groups = append(groups, columnGroup{table, list[start:len(list):len(list)]})
		}
		start = len(list)
	}
	for rows.Next() {
		if err := rows.Scan(&tableName, &name, &columnType, &dataType,
			&nullable, &hasDefault, &def, &extra, &collation, &generated); err != nil {
			return err
		}
		if string(tableName) != table {
			group()
			table = strs.get(tableName)
		}
		if len(slab) == cap(slab) {
			slab = make([]schema.Column, 0, 256)
		}
		slab = slab[:len(slab)+1]
		c := &slab[len(slab)-1]
		list = append(list, c)
		c.Name = strs.get(name)
		c.Nullable = nullable == 1
		c.Collation = strs.get(collation)
		typ, ok := types[string(columnType)]
		if !ok {
			typ = normalizeType(string(columnType))
			types[string(columnType)] = typ
		}
		c.Type = typ
		ext, ok := extras[string(extra)]
		if !ok {
			ext = strings.ToLower(string(extra))
			extras[string(extra)] = ext
		}
		if strings.Contains(ext, "auto_increment") {
			c.Identity = schema.IdentityByDefault
		}
		if strings.Contains(ext, "generated") && len(generated) > 0 {
			c.Generated = schema.NormalizeSpace(string(generated))
			c.Virtual = strings.Contains(ext, "virtual")
		} else if hasDefault == 1 {
			key := defaultKey{strs.get(def), strs.get(dataType), ext}
			d, ok := defaults[key]
			if !ok {
				d = in.normalizeDefault(key.def, key.dataType, key.extra)
				defaults[key] = d
			}
			c.Default = d
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	group()
	in.columns = groups
	return nil
}

// defaultKey is what normalizeDefault depends on.
type defaultKey struct{ def, dataType, extra string }

// interner returns one string for equal byte strings: names repeat from
// row to row, and so do types and collations.
type interner map[string]string

func (m interner) get(b []byte) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	s := string(b)
	m[s] = s
	return s
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

func (in *inspector) readIndexes(ctx context.Context) error {
	expression := "NULL"
	if !in.mariadb && in.version >= 80013 {
		expression = "s.EXPRESSION"
	}
	// Unsorted: each key goes to its place by SEQ_IN_INDEX. As for the
	// columns, what the driver would allocate for comes as NULL or a
	// number where it can.
	rows, err := in.q.QueryContext(ctx, `
SELECT s.TABLE_NAME, s.INDEX_NAME, s.SEQ_IN_INDEX, s.NON_UNIQUE, s.COLUMN_NAME, s.SUB_PART,
       COALESCE(s.COLLATION = 'D', 0), NULLIF(s.INDEX_TYPE, 'BTREE'), `+expression+`
FROM information_schema.STATISTICS s
WHERE s.TABLE_SCHEMA = ?`, in.database)
	if err != nil {
		return err
	}
	defer rows.Close()
	type indexName struct{ table, name string }
	var (
		cur                                      *indexRow
		byName                                   = map[indexName]*indexRow{}
		strs                                     = interner{}
		tableName, name, column, indexType, expr sql.RawBytes
		seq, nonUnique, descending               int64
		subPart                                  sql.NullInt64
	)
	for rows.Next() {
		if err := rows.Scan(&tableName, &name, &seq, &nonUnique, &column, &subPart, &descending, &indexType, &expr); err != nil {
			return err
		}
		if cur == nil || cur.table != string(tableName) || cur.name != string(name) {
			k := indexName{strs.get(tableName), string(name)}
			if cur = byName[k]; cur == nil {
				method := strings.ToLower(string(indexType)) // "" for BTREE
				cur = &indexRow{table: k.table, name: k.name, unique: nonUnique == 0, method: method, plain: method == ""}
				byName[k] = cur
				in.indexes = append(in.indexes, cur)
			}
		}
		if seq < 1 || seq > 1<<16 {
			return fmt.Errorf("index %s of table %s: key part %d", name, tableName, seq)
		}
		key := schema.IndexKey{Column: strs.get(column), Descending: descending == 1}
		if len(expr) > 0 {
			key = schema.IndexKey{Expression: schema.NormalizeSpace(stripOuterParens(string(expr))), Descending: key.Descending}
			cur.plain = false
		} else if subPart.Valid && cur.method != "spatial" {
			// A spatial key always reports a 32-byte part; it is not a
			// prefix anyone chose.
			key.Column = fmt.Sprintf("%s(%d)", key.Column, subPart.Int64)
			cur.plain = false
		}
		if key.Descending {
			cur.plain = false
		}
		for int64(len(cur.keys)) < seq {
			cur.keys = append(cur.keys, schema.IndexKey{})
			cur.columns = append(cur.columns, "")
		}
		cur.keys[seq-1] = key
		cur.columns[seq-1] = key.Column
	}
	return rows.Err()
}

// MySQL 5.7 parsed CHECK and ignored it; 8.0.16 enforces checks and added
// CHECK_CONSTRAINTS, whose rows have no table name (check names are unique
// per database there). MariaDB names checks per table and reports the
// table in the same view.
const (
	inspectChecksMariaDB = `
SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?`
	inspectChecksMySQL = `
SELECT CONSTRAINT_NAME, CHECK_CLAUSE
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?`
	inspectCheckTablesMySQL = `
SELECT TABLE_NAME, CONSTRAINT_NAME, ENFORCED
FROM information_schema.TABLE_CONSTRAINTS
WHERE TABLE_SCHEMA = ? AND CONSTRAINT_TYPE = 'CHECK'`
)

// generatedCheckName matches the names MariaDB gives unnamed checks.
var generatedCheckName = regexp.MustCompile(`^CONSTRAINT_\d+$`)

func (in *inspector) readChecks(ctx context.Context) error {
	switch {
	case in.mariadb:
		return in.readCheckRows(ctx, inspectChecksMariaDB, nil)
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
		rows.Close()
		return in.readCheckRows(ctx, inspectCheckTablesMySQL, clauses)
	}
	return nil
}

// readCheckRows reads rows of table name, constraint name and either the
// check clause (MariaDB) or whether it is enforced (MySQL, whose clauses
// come in by name).
func (in *inspector) readCheckRows(ctx context.Context, query string, clauses map[string]string) error {
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
		in.checks = append(in.checks, tableCheck{tableName, &schema.Check{Name: name, Expression: expr}})
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

// readForeignKeys reads the foreign keys from InnoDB's own dictionary
// where it can (see innodbForeignKeys), and from information_schema
// otherwise. The dictionary spells names as they are stored: as given with
// lower_case_table_names 0, in lower case with 1, and in lower case while
// information_schema keeps the case given with 2, where the two would not
// match.
func (in *inspector) readForeignKeys(ctx context.Context) error {
	if in.mariadb && (in.lowerCaseNames == 0 || in.lowerCaseNames == 1 && in.database == strings.ToLower(in.database)) {
		fks, err := in.innodbForeignKeys(ctx)
		var me *mysql.MySQLError
		switch {
		case err == nil:
			in.foreignKeys = fks
			return nil
		case errors.Is(err, errNotInDictionary), errors.As(err, &me):
			// Names the dictionary spells in a way not decoded here, or
			// a user without the PROCESS privilege the dictionary's views
			// require: information_schema says the same, only slower.
		default:
			return err
		}
	}
	fks, err := in.informationSchemaForeignKeys(ctx)
	in.foreignKeys = fks
	return err
}

// errNotInDictionary says that innodbForeignKeys cannot tell the foreign
// keys from InnoDB's dictionary.
var errNotInDictionary = errors.New("foreign keys not readable from the InnoDB dictionary")

// innodbForeignKeys reads the foreign keys from the views of InnoDB's
// dictionary (MariaDB only; MySQL 8 replaced them). It is what
// information_schema reports too, since only InnoDB keeps foreign keys and
// KEY_COLUMN_USAGE and REFERENTIAL_CONSTRAINTS ask InnoDB for them, but
// those open every table of the database to do so, while the dictionary's
// views read InnoDB's own tables and cost almost nothing. The dictionary
// names tables "database/table", both parts in MariaDB's file-name
// encoding, and constraints "database/constraint"; names that are not
// plain ASCII yield errNotInDictionary, and the caller asks
// information_schema instead.
func (in *inspector) innodbForeignKeys(ctx context.Context) ([]tableForeignKey, error) {
	prefix, ok := innodbName(in.database)
	if !ok {
		return nil, errNotInDictionary
	}
	prefix += "/"
	// LIKE ignores case here; the exact prefix is checked below.
	pattern := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(prefix) + "%"
	rows, err := in.q.QueryContext(ctx, `
SELECT ID, FOR_NAME, REF_NAME, TYPE
FROM information_schema.INNODB_SYS_FOREIGN
WHERE FOR_NAME LIKE ? ESCAPE '!'`, pattern)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tableForeignKey
	byID := map[string]*schema.ForeignKey{}
	for rows.Next() {
		var id, forName, refName string
		var flags int64
		if err := rows.Scan(&id, &forName, &refName, &flags); err != nil {
			return nil, err
		}
		if !strings.HasPrefix(forName, prefix) {
			continue
		}
		table, ok := tableFromInnoDBName(forName[len(prefix):])
		if !ok {
			if strings.Contains(forName, "#") {
				// A table being altered or a partition, neither of which
				// information_schema shows.
				continue
			}
			return nil, errNotInDictionary
		}
		name, ok := strings.CutPrefix(id, prefix)
		if !ok {
			return nil, errNotInDictionary
		}
		refDatabase, refTable, ok := strings.Cut(refName, "/")
		if ok {
			refDatabase, ok = tableFromInnoDBName(refDatabase)
		}
		if ok {
			refTable, ok = tableFromInnoDBName(refTable)
		}
		if !ok {
			return nil, errNotInDictionary
		}
		if refDatabase != in.database {
			refTable = refDatabase + "." + refTable
		}
		fk := &schema.ForeignKey{RefTable: refTable, OnDelete: innodbAction(flags, 1, 2), OnUpdate: innodbAction(flags, 4, 8)}
		if !isGeneratedSuffix(name, table+"_ibfk_") {
			fk.Name = name
		}
		byID[id] = fk
		out = append(out, tableForeignKey{table, fk})
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}

	rows, err = in.q.QueryContext(ctx, `
SELECT ID, FOR_COL_NAME, REF_COL_NAME, POS
FROM information_schema.INNODB_SYS_FOREIGN_COLS
WHERE ID LIKE ? ESCAPE '!'`, pattern)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type column struct {
		pos           int64
		column, refer string
	}
	columns := map[*schema.ForeignKey][]column{}
	for rows.Next() {
		var id sql.RawBytes
		var c column
		if err := rows.Scan(&id, &c.column, &c.refer, &c.pos); err != nil {
			return nil, err
		}
		if fk := byID[string(id)]; fk != nil {
			columns[fk] = append(columns[fk], c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, f := range out {
		cols := columns[f.fk]
		if len(cols) == 0 {
			continue // dropped between the two queries
		}
		slices.SortFunc(cols, func(a, b column) int { return cmp.Compare(a.pos, b.pos) })
		for _, c := range cols {
			f.fk.Columns = append(f.fk.Columns, c.column)
			f.fk.RefColumns = append(f.fk.RefColumns, c.refer)
		}
		kept = append(kept, f)
	}
	return kept, nil
}

// innodbAction reads a referential action from the flags of
// INNODB_SYS_FOREIGN.TYPE, given the action's bits for CASCADE and SET
// NULL. NO ACTION has a bit too and RESTRICT none; both read NO ACTION
// (see normalizeAction), and InnoDB has no SET DEFAULT.
func innodbAction(flags, cascade, setNull int64) string {
	switch {
	case flags&cascade != 0:
		return schema.ActionCascade
	case flags&setNull != 0:
		return schema.ActionSetNull
	}
	return schema.ActionNoAction
}

// innodbName spells a database or table name as InnoDB's dictionary does
// (MariaDB's file-name encoding): ASCII letters, digits and _ as they
// are, other ASCII characters as @ and four hex digits. It reports false
// for names with other characters, whose encoding is not reproduced here.
func innodbName(name string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 0x80 || c == 0:
			return "", false
		case c >= '0' && c <= '9', c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c == '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "@%04x", c)
		}
	}
	return b.String(), true
}

// tableFromInnoDBName decodes what innodbName encodes, and reports false
// for anything else.
func tableFromInnoDBName(encoded string) (string, bool) {
	if encoded == "" {
		return "", false
	}
	plain := true
	for i := 0; i < len(encoded) && plain; i++ {
		c := encoded[i]
		plain = c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
	}
	if plain {
		return encoded, true
	}
	var b strings.Builder
	for i := 0; i < len(encoded); i++ {
		if encoded[i] != '@' {
			b.WriteByte(encoded[i])
			continue
		}
		if i+5 > len(encoded) {
			return "", false
		}
		c, err := strconv.ParseUint(encoded[i+1:i+5], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(c))
		i += 4
	}
	name := b.String()
	enc, ok := innodbName(name)
	return name, ok && enc == encoded
}

// informationSchemaForeignKeys reads the foreign keys from
// information_schema, as MySQL 8 has to.
func (in *inspector) informationSchemaForeignKeys(ctx context.Context) ([]tableForeignKey, error) {
	type rules struct{ onUpdate, onDelete string }
	actions := map[[2]string]rules{}
	rows, err := in.q.QueryContext(ctx, `
SELECT TABLE_NAME, CONSTRAINT_NAME, UPDATE_RULE, DELETE_RULE
FROM information_schema.REFERENTIAL_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ?`, in.database)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var table, name string
		var r rules
		if err := rows.Scan(&table, &name, &r.onUpdate, &r.onDelete); err != nil {
			return nil, err
		}
		actions[[2]string{table, name}] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	rows, err = in.q.QueryContext(ctx, `
SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,
       REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME
FROM information_schema.KEY_COLUMN_USAGE
WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`, in.database)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []tableForeignKey
	var cur *schema.ForeignKey
	var curTable, curName string
	for rows.Next() {
		var tableName, name, column, refSchema, refTable, refColumn string
		if err := rows.Scan(&tableName, &name, &column, &refSchema, &refTable, &refColumn); err != nil {
			return nil, err
		}
		r, ok := actions[[2]string{tableName, name}]
		if !ok {
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
			out = append(out, tableForeignKey{tableName, cur})
		}
		cur.Columns = append(cur.Columns, column)
		cur.RefColumns = append(cur.RefColumns, refColumn)
	}
	return out, rows.Err()
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

// readViews reads the definitions of the views the tables query listed.
// On MariaDB, reading VIEWS for a whole database opens every table's .frm
// to find the views among them, which costs as much as another pass over
// the columns; filtered on the views' names, it opens only those.
func (in *inspector) readViews(ctx context.Context, viewNames []string) error {
	if len(viewNames) == 0 {
		return nil
	}
	query := `SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?`
	args := []any{in.database}
	if len(viewNames) <= maxViewFilter {
		query += ` AND TABLE_NAME IN (?` + strings.Repeat(", ?", len(viewNames)-1) + `)`
		for _, n := range viewNames {
			args = append(args, n)
		}
	}
	rows, err := in.q.QueryContext(ctx, query, args...)
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
		in.views = append(in.views, &schema.View{
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
