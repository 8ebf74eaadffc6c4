package lint

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	pgquery "github.com/wasilibs/go-pgquery"
	pgparser "github.com/wasilibs/go-pgquery/parser"
	"google.golang.org/protobuf/proto"

	"github.com/schemagate/schemagate/sqlsplit"
)

// The PostgreSQL analyzer. Statements are parsed by libpg_query, the
// server's own grammar (PostgreSQL 17), and walked in order with a state
// that knows what the migration has done so far: the tables it created,
// whether it set lock_timeout, which tables it has locked in its
// transaction. Facts that outlive a migration (CHECK constraints, column
// types, function volatility) carry over from Input.Earlier and from the
// migrations linted before.

// pgColumn is what the migrations say about a column.
type pgColumn struct {
	typ     string // canonical type: "varchar(20)", "int4", "text"
	notNull bool
}

// pgCheck is a CHECK constraint the migrations defined.
type pgCheck struct {
	notNullColumn string // set when the check is exactly "col IS NOT NULL"
	validated     bool
}

type pgAnalyzer struct {
	in  *Input
	res *result

	// Facts that carry over from one migration to the next.
	columns map[string]map[string]*pgColumn
	checks  map[string]map[string]*pgCheck
	funcs   map[string]volatility

	// The migration being analyzed.
	m            *Migration
	src          *source
	report       bool
	created      map[string]bool // tables created by this migration
	createdIdx   map[string]bool // indexes created by this migration
	lockTimeout  bool
	lockReported bool
	runnerTx     bool            // the runner wraps the file in a transaction
	explicitTx   *pgStmt         // an open BEGIN written in a no-transaction file
	locked       map[string]bool // tables locked (stronger than SHARE UPDATE EXCLUSIVE) in the current transaction
	others       int             // statements other than SET and transaction control

	// The statement being analyzed.
	st *pgStmt
}

type pgStmt struct {
	node       *pg.Node
	text       string
	line, col  int
	findings   int
	lockedHere []string
}

