package lint

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"vitess.io/vitess/go/vt/sqlparser"

	"github.com/schemagate/schemagate/sqlsplit"
)

// The MySQL and MariaDB analyzer. Each statement is parsed by the Vitess
// parser in strict mode: a DDL statement it understands only in part is an
// error there, so nothing is ever linted on a partial tree. Syntax Vitess
// does not know (MariaDB's ADD COLUMN IF NOT EXISTS, ALGORITHM=NOCOPY,
// CREATE TRIGGER) is reported as statement-not-linted.

var (
	vitessOnce   sync.Once
	vitessParser *sqlparser.Parser
	vitessErr    error
)

func mysqlParser() (*sqlparser.Parser, error) {
	vitessOnce.Do(func() {
		vitessParser, vitessErr = sqlparser.New(sqlparser.Options{MySQLServerVersion: "8.0.40"})
	})
	return vitessParser, vitessErr
}

// myColumn is what the migrations say about a column.
type myColumn struct {
	typ        string // "varchar(20)", "int unsigned"
	notNull    bool
	hasDefault bool
	comment    bool
}

type myAnalyzer struct {
	in     *Input
	res    *result
	parser *sqlparser.Parser

	columns map[string]map[string]*myColumn

	m            *Migration
	src          *source
	report       bool
	created      map[string]bool
	lockTimeout  bool
	lockReported bool
	fkChecksOff  bool
	ddl          int

	st *pgStmt
}

func lintMySQL(ctx context.Context, in Input) (*result, error) {
	p, err := mysqlParser()
	if err != nil {
		return nil, fmt.Errorf("lint: start the MySQL parser: %w", err)
	}
	a := &myAnalyzer{in: &in, res: &result{}, parser: p, columns: map[string]map[string]*myColumn{}}
	for i := range in.Earlier {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a.migration(&in.Earlier[i], false)
	}
	for i := range in.Migrations {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a.migration(&in.Migrations[i], true)
	}
	return a.res, nil
}

func (a *myAnalyzer) migration(m *Migration, report bool) {
	a.m, a.report = m, report
	a.src = newSource(m.SQL)
	a.created = map[string]bool{}
	a.lockTimeout = m.Directives.LockTimeout > 0 || a.in.RunnerLockTimeout > 0
	a.lockReported, a.fkChecksOff, a.ddl = false, false, 0
	pieces, err := sqlsplit.Split(sqlsplit.MySQL, m.SQL)
	if err != nil {
		a.st = a.stmt(0, len(m.SQL))
		a.notLinted(err)
		return
	}
	for _, p := range pieces {
		a.st = a.stmt(p.Offset, p.Offset+len(p.Text))
		if a.st.text == "" {
			continue
		}
		if report {
			a.res.statement(m.File, a.st.line)
		}
		node, err := a.parser.ParseStrictDDL(a.st.text)
		if err != nil {
			a.notLinted(err)
			continue
		}
		a.statement(node)
	}
}

func (a *myAnalyzer) stmt(start, end int) *pgStmt {
	start = skipComments(a.m.SQL, start, true)
	if end < start {
		end = start
	}
	line, col := a.src.position(start)
	return &pgStmt{text: strings.TrimRight(a.m.SQL[start:end], " \t\r\n;"), line: line, col: col}
}

func (a *myAnalyzer) notLinted(err error) {
	a.add(RuleStatementNotLinted, "Not linted: the MySQL parser (Vitess, strict mode) cannot read all of it: "+err.Error()+".", "", nil)
}

func (a *myAnalyzer) add(rule, msg, fix string, steps []fixStep) {
	if !a.report {
		return
	}
	if fix == "" && len(steps) > 0 {
		fix = renderSteps(steps)
	}
	a.res.findings = append(a.res.findings, Finding{
		Rule: rule, File: a.m.File, Line: a.st.line, Column: a.st.col,
		Statement: a.st.text, Message: msg, Fix: fix, steps: steps,
	})
}

func myTable(t sqlparser.TableName) string {
	return strings.ToLower(t.Name.String())
}

func (a *myAnalyzer) holdsData(table string) bool {
	if a.created[table] {
		return false
	}
	if a.in.ExistingTables == nil {
		return true
	}
	return a.in.ExistingTables[table]
}

// ddlStatement counts DDL statements and reports the second one.
func (a *myAnalyzer) ddlStatement() {
	a.ddl++
	if a.ddl == 2 {
		a.add(RuleMySQLMultipleDDL, "Second DDL statement in this migration: MySQL commits each one on its own, so a failure after this point leaves the migration half applied.", "", nil)
	}
}

// metadataLock reports a missing lock_wait_timeout the first time the
// migration needs an exclusive metadata lock on a table in use.
func (a *myAnalyzer) metadataLock(table string) {
	if a.lockTimeout || a.lockReported || !a.holdsData(table) {
		return
	}
	a.lockReported = true
	a.add(RuleLockTimeoutMissing, fmt.Sprintf("Needs an exclusive metadata lock on %s with no lock_wait_timeout set earlier in the migration.", table),
		"", []fixStep{{sql: "SET SESSION lock_wait_timeout = 2;\n" + a.st.text + ";", label: "the same migration, with a lock timeout first"}})
}

func (a *myAnalyzer) statement(node sqlparser.Statement) {
	switch s := node.(type) {
	case *sqlparser.CreateTable:
		a.ddlStatement()
		a.createTable(s)
	case *sqlparser.AlterTable:
		a.ddlStatement()
		a.alterTable(s)
	case *sqlparser.DropTable:
		a.ddlStatement()
		for _, t := range s.FromTables {
			name := myTable(t)
			if !a.holdsData(name) {
				delete(a.created, name)
				continue
			}
			a.metadataLock(name)
			a.add(RuleDropTable, fmt.Sprintf("Drops table %s and all its data.", name), "", nil)
		}
	case *sqlparser.DropDatabase:
		a.ddlStatement()
		a.add(RuleDropTable, fmt.Sprintf("Drops database %s and every table in it.", s.DBName.String()), "", nil)
	case *sqlparser.RenameTable:
		a.ddlStatement()
		for _, p := range s.TablePairs {
			from := myTable(p.FromTable)
			if !a.holdsData(from) {
				continue
			}
			a.metadataLock(from)
			a.add(RuleRenameTable, fmt.Sprintf("Renames table %s to %s: the release still running uses the old name.", from, myTable(p.ToTable)),
				fmt.Sprintf("Rename, then CREATE VIEW %s AS SELECT * FROM %s so the old release keeps working (a simple view is updatable); drop it once no release uses %s.", from, myTable(p.ToTable), from), nil)
		}
	case *sqlparser.TruncateTable:
		a.ddlStatement()
		name := myTable(s.Table)
		if a.holdsData(name) {
			a.metadataLock(name)
			a.add(RuleTruncateTable, fmt.Sprintf("Truncates %s: every row is deleted, and it cannot be rolled back.", name), "", nil)
		}
	case *sqlparser.CreateView, *sqlparser.AlterView, *sqlparser.DropView, *sqlparser.CreateDatabase, *sqlparser.AlterDatabase:
		a.ddlStatement()
	case *sqlparser.Update:
		a.unbounded("UPDATE", s.TableExprs, s.Where == nil)
	case *sqlparser.Delete:
		a.unbounded("DELETE", s.TableExprs, s.Where == nil)
	case *sqlparser.Begin:
		a.add(RuleTransactionControl, "START TRANSACTION in a migration: MySQL commits implicitly at every DDL statement anyway, so it protects nothing and hides where the migration can stop.", "", nil)
	case *sqlparser.Commit, *sqlparser.Rollback:
		a.add(RuleTransactionControl, "COMMIT or ROLLBACK in a migration: schemagate owns the migration's transaction.", "", nil)
	case *sqlparser.Set:
		for _, e := range s.Exprs {
			if e.Var == nil {
				continue
			}
			name := strings.ToLower(e.Var.Name.String())
			val := strings.ToLower(sqlparser.String(e.Expr))
			switch name {
			case "lock_wait_timeout", "innodb_lock_wait_timeout":
				if name == "lock_wait_timeout" && val != "0" {
					a.lockTimeout = true
				}
			case "foreign_key_checks":
				a.fkChecksOff = val == "0" || val == "off" || val == "false" || val == "'off'"
			}
		}
	}
}