func lintPostgres(ctx context.Context, in Input) (*result, error) {
	a := &pgAnalyzer{
		in:      &in,
		res:     &result{},
		columns: map[string]map[string]*pgColumn{},
		checks:  map[string]map[string]*pgCheck{},
		funcs:   map[string]volatility{},
	}
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

// parsePostgres returns the statements of src. The whole file is parsed in
// one call (much faster than one call per statement); when it does not
// parse, each statement is parsed on its own so that the ones that do are
// still linted, and each one that does not is reported.
func (a *pgAnalyzer) parse() []*pgStmt {
	src := a.m.SQL
	tree, err := pgquery.Parse(src)
	if err == nil {
		out := make([]*pgStmt, 0, len(tree.Stmts))
		for _, raw := range tree.Stmts {
			start := int(raw.StmtLocation)
			end := len(src)
			if raw.StmtLen > 0 {
				end = start + int(raw.StmtLen)
			}
			out = append(out, a.stmt(raw.Stmt, start, end))
		}
		return out
	}
	pieces, serr := sqlsplit.Split(sqlsplit.Postgres, src)
	if serr != nil {
		a.notLinted(a.stmt(nil, 0, len(src)), 0, err)
		return nil
	}
	var out []*pgStmt
	for _, p := range pieces {
		tree, err := pgquery.Parse(p.Text)
		if err != nil || len(tree.Stmts) != 1 {
			if err == nil {
				err = fmt.Errorf("the splitter and the parser disagree on where this statement ends")
			}
			a.notLinted(a.stmt(nil, p.Offset, p.Offset+len(p.Text)), p.Offset, err)
			continue
		}
		out = append(out, a.stmt(tree.Stmts[0].Stmt, p.Offset, p.Offset+len(p.Text)))
	}
	return out
}

func (a *pgAnalyzer) stmt(n *pg.Node, start, end int) *pgStmt {
	src := a.m.SQL
	start = skipLeading(src, start)
	if end < start {
		end = start
	}
	text := strings.TrimRight(src[start:end], " \t\r\n;")
	line, col := a.src.position(start)
	return &pgStmt{node: n, text: text, line: line, col: col}
}

func (a *pgAnalyzer) notLinted(st *pgStmt, base int, err error) {
	if !a.report {
		return
	}
	a.res.statement(a.m.File, st.line)
	msg := err.Error()
	var perr *pgparser.Error
	if errors.As(err, &perr) && perr.Cursorpos > 0 {
		off := base + runeOffset(a.m.SQL[base:], perr.Cursorpos)
		line, col := a.src.position(off)
		msg = fmt.Sprintf("%s (line %d, column %d)", perr.Message, line, col)
	}
	a.st = st
	a.add(RuleStatementNotLinted, "Not linted: the PostgreSQL 17 grammar of libpg_query rejects it: "+msg+".", "", nil)
}

func (a *pgAnalyzer) migration(m *Migration, report bool) {
	a.m, a.report = m, report
	a.src = newSource(m.SQL)
	a.created = map[string]bool{}
	a.createdIdx = map[string]bool{}
	a.lockTimeout = m.Directives.LockTimeout > 0 || a.in.RunnerLockTimeout > 0
	a.lockReported = false
	a.runnerTx = !m.Directives.NoTransaction
	a.explicitTx = nil
	a.locked = map[string]bool{}
	stmts := a.parse()
	a.others = 0
	for _, st := range stmts {
		switch st.node.GetNode().(type) {
		case *pg.Node_VariableSetStmt, *pg.Node_TransactionStmt:
		default:
			a.others++
		}
	}
	for _, st := range stmts {
		a.st = st
		if report {
			a.res.statement(m.File, st.line)
		}
		a.statement(st.node)
	}
	if a.explicitTx != nil {
		a.st = a.explicitTx
		a.add(RuleTransactionControl, "BEGIN without a matching COMMIT: the statements after it are never committed.", "", nil)
	}
}

// inTx reports whether the current statement runs inside a transaction.
func (a *pgAnalyzer) inTx() bool { return a.runnerTx || a.explicitTx != nil }

// add records a finding for the current statement.
func (a *pgAnalyzer) add(rule, msg, fix string, steps []fixStep) {
	if !a.report {
		return
	}
	a.st.findings++
	if fix == "" && len(steps) > 0 {
		fix = renderSteps(steps)
	}
	a.res.findings = append(a.res.findings, Finding{
		Rule: rule, File: a.m.File, Line: a.st.line, Column: a.st.col,
		Statement: a.st.text, Message: msg, Fix: fix, steps: steps,
	})
}

// tableKey names a table the way ExistingTables and the analyzer's maps
// do: lower case, without the default schema.
func tableKey(rv *pg.RangeVar) string {
	if rv == nil {
		return ""
	}
	name := strings.ToLower(rv.Relname)
	if s := strings.ToLower(rv.Schemaname); s != "" && s != "public" {
		return s + "." + name
	}
	return name
}

// holdsData reports whether table may hold rows: it was not created by
// this migration, and, when the existing tables are known, it is one.
func (a *pgAnalyzer) holdsData(table string) bool {
	if a.created[table] {
		return false
	}
	if a.in.ExistingTables == nil {
		return true
	}
	if a.in.ExistingTables[table] || a.in.ExistingTables["public."+table] {
		return true
	}
	return false
}

// takesLock notes that the statement locks table in a mode that blocks
// reads or writes, and reports a missing lock_timeout the first time a
// migration does so on a table that is in use.
func (a *pgAnalyzer) takesLock(table, mode string) {
	if table != "" {
		a.locked[table] = true
		a.st.lockedHere = append(a.st.lockedHere, table)
	}
	if a.lockTimeout || a.lockReported || (table != "" && !a.holdsData(table)) {
		return
	}
	a.lockReported = true
	what := "the table"
	if table != "" {
		what = table
	}
	a.add(RuleLockTimeoutMissing,
		fmt.Sprintf("Takes %s lock on %s with no lock_timeout set earlier in the migration.", aOrAn(mode), what),
		"", []fixStep{{sql: "SET lock_timeout = '2s';\n" + a.st.text + ";", noTx: !a.runnerTx, label: "the same migration, with a lock timeout first"}})
}

func aOrAn(mode string) string {
	if strings.HasPrefix(mode, "ACCESS") || strings.HasPrefix(mode, "EXCLUSIVE") {
		return "an " + mode
	}
	return "a " + mode
}

func (a *pgAnalyzer) statement(n *pg.Node) {
	switch n.GetNode().(type) {
	case *pg.Node_CreateStmt, *pg.Node_IndexStmt, *pg.Node_AlterTableStmt, *pg.Node_RenameStmt, *pg.Node_CreateTableAsStmt, *pg.Node_ViewStmt:
		a.longIdentifiers()
	}
	switch x := n.GetNode().(type) {
	case *pg.Node_CreateStmt:
		a.createTable(x.CreateStmt)
	case *pg.Node_CreateTableAsStmt:
		if x.CreateTableAsStmt.Into != nil {
			a.created[tableKey(x.CreateTableAsStmt.Into.Rel)] = true
		}
	case *pg.Node_IndexStmt:
		a.createIndex(n, x.IndexStmt)
	case *pg.Node_AlterTableStmt:
		a.alterTable(x.AlterTableStmt)
	case *pg.Node_DropStmt:
		a.drop(n, x.DropStmt)
	case *pg.Node_DropdbStmt:
		a.add(RuleDropTable, fmt.Sprintf("Drops database %s.", x.DropdbStmt.Dbname), "", nil)
		a.outsideTxOnly("DROP DATABASE")
	case *pg.Node_CreatedbStmt:
		a.outsideTxOnly("CREATE DATABASE")
	case *pg.Node_CreateTableSpaceStmt:
		a.outsideTxOnly("CREATE TABLESPACE")
	case *pg.Node_DropTableSpaceStmt:
		a.outsideTxOnly("DROP TABLESPACE")
	case *pg.Node_AlterSystemStmt:
		a.outsideTxOnly("ALTER SYSTEM")
	case *pg.Node_TruncateStmt:
		a.truncate(x.TruncateStmt)
	case *pg.Node_UpdateStmt:
		a.write("UPDATE", x.UpdateStmt.Relation, x.UpdateStmt.WhereClause == nil, true)
	case *pg.Node_DeleteStmt:
		a.write("DELETE", x.DeleteStmt.Relation, x.DeleteStmt.WhereClause == nil, true)
	case *pg.Node_InsertStmt:
		sel := x.InsertStmt.SelectStmt.GetSelectStmt()
		backfill := sel != nil && len(sel.FromClause) > 0
		a.write("INSERT … SELECT", x.InsertStmt.Relation, false, backfill)
	case *pg.Node_RenameStmt:
		a.rename(x.RenameStmt)
	case *pg.Node_AlterObjectSchemaStmt:
		s := x.AlterObjectSchemaStmt
		if s.ObjectType == pg.ObjectType_OBJECT_TABLE && a.holdsData(tableKey(s.Relation)) {
			a.takesLock(tableKey(s.Relation), "ACCESS EXCLUSIVE")
			a.add(RuleRenameTable, fmt.Sprintf("Moves table %s to schema %s.", tableKey(s.Relation), s.Newschema), "", nil)
		}
	case *pg.Node_AlterEnumStmt:
		a.alterEnum(x.AlterEnumStmt)
	case *pg.Node_ReindexStmt:
		a.reindex(n, x.ReindexStmt)
	case *pg.Node_VacuumStmt:
		v := x.VacuumStmt
		if !v.IsVacuumcmd {
			return // ANALYZE
		}
		a.outsideTxOnly("VACUUM")
		for _, o := range v.Options {
			if d := o.GetDefElem(); d != nil && strings.EqualFold(d.Defname, "full") && defBool(d) {
				a.add(RuleTableRewriteCommand, "VACUUM FULL rewrites every table it names under an ACCESS EXCLUSIVE lock.", "", nil)
			}
		}
	case *pg.Node_ClusterStmt:
		a.takesLock(tableKey(x.ClusterStmt.Relation), "ACCESS EXCLUSIVE")
		a.add(RuleTableRewriteCommand, "CLUSTER rewrites the table in index order under an ACCESS EXCLUSIVE lock.", "", nil)
	case *pg.Node_AlterDomainStmt:
		d := x.AlterDomainStmt
		if d.Subtype == "C" {
			if c := d.Def.GetConstraint(); c != nil && !c.SkipValidation {
				fix := ""
				if st := pgWithNotValid(n); st != "" {
					fix = fmt.Sprintf("%s;\n-- then, in a later migration:\nALTER DOMAIN %s VALIDATE CONSTRAINT %s;", st, qualifiedName(d.TypeName), pgIdent(c.Conname))
				}
				a.add(RuleDomainConstraintScan, fmt.Sprintf("Adds a constraint to domain %s, checking every column that uses it.", qualifiedName(d.TypeName)), fix, nil)
			}
		}
	case *pg.Node_VariableSetStmt:
		v := x.VariableSetStmt
		if strings.EqualFold(v.Name, "lock_timeout") && v.Kind == pg.VariableSetKind_VAR_SET_VALUE && !isZeroSetting(v.Args) {
			a.lockTimeout = true
		}
	case *pg.Node_TransactionStmt:
		a.transaction(x.TransactionStmt)
	case *pg.Node_CreateFunctionStmt:
		f := x.CreateFunctionStmt
		vol := volatile
		for _, o := range f.Options {
			if d := o.GetDefElem(); d != nil && d.Defname == "volatility" {
				switch d.Arg.GetString_().GetSval() {
				case "immutable":
					vol = immutable
				case "stable":
					vol = stable
				}
			}
		}
		a.funcs[strings.ToLower(lastName(f.Funcname))] = vol
	case *pg.Node_LockStmt:
		for _, r := range x.LockStmt.Relations {
			a.takesLock(tableKey(r.GetRangeVar()), "explicit")
		}
	case *pg.Node_CreateTrigStmt:
		a.takesLock(tableKey(x.CreateTrigStmt.Relation), "SHARE ROW EXCLUSIVE")
	}
}

func (a *pgAnalyzer) outsideTxOnly(what string) {
	if a.inTx() {
		a.add(RuleNotAllowedInTransaction, what+" cannot run inside a transaction block, and this migration runs in one.",
			"Move it to a migration of its own that starts with -- schemagate:no-transaction.", nil)
	}
}

func (a *pgAnalyzer) transaction(t *pg.TransactionStmt) {
	switch t.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
		if a.inTx() {
			a.add(RuleTransactionControl, "BEGIN inside the migration's transaction: PostgreSQL ignores it with a warning, and a later COMMIT would end the runner's transaction early.", "", nil)
			return
		}
		a.explicitTx = a.st
		a.locked = map[string]bool{}
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		if a.explicitTx != nil {
			a.explicitTx = nil
			a.locked = map[string]bool{}
			return
		}
		a.add(RuleTransactionControl, "COMMIT or ROLLBACK in a migration: it ends the transaction schemagate opened, so the statements after it run unprotected.", "", nil)
	}
}

func (a *pgAnalyzer) createTable(c *pg.CreateStmt) {
	table := tableKey(c.Relation)
	a.created[table] = true
	cols := map[string]*pgColumn{}
	a.columns[table] = cols
	var pkCols []string
	for _, e := range c.TableElts {
		if cd := e.GetColumnDef(); cd != nil {
			col := a.columnFacts(table, cd)
			cols[strings.ToLower(cd.Colname)] = col
			a.columnHygiene(cd)
			for _, cn := range cd.Constraints {
				if k := cn.GetConstraint(); k != nil && k.Contype == pg.ConstrType_CONSTR_PRIMARY {
					pkCols = append(pkCols, strings.ToLower(cd.Colname))
				}
			}
		}
		if k := e.GetConstraint(); k != nil {
			a.recordCheck(table, k)
			if k.Contype == pg.ConstrType_CONSTR_PRIMARY {
				for _, key := range k.Keys {
					pkCols = append(pkCols, strings.ToLower(key.GetString_().GetSval()))
				}
			}
		}
	}
	if len(pkCols) == 1 {
		if col := cols[pkCols[0]]; col != nil && isSmallInt(col.typ) {
			a.add(RuleIntPrimaryKey, fmt.Sprintf("Primary key %s.%s is %s, a 32-bit or smaller integer.", table, pkCols[0], col.typ),
				"Declare it bigint GENERATED ALWAYS AS IDENTITY (or bigserial).", nil)
		}
	}
}

// columnFacts records what a column definition says, for later rules.
func (a *pgAnalyzer) columnFacts(table string, cd *pg.ColumnDef) *pgColumn {
	col := &pgColumn{typ: pgTypeName(cd.TypeName), notNull: cd.IsNotNull}
	for _, cn := range cd.Constraints {
		k := cn.GetConstraint()
		if k == nil {
			continue
		}
		switch k.Contype {
		case pg.ConstrType_CONSTR_NOTNULL, pg.ConstrType_CONSTR_PRIMARY:
			col.notNull = true
		case pg.ConstrType_CONSTR_CHECK:
			a.recordCheck(table, k)
		}
	}
	return col
}

// columnHygiene applies the rules about a column's type and name, which
// hold whether the table is new or not.
func (a *pgAnalyzer) columnHygiene(cd *pg.ColumnDef) {
	typ := pgTypeName(cd.TypeName)
	switch {
	case typ == "json":
		a.add(RuleJSONColumn, fmt.Sprintf("Column %s is of type json.", cd.Colname), fmt.Sprintf("Declare %s jsonb.", pgIdent(cd.Colname)), nil)
	case typ == "timestamp" || strings.HasPrefix(typ, "timestamp("):
		a.add(RuleTimestampWithoutTimeZone, fmt.Sprintf("Column %s is timestamp without time zone.", cd.Colname), fmt.Sprintf("Declare %s timestamptz.", pgIdent(cd.Colname)), nil)
	}
}

// longIdentifiers reports names longer than 63 bytes in the statement.
func (a *pgAnalyzer) longIdentifiers() {
	for _, tok := range ltTokens(a.st.text) {
		if (tok.word || tok.ident) && len(tok.text) > 63 {
			name := tok.text
			if tok.word {
				name = strings.ToLower(name)
			}
			a.add(RuleIdentifierTooLong, fmt.Sprintf("The name %q is %d bytes; PostgreSQL silently truncates it to %q.", name, len(name), name[:63]), "", nil)
		}
	}
}

func (a *pgAnalyzer) recordCheck(table string, k *pg.Constraint) {
	if k.Contype != pg.ConstrType_CONSTR_CHECK || k.Conname == "" {
		return
	}
	if a.checks[table] == nil {
		a.checks[table] = map[string]*pgCheck{}
	}
	c := &pgCheck{validated: !k.SkipValidation}
	if nt := k.RawExpr.GetNullTest(); nt != nil && nt.Nulltesttype == pg.NullTestType_IS_NOT_NULL {
		if ref := nt.Arg.GetColumnRef(); ref != nil && len(ref.Fields) == 1 {
			c.notNullColumn = strings.ToLower(ref.Fields[0].GetString_().GetSval())
		}
	}
	a.checks[table][strings.ToLower(k.Conname)] = c
}

func (a *pgAnalyzer) createIndex(n *pg.Node, ix *pg.IndexStmt) {
	table := tableKey(ix.Relation)
	if ix.Idxname != "" {
		a.createdIdx[strings.ToLower(ix.Idxname)] = a.created[table] || !a.holdsData(table)
	}
	if ix.Concurrent {
		a.concurrently("CREATE INDEX CONCURRENTLY")
		if ix.IfNotExists {
			fix := fmt.Sprintf("-- schemagate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS %s;\n%s;", pgIdent(ix.Idxname), pgDeparseWith(n, func(c *pg.Node) { c.GetIndexStmt().IfNotExists = false }))
			a.add(RuleConcurrentIndexIfNotExists, fmt.Sprintf("IF NOT EXISTS would skip an INVALID index %s left by a failed earlier build.", ix.Idxname), fix, nil)
		}
		return
	}
	if !a.holdsData(table) {
		return
	}
	a.takesLock(table, "SHARE")
	fixed := pgDeparseWith(n, func(c *pg.Node) { c.GetIndexStmt().Concurrent = true })
	a.add(RuleIndexWithoutConcurrently, fmt.Sprintf("Builds index %s on %s without CONCURRENTLY: writes to %s are blocked for the whole build.", orUnnamed(ix.Idxname), table, table),
		"", []fixStep{{sql: "-- schemagate:no-transaction\n" + fixed + ";", noTx: true, label: "a migration of its own, outside a transaction"}})
}