func (a *myAnalyzer) unbounded(verb string, tables sqlparser.TableExprs, noWhere bool) {
	if !noWhere || len(tables) == 0 {
		return
	}
	at, ok := tables[0].(*sqlparser.AliasedTableExpr)
	if !ok {
		return
	}
	tn, ok := at.Expr.(sqlparser.TableName)
	if !ok {
		return
	}
	name := myTable(tn)
	if !a.holdsData(name) {
		return
	}
	a.add(RuleUnboundedWrite, fmt.Sprintf("%s without WHERE changes every row of %s.", verb, name), "", nil)
}

func myColumnFacts(c *sqlparser.ColumnDefinition) *myColumn {
	col := &myColumn{typ: myTypeName(c.Type)}
	if o := c.Type.Options; o != nil {
		col.notNull = (o.Null != nil && !*o.Null) || o.KeyOpt == sqlparser.ColKeyPrimary
		col.hasDefault = o.Default != nil
		col.comment = o.Comment != nil
	}
	return col
}

// myTypeName describes a column type: "varchar(20)", "decimal(10,2)",
// "bigint unsigned".
func myTypeName(t *sqlparser.ColumnType) string {
	s := strings.ToLower(t.Type)
	switch {
	case t.Length != nil && t.Scale != nil:
		s += fmt.Sprintf("(%d,%d)", *t.Length, *t.Scale)
	case t.Length != nil:
		s += fmt.Sprintf("(%d)", *t.Length)
	case len(t.EnumValues) > 0:
		s += "(" + strings.Join(t.EnumValues, ",") + ")"
	}
	if t.Unsigned {
		s += " unsigned"
	}
	return s
}

func (a *myAnalyzer) createTable(s *sqlparser.CreateTable) {
	table := myTable(s.Table)
	a.created[table] = true
	cols := map[string]*myColumn{}
	a.columns[table] = cols
	if s.TableSpec == nil {
		return
	}
	var pk []string
	for _, c := range s.TableSpec.Columns {
		name := strings.ToLower(c.Name.String())
		cols[name] = myColumnFacts(c)
		if o := c.Type.Options; o != nil {
			if o.KeyOpt == sqlparser.ColKeyPrimary {
				pk = append(pk, name)
			}
			if o.Reference != nil {
				a.inlineReference(c)
			}
		}
	}
	for _, ix := range s.TableSpec.Indexes {
		if ix.Info != nil && ix.Info.Type == sqlparser.IndexTypePrimary {
			for _, col := range ix.Columns {
				pk = append(pk, strings.ToLower(col.Column.String()))
			}
		}
	}
	if len(pk) == 1 {
		if c := cols[pk[0]]; c != nil && mySmallInt(c.typ) {
			a.add(RuleIntPrimaryKey, fmt.Sprintf("Primary key %s.%s is %s, a 32-bit or smaller integer.", table, pk[0], c.typ),
				"Declare it BIGINT UNSIGNED AUTO_INCREMENT.", nil)
		}
	}
}

func mySmallInt(t string) bool {
	base, _, _ := strings.Cut(t, "(")
	base, _, _ = strings.Cut(base, " ")
	switch base {
	case "int", "integer", "mediumint", "smallint", "tinyint":
		return true
	}
	return false
}

func (a *myAnalyzer) inlineReference(c *sqlparser.ColumnDefinition) {
	ref := c.Type.Options.Reference
	a.add(RuleMySQLInlineReferences, fmt.Sprintf("Column %s declares REFERENCES %s inline: MySQL 8.0 ignores it and creates no foreign key.", c.Name.String(), myTable(ref.ReferencedTable)),
		fmt.Sprintf("Write the key as a table constraint: FOREIGN KEY (%s) REFERENCES %s (%s).", c.Name.String(), myTable(ref.ReferencedTable), sqlparser.String(ref.ReferencedColumns)), nil)
}

func (a *myAnalyzer) alterTable(s *sqlparser.AlterTable) {
	table := myTable(s.Table)
	data := a.holdsData(table)
	algorithm, lock := "", sqlparser.DefaultType
	for _, o := range s.AlterOptions {
		switch x := o.(type) {
		case sqlparser.AlgorithmValue:
			algorithm = strings.ToUpper(string(x))
		case *sqlparser.LockOption:
			lock = x.Type
		}
	}
	if data {
		a.metadataLock(table)
		switch {
		case algorithm == "COPY" || lock == sqlparser.SharedType || lock == sqlparser.ExclusiveType:
			a.add(RuleMySQLBlockingAlgorithm, fmt.Sprintf("ALTER TABLE %s with %s: writes to the table are blocked until it finishes.", table, blockingClause(algorithm, lock)), "", nil)
		case algorithm == "" && !onlyOptions(s):
			a.add(RuleMySQLAlgorithmMissing, fmt.Sprintf("ALTER TABLE %s names no ALGORITHM: the server may silently fall back to COPY.", table),
				"Append ALGORITHM=INSTANT (or ALGORITHM=INPLACE, LOCK=NONE) so that the server refuses instead of copying the table.", nil)
		}
	}
	for _, o := range s.AlterOptions {
		switch x := o.(type) {
		case *sqlparser.AddColumns:
			for _, c := range x.Columns {
				a.addColumn(table, data, c, algorithm)
			}
		case *sqlparser.AddConstraintDefinition:
			if _, fk := x.ConstraintDefinition.Details.(*sqlparser.ForeignKeyDefinition); fk && data && !a.fkChecksOff {
				a.add(RuleMySQLAddForeignKey, fmt.Sprintf("Adds a foreign key to %s with foreign_key_checks on: the table is copied while writes wait.", table), "", nil)
			}
		case *sqlparser.DropColumn:
			name := strings.ToLower(x.Name.Name.String())
			if data {
				a.add(RuleDropColumn, fmt.Sprintf("Drops column %s.%s and its data.", table, name), "", nil)
			}
			delete(a.columns[table], name)
		case *sqlparser.RenameColumn:
			if data {
				a.add(RuleRenameColumn, fmt.Sprintf("Renames column %s.%s to %s: the release still running uses the old name.", table, x.OldName.Name.String(), x.NewName.Name.String()), "", nil)
			}
		case *sqlparser.RenameTableName:
			if data {
				a.add(RuleRenameTable, fmt.Sprintf("Renames table %s to %s: the release still running uses the old name.", table, myTable(x.Table)), "", nil)
			}
		case *sqlparser.ModifyColumn:
			a.changeColumn(table, data, x.NewColDefinition.Name.String(), x.NewColDefinition)
		case *sqlparser.ChangeColumn:
			a.changeColumn(table, data, x.OldColumn.Name.String(), x.NewColDefinition)
		}
	}
}

// onlyOptions reports whether an ALTER TABLE does nothing but set
// ALGORITHM/LOCK or rename (which are metadata-only whatever the
// algorithm).
func onlyOptions(s *sqlparser.AlterTable) bool {
	for _, o := range s.AlterOptions {
		switch o.(type) {
		case sqlparser.AlgorithmValue, *sqlparser.LockOption, *sqlparser.RenameTableName:
		default:
			return false
		}
	}
	return true
}

func blockingClause(algorithm string, lock sqlparser.LockOptionType) string {
	var parts []string
	if algorithm == "COPY" {
		parts = append(parts, "ALGORITHM=COPY")
	}
	switch lock {
	case sqlparser.SharedType:
		parts = append(parts, "LOCK=SHARED")
	case sqlparser.ExclusiveType:
		parts = append(parts, "LOCK=EXCLUSIVE")
	}
	return strings.Join(parts, ", ")
}

func (a *myAnalyzer) addColumn(table string, data bool, c *sqlparser.ColumnDefinition, algorithm string) {
	name := strings.ToLower(c.Name.String())
	col := myColumnFacts(c)
	if a.columns[table] == nil {
		a.columns[table] = map[string]*myColumn{}
	}
	a.columns[table][name] = col
	o := c.Type.Options
	if o == nil {
		o = &sqlparser.ColumnTypeOptions{}
	}
	if o.Reference != nil {
		a.inlineReference(c)
	}
	if !data {
		return
	}
	generated := o.As != nil
	switch {
	case o.Autoincrement:
		a.add(RuleAddAutoIncrementColumn, fmt.Sprintf("Adds AUTO_INCREMENT column %s to %s: the table is copied to number the existing rows.", name, table), "", nil)
	case generated && o.Storage == sqlparser.StoredStorage:
		a.add(RuleAddStoredGeneratedColumn, fmt.Sprintf("Adds STORED generated column %s to %s: the table is rebuilt to compute it for every row.", name, table),
			"Declare it VIRTUAL (added INSTANT), and index it if it must be fast to read.", nil)
	case o.Default != nil && isMyExpression(o.Default) && algorithm != "INSTANT":
		a.add(RuleMySQLExpressionDefault, fmt.Sprintf("Adds column %s to %s with the expression default %s and without ALGORITHM=INSTANT: a server that cannot add it instantly rebuilds the table.", name, table, sqlparser.String(o.Default)), "", nil)
	}
	if col.notNull && !col.hasDefault && !o.Autoincrement && !generated {
		a.add(RuleAddRequiredColumn, fmt.Sprintf("Adds NOT NULL column %s to %s without a default: existing rows silently get the type's zero value, and the release still running cannot insert.", name, table), "", nil)
	}
}