// concurrently checks a CONCURRENTLY statement: it cannot run in a
// transaction, and on 14.0–14.3 index builds can corrupt.
func (a *pgAnalyzer) concurrently(what string) {
	if a.inTx() {
		msg := what + " cannot run inside a transaction block, and this migration runs in one"
		if a.explicitTx != nil {
			msg += " (the BEGIN on line " + strconv.Itoa(a.explicitTx.line) + ")"
		} else if a.others == 1 {
			msg += ", even alone in its file: schemagate wraps every migration in a transaction unless it is marked -- schemagate:no-transaction"
		}
		a.add(RuleConcurrentlyInTransaction, msg+".", "", []fixStep{{sql: "-- schemagate:no-transaction\n" + a.st.text + ";", noTx: true, label: "a migration of its own, outside a transaction"}})
	}
	v := a.in.PostgresVersion
	if v.Major == 14 && v.Minor <= 3 && (strings.HasPrefix(what, "CREATE INDEX") || strings.HasPrefix(what, "REINDEX")) {
		a.add(RuleConcurrentIndexPG14, fmt.Sprintf("%s on PostgreSQL %s, which can build a corrupt index.", what, v), "", nil)
	}
}

func (a *pgAnalyzer) alterTable(s *pg.AlterTableStmt) {
	table := tableKey(s.Relation)
	if s.Objtype != pg.ObjectType_OBJECT_TABLE {
		return
	}
	data := a.holdsData(table)
	for _, c := range s.Cmds {
		cmd := c.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		switch cmd.Subtype {
		case pg.AlterTableType_AT_ValidateConstraint, pg.AlterTableType_AT_SetStatistics,
			pg.AlterTableType_AT_ClusterOn, pg.AlterTableType_AT_DropCluster, pg.AlterTableType_AT_SetOptions,
			pg.AlterTableType_AT_ResetOptions, pg.AlterTableType_AT_AttachPartition:
			// SHARE UPDATE EXCLUSIVE or weaker on the table itself.
		case pg.AlterTableType_AT_DetachPartition:
			if !cmd.Def.GetPartitionCmd().GetConcurrent() {
				a.takesLock(table, "ACCESS EXCLUSIVE")
			}
		default:
			a.takesLock(table, "ACCESS EXCLUSIVE")
		}
		a.alterTableCmd(table, data, cmd)
	}
}

func (a *pgAnalyzer) alterTableCmd(table string, data bool, cmd *pg.AlterTableCmd) {
	col := strings.ToLower(cmd.Name)
	switch cmd.Subtype {
	case pg.AlterTableType_AT_AddColumn:
		a.addColumn(table, data, cmd.Def.GetColumnDef())
	case pg.AlterTableType_AT_DropColumn:
		if data {
			a.add(RuleDropColumn, fmt.Sprintf("Drops column %s.%s and its data.", table, cmd.Name), "", nil)
		}
		delete(a.columns[table], col)
	case pg.AlterTableType_AT_SetNotNull:
		a.setNotNull(table, data, cmd.Name)
	case pg.AlterTableType_AT_DropNotNull:
		if data {
			a.add(RuleDropNotNull, fmt.Sprintf("Drops NOT NULL from %s.%s: the release still running may read NULLs it does not expect.", table, cmd.Name), "", nil)
		}
		if c := a.column(table, col); c != nil {
			c.notNull = false
		}
	case pg.AlterTableType_AT_AlterColumnType:
		a.alterType(table, data, cmd)
	case pg.AlterTableType_AT_AddConstraint:
		a.addConstraint(table, data, cmd.Def.GetConstraint())
	case pg.AlterTableType_AT_ValidateConstraint:
		if c := a.checks[table][strings.ToLower(cmd.Name)]; c != nil {
			c.validated = true
		}
		if a.inTx() && a.locked[table] {
			a.add(RuleValidateInSameTransaction, fmt.Sprintf("Validates %s in the same transaction that already locked %s: the scan runs while that lock is held.", cmd.Name, table),
				"", []fixStep{{sql: a.st.text + ";", label: "a migration of its own"}})
		}
	case pg.AlterTableType_AT_SetTableSpace, pg.AlterTableType_AT_SetLogged, pg.AlterTableType_AT_SetUnLogged, pg.AlterTableType_AT_SetAccessMethod:
		if data {
			a.add(RuleTableRewriteCommand, fmt.Sprintf("%s rewrites %s under an ACCESS EXCLUSIVE lock.", alterName(cmd.Subtype), table), "", nil)
		}
	case pg.AlterTableType_AT_AttachPartition:
		part := tableKey(cmd.Def.GetPartitionCmd().GetName())
		a.takesLock(part, "ACCESS EXCLUSIVE")
		if a.holdsData(part) && !a.hasValidatedCheck(part) {
			a.add(RuleAttachPartitionScan, fmt.Sprintf("Attaches %s to %s; no validated CHECK constraint on %s is known, so the whole partition is scanned under an ACCESS EXCLUSIVE lock.", part, table, part), "", nil)
		}
	case pg.AlterTableType_AT_DetachPartition:
		pc := cmd.Def.GetPartitionCmd()
		if pc.GetConcurrent() {
			a.concurrently("DETACH PARTITION … CONCURRENTLY")
			return
		}
		if data {
			fix := ""
			if a.in.PostgresVersion.AtLeast(14, 0) {
				fix = fmt.Sprintf("-- schemagate:no-transaction\nALTER TABLE %s DETACH PARTITION %s CONCURRENTLY;", table, tableKey(pc.GetName()))
			} else {
				fix = "PostgreSQL " + a.in.PostgresVersion.String() + " has no DETACH … CONCURRENTLY (it came in 14): run it at a quiet time with a short lock_timeout."
			}
			a.add(RuleDetachWithoutConcurrently, fmt.Sprintf("Detaches %s from %s under an ACCESS EXCLUSIVE lock on %s.", tableKey(pc.GetName()), table, table), fix, nil)
		}
	}
}

func alterName(t pg.AlterTableType) string {
	switch t {
	case pg.AlterTableType_AT_SetTableSpace:
		return "SET TABLESPACE"
	case pg.AlterTableType_AT_SetLogged:
		return "SET LOGGED"
	case pg.AlterTableType_AT_SetUnLogged:
		return "SET UNLOGGED"
	}
	return "SET ACCESS METHOD"
}

func (a *pgAnalyzer) column(table, col string) *pgColumn {
	return a.columns[table][col]
}

func (a *pgAnalyzer) hasValidatedCheck(table string) bool {
	for _, c := range a.checks[table] {
		if c.validated {
			return true
		}
	}
	return false
}