// isMyExpression reports whether a DEFAULT is an expression rather than a
// literal or CURRENT_TIMESTAMP.
func isMyExpression(e sqlparser.Expr) bool {
	switch x := e.(type) {
	case *sqlparser.Literal, *sqlparser.NullVal, sqlparser.BoolVal, *sqlparser.CurTimeFuncExpr:
		return false
	case *sqlparser.UnaryExpr:
		return isMyExpression(x.Expr)
	}
	return true
}

func (a *myAnalyzer) changeColumn(table string, data bool, oldName string, def *sqlparser.ColumnDefinition) {
	oldKey := strings.ToLower(oldName)
	newKey := strings.ToLower(def.Name.String())
	old := a.columns[table][oldKey]
	nu := myColumnFacts(def)
	if a.columns[table] != nil {
		delete(a.columns[table], oldKey)
		a.columns[table][newKey] = nu
	}
	if !data {
		return
	}
	if oldKey != newKey {
		a.add(RuleRenameColumn, fmt.Sprintf("CHANGE renames column %s.%s to %s: the release still running uses the old name.", table, oldName, def.Name.String()), "", nil)
	}
	explicitNull := def.Type.Options != nil && def.Type.Options.Null != nil && *def.Type.Options.Null
	switch {
	case old == nil:
		a.add(RuleColumnTypeChange, fmt.Sprintf("Redefines column %s.%s as %s; its old definition is not known from the migrations, so schemagate cannot prove the table is not copied.", table, oldName, nu.typ), "", nil)
	case old.typ != nu.typ && !myCompatible(old.typ, nu.typ):
		a.add(RuleColumnTypeChange, fmt.Sprintf("Changes column %s.%s from %s to %s: the table is copied while writes wait.", table, oldName, old.typ, nu.typ), "", nil)
	}
	if old == nil {
		return
	}
	if !old.notNull && nu.notNull {
		a.add(RuleSetNotNull, fmt.Sprintf("Makes %s.%s NOT NULL: the table is rebuilt, and the statement fails (strict mode) or writes zero values on existing NULLs.", table, oldName), "", nil)
	}
	if old.notNull && !nu.notNull && explicitNull {
		a.add(RuleDropNotNull, fmt.Sprintf("Makes %s.%s nullable: the release still running may read NULLs it does not expect.", table, oldName), "", nil)
	}
	var dropped []string
	if old.notNull && !nu.notNull && !explicitNull {
		dropped = append(dropped, "NOT NULL")
	}
	if old.hasDefault && !nu.hasDefault {
		dropped = append(dropped, "DEFAULT")
	}
	if old.comment && !nu.comment {
		dropped = append(dropped, "COMMENT")
	}
	if len(dropped) > 0 {
		a.add(RuleMySQLModifyDropsAttributes, fmt.Sprintf("Redefines %s.%s without its %s: the attribute is silently removed.", table, oldName, strings.Join(dropped, ", ")), "", nil)
	}
}

// myCompatible reports whether a type change is done in place without a
// copy: a longer VARCHAR within the same length-byte class.
func myCompatible(old, new string) bool {
	ob, oa := splitTypmod(old)
	nb, na := splitTypmod(new)
	if ob == "varchar" && nb == "varchar" && len(oa) == 1 && len(na) == 1 {
		// utf8mb4: up to 63 characters fit in one length byte.
		return na[0] >= oa[0] && (oa[0] > 63 || na[0] <= 63)
	}
	return false
}