func (a *pgAnalyzer) addColumn(table string, data bool, cd *pg.ColumnDef) {
	if cd == nil {
		return
	}
	a.columnHygiene(cd)
	col := a.columnFacts(table, cd)
	if a.columns[table] == nil {
		a.columns[table] = map[string]*pgColumn{}
	}
	a.columns[table][strings.ToLower(cd.Colname)] = col
	var def *pg.Node
	var hasDefault, identity, stored, pk bool
	for _, cn := range cd.Constraints {
		k := cn.GetConstraint()
		if k == nil {
			continue
		}
		switch k.Contype {
		case pg.ConstrType_CONSTR_DEFAULT:
			def, hasDefault = k.RawExpr, true
		case pg.ConstrType_CONSTR_IDENTITY:
			identity = true
		case pg.ConstrType_CONSTR_GENERATED:
			stored = true
		case pg.ConstrType_CONSTR_PRIMARY:
			pk = true
		}
	}
	if pk && isSmallInt(col.typ) {
		a.add(RuleIntPrimaryKey, fmt.Sprintf("Primary key %s.%s is %s, a 32-bit or smaller integer.", table, cd.Colname, col.typ), "", nil)
	}
	if !data {
		return
	}
	name := pgIdent(cd.Colname)
	serial := strings.HasSuffix(col.typ, "serial") || col.typ == "serial4" || col.typ == "serial8" || col.typ == "serial2"
	switch {
	case serial || identity:
		a.add(RuleAddAutoIncrementColumn, fmt.Sprintf("Adds %s column %s to %s: every existing row gets a value, so the table is rewritten.", orIdentity(col.typ, identity), cd.Colname, table), "", nil)
	case stored:
		a.add(RuleAddStoredGeneratedColumn, fmt.Sprintf("Adds stored generated column %s to %s: it is computed for every existing row in a rewrite.", cd.Colname, table), "", nil)
	case hasDefault:
		v := a.in.PostgresVersion
		bare := fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s %s", table, name, pgTypeSQL(cd.TypeName))
		if !v.AtLeast(11, 0) {
			// Before 11 any DEFAULT clause, even DEFAULT NULL, rewrote.
			a.add(RuleVolatileDefault, fmt.Sprintf("Adds column %s with a DEFAULT on PostgreSQL %s: before PostgreSQL 11 any default, even DEFAULT NULL, rewrites the table.", cd.Colname, v),
				"", []fixStep{{sql: "SET lock_timeout = '2s';\n" + bare + ";\nALTER TABLE " + table + " ALTER COLUMN " + name + " SET DEFAULT " + pgDeparseExpr(def) + ";", label: "add the column bare, then set the default for new rows; backfill old rows in batches later"}})
		} else if vol, culprit := exprVolatility(def, a.funcs); vol == volatile {
			a.add(RuleVolatileDefault, fmt.Sprintf("Adds column %s with the volatile default %s: it is computed per row, so the table is rewritten.", cd.Colname, culprit),
				"", []fixStep{{sql: "SET lock_timeout = '2s';\n" + bare + ";\nALTER TABLE " + table + " ALTER COLUMN " + name + " SET DEFAULT " + pgDeparseExpr(def) + ";", label: "add the column bare, then set the default for new rows; backfill old rows in batches later"}})
		}
	}
	if col.notNull && !hasDefault && !identity && !serial && !stored {
		a.add(RuleAddRequiredColumn, fmt.Sprintf("Adds NOT NULL column %s to %s without a default: the statement fails if %s has rows.", cd.Colname, table, table),
			fmt.Sprintf("Give it a constant default (… %s %s NOT NULL DEFAULT <value>), or add it nullable, backfill, and make it NOT NULL with a validated CHECK first.", name, pgTypeSQL(cd.TypeName)), nil)
	}
	for _, cn := range cd.Constraints {
		k := cn.GetConstraint()
		if k == nil {
			continue
		}
		switch k.Contype {
		case pg.ConstrType_CONSTR_FOREIGN:
			a.takesLock(tableKey(k.Pktable), "SHARE ROW EXCLUSIVE")
			a.add(RuleForeignKeyWithoutNotValid, fmt.Sprintf("Adds column %s with REFERENCES %s: the key is validated over every row of %s while both tables are locked.", cd.Colname, tableKey(k.Pktable), table),
				fmt.Sprintf("Add the column without REFERENCES, then ALTER TABLE %s ADD CONSTRAINT … FOREIGN KEY (%s) REFERENCES %s … NOT VALID, and VALIDATE CONSTRAINT in a later migration.", table, name, tableKey(k.Pktable)), nil)
		case pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_PRIMARY:
			a.add(RuleConstraintBuildsIndex, fmt.Sprintf("Adds column %s with %s: its index is built under the ACCESS EXCLUSIVE lock.", cd.Colname, constraintKind(k)), "", nil)
		case pg.ConstrType_CONSTR_CHECK:
			a.add(RuleCheckWithoutNotValid, fmt.Sprintf("Adds column %s with a CHECK constraint, checked over every row under the ACCESS EXCLUSIVE lock.", cd.Colname), "", nil)
		}
	}
}

func orIdentity(typ string, identity bool) string {
	if identity {
		return "an identity"
	}
	return "a " + typ
}

func constraintKind(k *pg.Constraint) string {
	switch k.Contype {
	case pg.ConstrType_CONSTR_PRIMARY:
		return "PRIMARY KEY"
	case pg.ConstrType_CONSTR_UNIQUE:
		return "UNIQUE"
	case pg.ConstrType_CONSTR_EXCLUSION:
		return "EXCLUDE"
	case pg.ConstrType_CONSTR_FOREIGN:
		return "FOREIGN KEY"
	case pg.ConstrType_CONSTR_CHECK:
		return "CHECK"
	}
	return "constraint"
}

func (a *pgAnalyzer) setNotNull(table string, data bool, colName string) {
	col := strings.ToLower(colName)
	if c := a.column(table, col); c != nil {
		defer func() { c.notNull = true }()
	}
	if !data {
		return
	}
	v := a.in.PostgresVersion
	if v.AtLeast(12, 0) {
		for _, c := range a.checks[table] {
			if c.validated && c.notNullColumn == col {
				return // PostgreSQL 12+ skips the scan: a validated CHECK proves it.
			}
		}
	}
	msg := fmt.Sprintf("Sets %s.%s NOT NULL: the whole table is scanned under an ACCESS EXCLUSIVE lock.", table, colName)
	if !v.AtLeast(12, 0) {
		a.add(RuleSetNotNull, msg, fmt.Sprintf("PostgreSQL %s always scans: add CHECK (%s IS NOT NULL) NOT VALID and VALIDATE it instead of SET NOT NULL, or upgrade to 12+, where a validated CHECK makes SET NOT NULL skip the scan.", v, pgIdent(colName)), nil)
		return
	}
	check := pgIdent(truncName(table + "_" + col + "_not_null"))
	name := pgIdent(colName)
	a.add(RuleSetNotNull, msg, "", []fixStep{
		{sql: fmt.Sprintf("SET lock_timeout = '2s';\nALTER TABLE %s ADD CONSTRAINT %s CHECK (%s IS NOT NULL) NOT VALID;", table, check, name), label: "add the CHECK without a scan"},
		{sql: fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s;", table, check), label: "a later migration: validate it (SHARE UPDATE EXCLUSIVE, reads and writes go on)"},
		{sql: fmt.Sprintf("SET lock_timeout = '2s';\nALTER TABLE %s ALTER COLUMN %s SET NOT NULL;\nALTER TABLE %s DROP CONSTRAINT %s;", table, name, table, check), label: "a later migration: SET NOT NULL now skips the scan"},
	})
}

// truncName keeps a generated name within PostgreSQL's 63 bytes.
func truncName(s string) string {
	if len(s) > 63 {
		return s[:63]
	}
	return s
}

func (a *pgAnalyzer) alterType(table string, data bool, cmd *pg.AlterTableCmd) {
	cd := cmd.Def.GetColumnDef()
	if cd == nil {
		return
	}
	newType := pgTypeName(cd.TypeName)
	c := a.column(table, strings.ToLower(cmd.Name))
	oldType := ""
	if c != nil {
		oldType = c.typ
		defer func() { c.typ = newType }()
	}
	if newType == "json" {
		a.add(RuleJSONColumn, fmt.Sprintf("Changes %s.%s to type json.", table, cmd.Name), "Use jsonb.", nil)
	}
	if !data {
		return
	}
	if cd.RawDefault == nil && oldType != "" && binaryCoercible(oldType, newType) {
		return
	}
	msg := fmt.Sprintf("Changes %s.%s to %s", table, cmd.Name, newType)
	switch {
	case cd.RawDefault != nil:
		msg += " with a USING expression: every row is rewritten."
	case oldType != "":
		msg += fmt.Sprintf(" from %s, which is not a binary-compatible change: the table is rewritten and its indexes rebuilt.", oldType)
	default:
		msg += "; the old type is not known from the migrations, so schemagate cannot prove the change avoids a rewrite."
	}
	a.add(RuleColumnTypeChange, msg, "", nil)
}

// binaryCoercible reports whether changing a column from old to new needs
// no rewrite: longer or unlimited varchar, varchar to text, wider numeric.
func binaryCoercible(old, new string) bool {
	if old == new {
		return true
	}
	ob, oa := splitTypmod(old)
	nb, na := splitTypmod(new)
	text := func(t string) bool { return t == "text" || t == "varchar" }
	switch {
	case text(ob) && nb == "text":
		return true
	case ob == "varchar" && nb == "varchar":
		if len(na) == 0 {
			return true
		}
		return len(oa) == 1 && len(na) == 1 && na[0] >= oa[0]
	case ob == "text" && nb == "varchar":
		return len(na) == 0
	case ob == "numeric" && nb == "numeric":
		if len(na) == 0 {
			return true
		}
		return len(oa) == 2 && len(na) == 2 && na[1] == oa[1] && na[0] >= oa[0]
	case ob == "varbit" && nb == "varbit":
		return len(na) == 0 || (len(oa) == 1 && na[0] >= oa[0])
	case ob == "cidr" && nb == "inet":
		return true
	}
	return false
}

func splitTypmod(t string) (string, []int) {
	base, mods, ok := strings.Cut(t, "(")
	if !ok {
		return t, nil
	}
	var out []int
	for _, m := range strings.Split(strings.TrimSuffix(mods, ")"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(m))
		if err != nil {
			return base, nil
		}
		out = append(out, n)
	}
	return base, out
}

func (a *pgAnalyzer) addConstraint(table string, data bool, k *pg.Constraint) {
	if k == nil {
		return
	}
	a.recordCheck(table, k)
	if !data {
		return
	}
	switch k.Contype {
	case pg.ConstrType_CONSTR_FOREIGN:
		ref := tableKey(k.Pktable)
		a.takesLock(ref, "SHARE ROW EXCLUSIVE")
		if k.SkipValidation {
			return
		}
		name := k.Conname
		if name == "" {
			name = truncName(table + "_" + keyNames(k.FkAttrs) + "_fkey")
		}
		added := pgDeparseWith(a.st.node, func(c *pg.Node) {
			for _, cmd := range c.GetAlterTableStmt().Cmds {
				if kk := cmd.GetAlterTableCmd().GetDef().GetConstraint(); kk != nil && kk.Contype == pg.ConstrType_CONSTR_FOREIGN && kk.Conname == k.Conname {
					kk.SkipValidation, kk.InitiallyValid, kk.Conname = true, false, name
				}
			}
		})
		a.add(RuleForeignKeyWithoutNotValid, fmt.Sprintf("Adds foreign key %s on %s referencing %s without NOT VALID: every row is checked while writes to both tables wait.", orUnnamed(k.Conname), table, ref),
			"", []fixStep{
				{sql: "SET lock_timeout = '2s';\n" + added + ";", label: "add the key without checking existing rows"},
				{sql: fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s;", table, pgIdent(name)), label: "a later migration: validate it (SHARE UPDATE EXCLUSIVE, writes go on)"},
			})
	case pg.ConstrType_CONSTR_CHECK:
		if k.SkipValidation {
			return
		}
		name := k.Conname
		if name == "" {
			name = truncName(table + "_check")
		}
		added := pgDeparseWith(a.st.node, func(c *pg.Node) {
			for _, cmd := range c.GetAlterTableStmt().Cmds {
				if kk := cmd.GetAlterTableCmd().GetDef().GetConstraint(); kk != nil && kk.Contype == pg.ConstrType_CONSTR_CHECK && kk.Conname == k.Conname {
					kk.SkipValidation, kk.InitiallyValid, kk.Conname = true, false, name
				}
			}
		})
		a.add(RuleCheckWithoutNotValid, fmt.Sprintf("Adds CHECK constraint %s on %s without NOT VALID: every row is checked under an ACCESS EXCLUSIVE lock.", orUnnamed(k.Conname), table),
			"", []fixStep{
				{sql: "SET lock_timeout = '2s';\n" + added + ";", label: "add the constraint without checking existing rows"},
				{sql: fmt.Sprintf("ALTER TABLE %s VALIDATE CONSTRAINT %s;", table, pgIdent(name)), label: "a later migration: validate it"},
			})
	case pg.ConstrType_CONSTR_PRIMARY, pg.ConstrType_CONSTR_UNIQUE, pg.ConstrType_CONSTR_EXCLUSION:
		if k.Indexname != "" {
			return // USING INDEX: the index exists already.
		}
		kind := constraintKind(k)
		msg := fmt.Sprintf("Adds a %s constraint to %s: its index is built under an ACCESS EXCLUSIVE lock.", kind, table)
		if k.Contype == pg.ConstrType_CONSTR_EXCLUSION {
			a.add(RuleConstraintBuildsIndex, msg, "An EXCLUDE constraint cannot use an existing index: add it while the table is small, or enforce the rule another way.", nil)
			return
		}
		name := k.Conname
		if name == "" {
			name = truncName(table + "_" + keyNames(k.Keys) + map[bool]string{true: "_pkey", false: "_key"}[k.Contype == pg.ConstrType_CONSTR_PRIMARY])
		}
		cols := make([]string, 0, len(k.Keys))
		for _, key := range k.Keys {
			cols = append(cols, pgIdent(key.GetString_().GetSval()))
		}
		a.add(RuleConstraintBuildsIndex, msg, "", []fixStep{
			{sql: fmt.Sprintf("-- schemagate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY %s ON %s (%s);", pgIdent(name), table, strings.Join(cols, ", ")), noTx: true, label: "build the index without blocking writes"},
			{sql: fmt.Sprintf("SET lock_timeout = '2s';\nALTER TABLE %s ADD CONSTRAINT %s %s USING INDEX %s;", table, pgIdent(name), kind, pgIdent(name)), label: "a later migration: attach it (brief lock, no build)"},
		})
	}
}

func keyNames(keys []*pg.Node) string {
	var names []string
	for _, k := range keys {
		names = append(names, strings.ToLower(k.GetString_().GetSval()))
	}
	return strings.Join(names, "_")
}

func (a *pgAnalyzer) drop(n *pg.Node, d *pg.DropStmt) {
	cascade := d.Behavior == pg.DropBehavior_DROP_CASCADE
	switch d.RemoveType {
	case pg.ObjectType_OBJECT_INDEX:
		if d.Concurrent {
			a.concurrently("DROP INDEX CONCURRENTLY")
			break
		}
		for _, o := range d.Objects {
			name := strings.ToLower(objectName(o))
			if newIdx, ok := a.createdIdx[name]; ok && newIdx {
				continue
			}
			a.takesLock("", "ACCESS EXCLUSIVE")
			fixed := pgDeparseWith(n, func(c *pg.Node) { c.GetDropStmt().Concurrent = true })
			a.add(RuleDropIndexWithoutConcurrently, fmt.Sprintf("Drops index %s without CONCURRENTLY: it waits for, then blocks, every query on its table.", name),
				"", []fixStep{{sql: "-- schemagate:no-transaction\n" + fixed + ";", noTx: true, label: "a migration of its own, outside a transaction"}})
			break
		}
	case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_SCHEMA:
		kind := "table"
		if d.RemoveType == pg.ObjectType_OBJECT_SCHEMA {
			kind = "schema"
		}
		for _, o := range d.Objects {
			name := strings.ToLower(objectName(o))
			if kind == "table" {
				name = strings.TrimPrefix(name, "public.")
				if !a.holdsData(name) {
					delete(a.created, name)
					continue
				}
				a.takesLock(name, "ACCESS EXCLUSIVE")
			}
			a.add(RuleDropTable, fmt.Sprintf("Drops %s %s and all its data.", kind, name), "", nil)
		}
	}
	if cascade {
		a.add(RuleCascadeRemoval, "CASCADE also drops every object that depends on what the statement names, without listing them.", "", nil)
	}
}

// objectName returns the dotted name of a DROP object.
func objectName(o *pg.Node) string {
	if l := o.GetList(); l != nil {
		var parts []string
		for _, it := range l.Items {
			parts = append(parts, it.GetString_().GetSval())
		}
		return strings.Join(parts, ".")
	}
	return o.GetString_().GetSval()
}

func (a *pgAnalyzer) truncate(t *pg.TruncateStmt) {
	var names []string
	for _, r := range t.Relations {
		name := tableKey(r.GetRangeVar())
		if a.holdsData(name) {
			names = append(names, name)
			a.takesLock(name, "ACCESS EXCLUSIVE")
		}
	}
	if len(names) > 0 {
		a.add(RuleTruncateTable, fmt.Sprintf("Truncates %s: every row is deleted.", strings.Join(names, ", ")), "", nil)
	}
	if t.Behavior == pg.DropBehavior_DROP_CASCADE {
		a.add(RuleCascadeRemoval, "TRUNCATE … CASCADE also empties every table that has a foreign key to these, without naming them.", "", nil)
	}
}

// write checks UPDATE, DELETE and INSERT … SELECT.
func (a *pgAnalyzer) write(verb string, rel *pg.RangeVar, noWhere, backfill bool) {
	table := tableKey(rel)
	if !a.holdsData(table) {
		return
	}
	if noWhere {
		a.add(RuleUnboundedWrite, fmt.Sprintf("%s without WHERE changes every row of %s.", verb, table), "", nil)
	}
	if backfill && a.inTx() {
		for locked := range a.locked {
			if a.holdsData(locked) {
				a.add(RuleBackfillInDDLTransaction, fmt.Sprintf("%s on %s runs in the transaction that altered %s, whose lock is held until it finishes.", verb, table, locked), "", nil)
				break
			}
		}
	}
}

func (a *pgAnalyzer) rename(r *pg.RenameStmt) {
	table := tableKey(r.Relation)
	switch r.RenameType {
	case pg.ObjectType_OBJECT_COLUMN:
		if r.RelationType != pg.ObjectType_OBJECT_TABLE || !a.holdsData(table) {
			return
		}
		a.takesLock(table, "ACCESS EXCLUSIVE")
		a.add(RuleRenameColumn, fmt.Sprintf("Renames column %s.%s to %s: the release still running uses the old name.", table, r.Subname, r.Newname), "", nil)
		if cols := a.columns[table]; cols != nil {
			if c := cols[strings.ToLower(r.Subname)]; c != nil {
				delete(cols, strings.ToLower(r.Subname))
				cols[strings.ToLower(r.Newname)] = c
			}
		}
	case pg.ObjectType_OBJECT_TABLE:
		if !a.holdsData(table) {
			return
		}
		a.takesLock(table, "ACCESS EXCLUSIVE")
		a.add(RuleRenameTable, fmt.Sprintf("Renames table %s to %s: the release still running uses the old name.", table, r.Newname),
			fmt.Sprintf("ALTER TABLE %s RENAME TO %s; then CREATE VIEW %s AS SELECT * FROM %s; in the same migration, so the old release keeps working; drop the view once no release uses %s.", table, pgIdent(r.Newname), table, pgIdent(r.Newname), table), nil)
	case pg.ObjectType_OBJECT_SCHEMA:
		a.add(RuleRenameTable, fmt.Sprintf("Renames schema %s to %s: the release still running uses the old name.", r.Subname, r.Newname), "", nil)
	}
}

func (a *pgAnalyzer) alterEnum(e *pg.AlterEnumStmt) {
	name := qualifiedName(e.TypeName)
	if e.OldVal != "" {
		a.add(RuleRenameTable, fmt.Sprintf("Renames value %q of enum %s to %q: the release still running writes and compares the old value.", e.OldVal, name, e.NewVal), "Add the new value, migrate rows in batches, and stop using the old one; enum values cannot be dropped, so keep it.", nil)
		return
	}
	if !a.inTx() {
		return
	}
	if !a.in.PostgresVersion.AtLeast(12, 0) {
		a.add(RuleNotAllowedInTransaction, fmt.Sprintf("ALTER TYPE … ADD VALUE cannot run in a transaction before PostgreSQL 12 (assumed: %s).", a.in.PostgresVersion),
			"Move it to a migration of its own that starts with -- schemagate:no-transaction.", nil)
		return
	}
	if a.others > 1 {
		a.add(RuleEnumAddValueInTransaction, fmt.Sprintf("Adds value %q to enum %s in a transaction with other statements: none of them can use the value before the migration commits.", e.NewVal, name),
			"", []fixStep{{sql: a.st.text + ";", label: "a migration of its own"}})
	}
}

func (a *pgAnalyzer) reindex(n *pg.Node, r *pg.ReindexStmt) {
	concurrent := false
	for _, p := range r.Params {
		if d := p.GetDefElem(); d != nil && strings.EqualFold(d.Defname, "concurrently") && defBool(d) {
			concurrent = true
		}
	}
	if concurrent {
		a.concurrently("REINDEX CONCURRENTLY")
		return
	}
	if r.Relation != nil && !a.holdsData(tableKey(r.Relation)) && r.Kind == pg.ReindexObjectType_REINDEX_OBJECT_TABLE {
		return
	}
	a.takesLock(tableKey(r.Relation), "SHARE")
	if !a.in.PostgresVersion.AtLeast(12, 0) {
		a.add(RuleReindexWithoutConcurrently, fmt.Sprintf("REINDEX blocks writes; PostgreSQL %s has no REINDEX CONCURRENTLY.", a.in.PostgresVersion),
			"Build a replacement with CREATE INDEX CONCURRENTLY, then DROP INDEX CONCURRENTLY the old one.", nil)
		return
	}
	text := "REINDEX (CONCURRENTLY) " + strings.TrimSpace(a.st.text[len("REINDEX"):])
	if !strings.HasPrefix(strings.ToUpper(a.st.text), "REINDEX ") || strings.HasPrefix(strings.ToUpper(a.st.text), "REINDEX (") {
		text = ""
	}
	var steps []fixStep
	if text != "" {
		steps = []fixStep{{sql: "-- schemagate:no-transaction\n" + text + ";", noTx: true, label: "a migration of its own, outside a transaction"}}
	}
	a.add(RuleReindexWithoutConcurrently, "REINDEX without CONCURRENTLY blocks writes to the table and reads through the index.", "", steps)
}

// pgTypeName returns a canonical name for a type: the last name part with
// its modifiers, "varchar(20)", "int4", "numeric(10,2)", "text".
func pgTypeName(t *pg.TypeName) string {
	if t == nil {
		return ""
	}
	base := strings.ToLower(lastName(t.Names))
	switch base {
	case "integer", "int":
		base = "int4"
	case "smallint":
		base = "int2"
	case "bigint":
		base = "int8"
	case "character varying":
		base = "varchar"
	}
	var mods []string
	for _, m := range t.Typmods {
		if c := m.GetAConst(); c != nil {
			if iv := c.GetIval(); iv != nil {
				mods = append(mods, strconv.Itoa(int(iv.Ival)))
			}
		}
	}
	if len(mods) > 0 {
		base += "(" + strings.Join(mods, ",") + ")"
	}
	if len(t.ArrayBounds) > 0 {
		base += "[]"
	}
	return base
}

// pgTypeSQL returns the type as SQL for a suggested statement.
func pgTypeSQL(t *pg.TypeName) string {
	name := pgTypeName(t)
	switch {
	case name == "int4":
		return "integer"
	case name == "int8":
		return "bigint"
	case name == "int2":
		return "smallint"
	}
	return name
}

func isSmallInt(t string) bool {
	switch t {
	case "int4", "int2", "serial", "serial4", "smallserial", "serial2":
		return true
	}
	return false
}

func qualifiedName(names []*pg.Node) string {
	var parts []string
	for _, n := range names {
		parts = append(parts, n.GetString_().GetSval())
	}
	return strings.Join(parts, ".")
}

func defBool(d *pg.DefElem) bool {
	if d.Arg == nil {
		return true
	}
	if c := d.Arg.GetAConst(); c != nil {
		if b := c.GetBoolval(); b != nil {
			return b.Boolval
		}
		if i := c.GetIval(); i != nil {
			return i.Ival != 0
		}
	}
	if s := d.Arg.GetString_(); s != nil {
		v := strings.ToLower(s.Sval)
		return v != "false" && v != "off" && v != "0"
	}
	return true
}

// isZeroSetting reports whether a SET value is 0 (which turns a timeout
// off).
func isZeroSetting(args []*pg.Node) bool {
	if len(args) != 1 {
		return false
	}
	c := args[0].GetAConst()
	if c == nil {
		return false
	}
	if iv := c.GetIval(); iv != nil {
		return iv.Ival == 0
	}
	if s := c.GetSval(); s != nil {
		v := strings.TrimSpace(s.Sval)
		return v == "0" || v == "0ms" || v == "0s"
	}
	return false
}

func orUnnamed(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return name
}

// pgIdent quotes an identifier when PostgreSQL would otherwise fold or
// reject it.
func pgIdent(s string) string {
	if s == "" {
		return s
	}
	plain := true
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || (i > 0 && (r >= '0' && r <= '9' || r == '$'))) {
			plain = false
			break
		}
	}
	if plain && !pgReserved[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

var pgReserved = map[string]bool{"user": true, "order": true, "group": true, "table": true, "select": true, "where": true, "from": true, "check": true, "default": true, "primary": true, "references": true, "unique": true, "column": true, "constraint": true, "index": true}

// pgDeparseWith returns the SQL of a copy of n after edit, or "" when the
// deparser fails.
func pgDeparseWith(n *pg.Node, edit func(*pg.Node)) string {
	c := proto.Clone(n).(*pg.Node)
	edit(c)
	out, err := pgquery.Deparse(&pg.ParseResult{Stmts: []*pg.RawStmt{{Stmt: c}}})
	if err != nil {
		return ""
	}
	return out
}

// pgDeparseExpr returns the SQL of an expression.
func pgDeparseExpr(e *pg.Node) string {
	sel := &pg.Node{Node: &pg.Node_SelectStmt{SelectStmt: &pg.SelectStmt{
		TargetList: []*pg.Node{{Node: &pg.Node_ResTarget{ResTarget: &pg.ResTarget{Val: e}}}},
	}}}
	out, err := pgquery.Deparse(&pg.ParseResult{Stmts: []*pg.RawStmt{{Stmt: sel}}})
	if err != nil {
		return "<default>"
	}
	return strings.TrimPrefix(out, "SELECT ")
}

// pgWithNotValid returns an ALTER DOMAIN … ADD CONSTRAINT statement with
// NOT VALID.
func pgWithNotValid(n *pg.Node) string {
	return pgDeparseWith(n, func(c *pg.Node) {
		if k := c.GetAlterDomainStmt().GetDef().GetConstraint(); k != nil {
			k.SkipValidation, k.InitiallyValid = true, false
		}
	})
}

// renderSteps writes a multi-migration fix as text.
func renderSteps(steps []fixStep) string {
	var sb strings.Builder
	for i, s := range steps {
		if len(steps) > 1 {
			fmt.Fprintf(&sb, "%d. ", i+1)
		}
		if s.label != "" {
			sb.WriteString(strings.ToUpper(s.label[:1]) + s.label[1:] + ":\n")
		}
		for _, line := range strings.Split(s.sql, "\n") {
			sb.WriteString("   " + line + "\n")
		}
	}
	return strings.TrimRight(sb.String(), "\n")
}
