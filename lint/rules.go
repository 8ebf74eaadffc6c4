package lint

import "sort"

// Category says what kind of damage a rule prevents.
type Category string

const (
	// CategoryLock: a lock that blocks the application's reads or writes.
	CategoryLock Category = "lock"
	// CategoryRewrite: the table is rewritten under an exclusive lock.
	CategoryRewrite Category = "rewrite"
	// CategoryDataLoss: rows or columns are destroyed.
	CategoryDataLoss Category = "data-loss"
	// CategoryBreaking: the release still running stops working.
	CategoryBreaking Category = "breaking"
	// CategoryFailure: the statement fails, or silently misbehaves,
	// depending on the data.
	CategoryFailure Category = "failure"
	// CategoryOther: transaction misuse, type hygiene, unlinted input.
	CategoryOther Category = "other"
)

// Rule describes one check. Name is stable: policies and ignore comments
// refer to it.
type Rule struct {
	Name     string
	Dialects []Dialect
	// Severity is the level when the policy does not set one.
	Severity Severity
	Category Category
	// Summary is one line for rule lists and SARIF.
	Summary string
	// Why and Fix are the default explanation and safe alternative; a
	// finding usually states them with the statement's own names.
	Why string
	Fix string
	// Lock is the lock the risky statement takes on PostgreSQL, as the
	// server names it in LOCK TABLE, when the rule is about one.
	Lock string
}

// AppliesTo reports whether the rule checks statements of dialect d.
func (r Rule) AppliesTo(d Dialect) bool {
	for _, x := range r.Dialects {
		if x == d {
			return true
		}
	}
	return false
}

var (
	pgOnly    = []Dialect{Postgres}
	myOnly    = []Dialect{MySQL}
	ltOnly    = []Dialect{SQLite}
	pgMy      = []Dialect{Postgres, MySQL}
	all       = []Dialect{Postgres, MySQL, SQLite}
	registry  = map[string]Rule{}
	ruleOrder []string
)

// Rules returns every rule, sorted by name.
func Rules() []Rule {
	out := make([]Rule, 0, len(ruleOrder))
	for _, n := range ruleOrder {
		out = append(out, registry[n])
	}
	return out
}

// Lookup returns the rule with the given name.
func Lookup(name string) (Rule, bool) {
	r, ok := registry[name]
	return r, ok
}

func register(rs ...Rule) {
	for _, r := range rs {
		if _, dup := registry[r.Name]; dup {
			panic("lint: rule registered twice: " + r.Name)
		}
		registry[r.Name] = r
		ruleOrder = append(ruleOrder, r.Name)
	}
	sort.Strings(ruleOrder)
}

// The rule names. Policies and ignore comments use these strings.
const (
	RuleIndexWithoutConcurrently       = "index-without-concurrently"
	RuleDropIndexWithoutConcurrently   = "drop-index-without-concurrently"
	RuleReindexWithoutConcurrently     = "reindex-without-concurrently"
	RuleDetachWithoutConcurrently      = "detach-partition-without-concurrently"
	RuleAttachPartitionScan            = "attach-partition-scan"
	RuleForeignKeyWithoutNotValid      = "foreign-key-without-not-valid"
	RuleCheckWithoutNotValid           = "check-without-not-valid"
	RuleValidateInSameTransaction      = "validate-in-same-transaction"
	RuleSetNotNull                     = "set-not-null"
	RuleConstraintBuildsIndex          = "constraint-builds-index"
	RuleDomainConstraintScan           = "domain-constraint-scan"
	RuleLockTimeoutMissing             = "lock-timeout-missing"
	RuleVolatileDefault                = "volatile-default"
	RuleAddAutoIncrementColumn         = "add-auto-increment-column"
	RuleAddStoredGeneratedColumn       = "add-stored-generated-column"
	RuleColumnTypeChange               = "column-type-change"
	RuleTableRewriteCommand            = "table-rewrite-command"
	RuleMySQLExpressionDefault         = "mysql-expression-default"
	RuleMySQLAlgorithmMissing          = "mysql-algorithm-missing"
	RuleMySQLBlockingAlgorithm         = "mysql-blocking-algorithm"
	RuleMySQLAddForeignKey             = "mysql-add-foreign-key"
	RuleDropColumn                     = "drop-column"
	RuleDropTable                      = "drop-table"
	RuleTruncateTable                  = "truncate-table"
	RuleCascadeRemoval                 = "cascade-removal"
	RuleUnboundedWrite                 = "update-or-delete-without-where"
	RuleRenameColumn                   = "rename-column"
	RuleRenameTable                    = "rename-table"
	RuleDropNotNull                    = "drop-not-null"
	RuleJSONColumn                     = "json-column"
	RuleMySQLModifyDropsAttributes     = "mysql-modify-drops-attributes"
	RuleAddRequiredColumn              = "add-required-column"
	RuleSQLiteAddColumnRejected        = "sqlite-add-column-rejected"
	RuleConcurrentlyInTransaction      = "concurrently-in-transaction"
	RuleNotAllowedInTransaction        = "not-allowed-in-transaction"
	RuleBackfillInDDLTransaction       = "backfill-in-ddl-transaction"
	RuleTransactionControl             = "transaction-control"
	RuleMySQLMultipleDDL               = "mysql-multiple-ddl"
	RuleMySQLInlineReferences          = "mysql-inline-references"
	RuleConcurrentIndexIfNotExists     = "concurrent-index-if-not-exists"
	RuleEnumAddValueInTransaction      = "enum-add-value-in-transaction"
	RuleConcurrentIndexPG14            = "concurrent-index-pg14-corruption"
	RuleIntPrimaryKey                  = "int-primary-key"
	RuleTimestampWithoutTimeZone       = "timestamp-without-time-zone"
	RuleIdentifierTooLong              = "identifier-too-long"
	RuleSQLiteForeignKeysInTransaction = "sqlite-foreign-keys-pragma-in-transaction"
	RuleStatementNotLinted             = "statement-not-linted"
)

func init() {
	register(
		Rule{Name: RuleIndexWithoutConcurrently, Dialects: pgOnly, Severity: Error, Category: CategoryLock, Lock: "SHARE",
			Summary: "CREATE INDEX without CONCURRENTLY on a table that holds data",
			Why:     "CREATE INDEX takes a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits until the index is built.",
			Fix:     "Build it with CREATE INDEX CONCURRENTLY in a migration of its own marked -- schemagate:no-transaction."},
		Rule{Name: RuleDropIndexWithoutConcurrently, Dialects: pgOnly, Severity: Error, Category: CategoryLock, Lock: "ACCESS EXCLUSIVE",
			Summary: "DROP INDEX without CONCURRENTLY",
			Why:     "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: while it waits for running queries, every new query on the table queues behind it.",
			Fix:     "DROP INDEX CONCURRENTLY in a migration of its own marked -- schemagate:no-transaction."},
		Rule{Name: RuleReindexWithoutConcurrently, Dialects: pgOnly, Severity: Error, Category: CategoryLock, Lock: "SHARE",
			Summary: "REINDEX without CONCURRENTLY",
			Why:     "REINDEX blocks writes to the table (SHARE lock) and takes an ACCESS EXCLUSIVE lock on the index, so queries that would use it block too.",
			Fix:     "REINDEX (CONCURRENTLY) … (PostgreSQL 12 and later), in a migration marked -- schemagate:no-transaction."},
		Rule{Name: RuleDetachWithoutConcurrently, Dialects: pgOnly, Severity: Error, Category: CategoryLock, Lock: "ACCESS EXCLUSIVE",
			Summary: "DETACH PARTITION without CONCURRENTLY",
			Why:     "DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table: every query on any partition waits.",
			Fix:     "ALTER TABLE … DETACH PARTITION … CONCURRENTLY (PostgreSQL 14 and later), in a migration marked -- schemagate:no-transaction."},
		Rule{Name: RuleAttachPartitionScan, Dialects: pgOnly, Severity: Warning, Category: CategoryLock, Lock: "ACCESS EXCLUSIVE",
			Summary: "ATTACH PARTITION of a table that holds data",
			Why:     "ATTACH PARTITION scans the whole partition to prove every row fits the partition bound, holding an ACCESS EXCLUSIVE lock on the partition, unless a validated CHECK constraint already implies the bound.",
			Fix:     "First add a CHECK constraint that states the bound with NOT VALID, VALIDATE it in a later migration, then ATTACH: the scan is skipped."},
		Rule{Name: RuleForeignKeyWithoutNotValid, Dialects: pgOnly, Severity: Error, Category: CategoryLock, Lock: "SHARE ROW EXCLUSIVE",
			Summary: "foreign key added without NOT VALID to a table that holds data",
			Why:     "Adding a foreign key checks every existing row while holding SHARE ROW EXCLUSIVE locks on both tables: writes to both wait for the whole scan.",
			Fix:     "Add the constraint with NOT VALID (no scan), then VALIDATE CONSTRAINT in a later migration; VALIDATE takes only a SHARE UPDATE EXCLUSIVE lock."},
		Rule{Name: RuleCheckWithoutNotValid, Dialects: pgOnly, Severity: Error, Category: CategoryLock, Lock: "ACCESS EXCLUSIVE",
			Summary: "CHECK constraint added without NOT VALID to a table that holds data",
			Why:     "Adding a CHECK constraint scans every row while holding an ACCESS EXCLUSIVE lock: no read or write of the table proceeds until the scan ends.",
			Fix:     "Add it with NOT VALID, then VALIDATE CONSTRAINT in a later migration."},
		Rule{Name: RuleValidateInSameTransaction, Dialects: pgOnly, Severity: Error, Category: CategoryLock, Lock: "ACCESS EXCLUSIVE",
			Summary: "VALIDATE CONSTRAINT in the transaction that took a stronger lock on the table",
			Why:     "The migration runs in one transaction, so the lock taken by the earlier ALTER TABLE is held while VALIDATE scans the whole table: NOT VALID gains nothing.",
			Fix:     "Move VALIDATE CONSTRAINT to a migration of its own."},
		Rule{Name: RuleSetNotNull, Dialects: pgMy, Severity: Error, Category: CategoryLock, Lock: "ACCESS EXCLUSIVE",
			Summary: "column made NOT NULL on a table that holds data",
			Why:     "PostgreSQL scans the whole table under an ACCESS EXCLUSIVE lock to prove no NULL exists; MySQL rebuilds the table and fails on the first NULL.",
			Fix:     "PostgreSQL 12+: add CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL (no scan) and drop the CHECK. MySQL: backfill NULLs in batches first."},
		Rule{Name: RuleConstraintBuildsIndex, Dialects: pgOnly, Severity: Error, Category: CategoryLock, Lock: "ACCESS EXCLUSIVE",
			Summary: "UNIQUE, PRIMARY KEY or EXCLUDE constraint that builds its index under the table lock",
			Why:     "The constraint's index is built while the ALTER TABLE holds an ACCESS EXCLUSIVE lock: no read or write proceeds for the whole build.",
			Fix:     "CREATE UNIQUE INDEX CONCURRENTLY in a no-transaction migration, then ALTER TABLE … ADD CONSTRAINT … UNIQUE USING INDEX (or PRIMARY KEY USING INDEX)."},
		Rule{Name: RuleDomainConstraintScan, Dialects: pgOnly, Severity: Error, Category: CategoryLock, Lock: "SHARE",
			Summary: "constraint added to a domain without NOT VALID",
			Why:     "ALTER DOMAIN … ADD CONSTRAINT checks every column of every table that uses the domain, blocking writes to those tables for the scan.",
			Fix:     "ALTER DOMAIN … ADD CONSTRAINT … NOT VALID, then VALIDATE CONSTRAINT in a later migration; or use a table CHECK constraint."},
		Rule{Name: RuleLockTimeoutMissing, Dialects: pgMy, Severity: Warning, Category: CategoryLock,
			Summary: "statement that takes a blocking lock with no lock timeout set",
			Why:     "A DDL statement waits for its lock as long as any transaction holds a conflicting one, and every query that arrives meanwhile queues behind it: one slow transaction turns the migration into an outage. The default wait is unlimited on PostgreSQL and a day or a year (lock_wait_timeout) on MariaDB and MySQL.",
			Fix:     "Start the migration with SET lock_timeout = '2s' (MySQL: SET SESSION lock_wait_timeout = 2), or the file directive -- schemagate:lock-timeout 2s, and retry the deploy when it times out."},
		Rule{Name: RuleVolatileDefault, Dialects: pgOnly, Severity: Error, Category: CategoryRewrite, Lock: "ACCESS EXCLUSIVE",
			Summary: "column added with a default that forces a table rewrite",
			Why:     "A volatile default (random(), gen_random_uuid(), clock_timestamp(), nextval()) must be computed for every row, and before PostgreSQL 11 any default was: the table is rewritten under an ACCESS EXCLUSIVE lock.",
			Fix:     "Add the column without a default, SET DEFAULT in the same or a later statement (applies to new rows only), then backfill existing rows in batches."},
		Rule{Name: RuleAddAutoIncrementColumn, Dialects: pgMy, Severity: Error, Category: CategoryRewrite, Lock: "ACCESS EXCLUSIVE",
			Summary: "serial, identity or AUTO_INCREMENT column added to a table that holds data",
			Why:     "Every existing row needs a value: the table is rewritten under an exclusive lock (PostgreSQL) or copied (MySQL, where statement-based replicas may also number rows differently).",
			Fix:     "Create a new table with the column, copy the rows in batches and swap; or add a nullable bigint, attach a sequence default and backfill in batches."},
		Rule{Name: RuleAddStoredGeneratedColumn, Dialects: pgMy, Severity: Error, Category: CategoryRewrite, Lock: "ACCESS EXCLUSIVE",
			Summary: "stored generated column added to a table that holds data",
			Why:     "A STORED generated column is computed and written for every existing row: the table is rewritten under an exclusive lock.",
			Fix:     "Use a VIRTUAL generated column (MySQL; PostgreSQL 18), or a nullable column filled by a trigger plus a batched backfill."},
		Rule{Name: RuleColumnTypeChange, Dialects: pgMy, Severity: Error, Category: CategoryRewrite, Lock: "ACCESS EXCLUSIVE",
			Summary: "column type changed in a way that rewrites the table",
			Why:     "Changing a column's type rewrites the table and rebuilds its indexes under an exclusive lock (PostgreSQL) or copies the table (MySQL), unless the new type is binary-compatible: varchar(n) to a longer varchar or to text, numeric to a wider precision.",
			Fix:     "Expand and contract: add a column of the new type, write both from the application, backfill in batches, switch reads, drop the old column."},
		Rule{Name: RuleTableRewriteCommand, Dialects: pgOnly, Severity: Error, Category: CategoryRewrite, Lock: "ACCESS EXCLUSIVE",
			Summary: "VACUUM FULL, CLUSTER, SET TABLESPACE, SET LOGGED/UNLOGGED or SET ACCESS METHOD",
			Why:     "These commands rewrite the whole table under an ACCESS EXCLUSIVE lock: the table is unreadable until they finish.",
			Fix:     "Use pg_repack (or pg_squeeze) online, outside the migration."},
		Rule{Name: RuleMySQLExpressionDefault, Dialects: myOnly, Severity: Warning, Category: CategoryRewrite,
			Summary: "column added with an expression default, without ALGORITHM=INSTANT",
			Why:     "Whether a column with an expression default can be added instantly depends on the server and its version (MariaDB 10.11 can; MySQL versions differ); where it cannot, the table is rebuilt, and without a pinned algorithm the server does so silently.",
			Fix:     "Pin ALGORITHM=INSTANT so the server refuses rather than rebuilds; if it refuses, add the column with a literal default or none, then ALTER COLUMN … SET DEFAULT (expr) and backfill in batches."},
		Rule{Name: RuleMySQLAlgorithmMissing, Dialects: myOnly, Severity: Warning, Category: CategoryLock,
			Summary: "ALTER TABLE on a table that holds data without ALGORITHM",
			Why:     "Without an ALGORITHM clause the server silently picks the best it can, which may be COPY: the table is rebuilt and writes are blocked. Pinning the algorithm makes the server refuse instead.",
			Fix:     "Add ALGORITHM=INSTANT, or ALGORITHM=INPLACE, LOCK=NONE: the statement then fails fast when it cannot run online."},
		Rule{Name: RuleMySQLBlockingAlgorithm, Dialects: myOnly, Severity: Error, Category: CategoryLock,
			Summary: "ALTER TABLE with ALGORITHM=COPY or LOCK=SHARED/EXCLUSIVE",
			Why:     "ALGORITHM=COPY rebuilds the table while blocking writes; LOCK=SHARED blocks writes and LOCK=EXCLUSIVE blocks reads too, for the whole operation.",
			Fix:     "Use an online form (ALGORITHM=INSTANT, or INPLACE with LOCK=NONE); when none exists, an online schema change tool (gh-ost, pt-online-schema-change)."},
		Rule{Name: RuleMySQLAddForeignKey, Dialects: myOnly, Severity: Error, Category: CategoryLock,
			Summary: "foreign key added to a table that holds data with foreign_key_checks on",
			Why:     "With foreign_key_checks on, adding a foreign key needs ALGORITHM=COPY: the table is rebuilt while writes wait.",
			Fix:     "After checking that every row has its parent, SET foreign_key_checks = 0 for the migration and add the key with ALGORITHM=INPLACE, LOCK=NONE."},
		Rule{Name: RuleDropColumn, Dialects: all, Severity: Error, Category: CategoryDataLoss,
			Summary: "column dropped",
			Why:     "The column's data is lost, and the release still running (and ORMs that cache column lists) fails on every query that names it.",
			Fix:     "Contract in steps: ship a release that no longer reads or writes the column, then drop it in a later migration (with an approval)."},
		Rule{Name: RuleDropTable, Dialects: all, Severity: Error, Category: CategoryDataLoss,
			Summary: "table, schema or database dropped",
			Why:     "All its data is lost, and the release still running fails on every query that uses it.",
			Fix:     "Stop using it in a release first; rename or archive it, and drop it in a later migration (with an approval)."},
		Rule{Name: RuleTruncateTable, Dialects: pgMy, Severity: Error, Category: CategoryDataLoss,
			Summary: "TRUNCATE",
			Why:     "TRUNCATE deletes every row, cannot be limited, and takes an ACCESS EXCLUSIVE lock (PostgreSQL) or an exclusive metadata lock (MySQL).",
			Fix:     "DELETE … WHERE in batches, naming the rows to remove."},
		Rule{Name: RuleCascadeRemoval, Dialects: pgOnly, Severity: Error, Category: CategoryDataLoss,
			Summary: "DROP … CASCADE or TRUNCATE … CASCADE",
			Why:     "CASCADE also removes every dependent object or row — views, foreign-keyed tables' rows — none of which the statement names.",
			Fix:     "Name the dependents and remove them explicitly, then run the statement without CASCADE (RESTRICT fails if something was missed)."},
		Rule{Name: RuleUnboundedWrite, Dialects: all, Severity: Error, Category: CategoryDataLoss,
			Summary: "UPDATE or DELETE without WHERE",
			Why:     "Every row of the table is changed or deleted, in one transaction that holds row locks on all of them.",
			Fix:     "Add the WHERE clause that names the rows, and change large tables in batches (WHERE id BETWEEN …)."},
		Rule{Name: RuleRenameColumn, Dialects: all, Severity: Error, Category: CategoryBreaking,
			Summary: "column renamed",
			Why:     "The release still running uses the old name: its queries fail from the moment the migration commits until the new release is everywhere.",
			Fix:     "Expand and contract: add the new column, write both, backfill, switch reads, then drop the old column in a later release."},
		Rule{Name: RuleRenameTable, Dialects: all, Severity: Error, Category: CategoryBreaking,
			Summary: "table, schema or enum value renamed, or table moved to another schema",
			Why:     "The release still running uses the old name: its queries fail from the moment the migration commits.",
			Fix:     "Rename, then create a view with the old name for the old release (simple tables are updatable through it); drop the view once no release uses the old name."},
		Rule{Name: RuleDropNotNull, Dialects: pgMy, Severity: Warning, Category: CategoryBreaking,
			Summary: "NOT NULL removed from a column",
			Why:     "The release still running assumes the column is never NULL; once the new release writes NULLs, the old one reads values it cannot handle.",
			Fix:     "Ship readers that accept NULL first, then drop NOT NULL in a later migration."},
		Rule{Name: RuleJSONColumn, Dialects: pgOnly, Severity: Warning, Category: CategoryBreaking,
			Summary: "column of type json",
			Why:     "json has no equality operator: SELECT DISTINCT, UNION and GROUP BY over it fail, and it is re-parsed on every access.",
			Fix:     "Use jsonb."},
		Rule{Name: RuleMySQLModifyDropsAttributes, Dialects: myOnly, Severity: Error, Category: CategoryBreaking,
			Summary: "MODIFY or CHANGE that leaves out the column's NOT NULL, DEFAULT or COMMENT",
			Why:     "MODIFY and CHANGE replace the whole column definition: an attribute the statement does not restate is silently removed.",
			Fix:     "Restate the column's full definition, including NOT NULL, DEFAULT and COMMENT."},
		Rule{Name: RuleAddRequiredColumn, Dialects: pgMy, Severity: Error, Category: CategoryFailure,
			Summary: "NOT NULL column added without a default",
			Why:     "Existing rows have no value for it: PostgreSQL rejects the statement on a table with rows; MySQL silently fills them with 0, '' or a zero date. The release still running does not write the column, so its inserts fail.",
			Fix:     "Add it with a constant DEFAULT, or add it nullable, backfill in batches, then make it NOT NULL."},
		Rule{Name: RuleSQLiteAddColumnRejected, Dialects: ltOnly, Severity: Error, Category: CategoryFailure,
			Summary: "ADD COLUMN form that SQLite rejects",
			Why:     "SQLite cannot add a column that is PRIMARY KEY or UNIQUE, has a CURRENT_TIME/CURRENT_DATE/CURRENT_TIMESTAMP or expression default, or is NOT NULL without a non-NULL default: the migration fails.",
			Fix:     "Add the column nullable with a constant default, or rebuild the table: create the new table, copy rows, drop the old, rename (with PRAGMA foreign_keys=OFF set before the transaction)."},
		Rule{Name: RuleConcurrentlyInTransaction, Dialects: pgOnly, Severity: Error, Category: CategoryOther,
			Summary: "CONCURRENTLY in a migration that runs in a transaction",
			Why:     "CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and DETACH PARTITION CONCURRENTLY cannot run inside a transaction block, and schemagate runs every migration in one unless told otherwise: the migration fails.",
			Fix:     "Put the statement in a migration of its own that starts with -- schemagate:no-transaction."},
		Rule{Name: RuleNotAllowedInTransaction, Dialects: []Dialect{Postgres, SQLite}, Severity: Error, Category: CategoryOther,
			Summary: "statement that cannot run in a transaction, in a migration that runs in one",
			Why:     "VACUUM, CREATE/DROP DATABASE, CREATE/DROP TABLESPACE, ALTER SYSTEM (and, before PostgreSQL 12, ALTER TYPE … ADD VALUE) cannot run inside a transaction block: the migration fails.",
			Fix:     "Put the statement in a migration of its own that starts with -- schemagate:no-transaction, or run it outside migrations."},
		Rule{Name: RuleBackfillInDDLTransaction, Dialects: pgOnly, Severity: Warning, Category: CategoryLock,
			Summary: "UPDATE or INSERT … SELECT in the transaction that altered a table holding data",
			Why:     "The lock taken by the DDL earlier in the transaction is held until the backfill finishes: the table is blocked for the whole data change.",
			Fix:     "Move the backfill to a separate migration, in batches."},
		Rule{Name: RuleTransactionControl, Dialects: all, Severity: Error, Category: CategoryOther,
			Summary: "BEGIN, COMMIT or ROLLBACK in a migration",
			Why:     "schemagate owns the migration's transaction: a COMMIT inside it ends it early (what follows runs unprotected and the history row may disagree), a BEGIN without COMMIT leaves work uncommitted.",
			Fix:     "Remove the transaction statements; mark the file -- schemagate:no-transaction if parts of it must run outside a transaction."},
		Rule{Name: RuleMySQLMultipleDDL, Dialects: myOnly, Severity: Warning, Category: CategoryOther,
			Summary: "more than one DDL statement in a MySQL migration",
			Why:     "MySQL commits each DDL statement on its own: when a later one fails, the earlier ones stay applied and the migration is half done, with nothing to roll back.",
			Fix:     "One DDL statement per migration (several changes to one table fit in one ALTER TABLE)."},
		Rule{Name: RuleMySQLInlineReferences, Dialects: myOnly, Severity: Warning, Category: CategoryFailure,
			Summary: "REFERENCES in a column definition",
			Why:     "MySQL 8.0 and older parse a column-level REFERENCES clause and ignore it: no foreign key is created (MariaDB 10.5 and later do create one), so the same migration gives different schemas.",
			Fix:     "Declare the key as a table constraint: FOREIGN KEY (col) REFERENCES parent (id)."},
		Rule{Name: RuleConcurrentIndexIfNotExists, Dialects: pgOnly, Severity: Warning, Category: CategoryFailure,
			Summary: "CREATE INDEX CONCURRENTLY IF NOT EXISTS",
			Why:     "A concurrent build that fails (a duplicate, a deadlock, a timeout) leaves an INVALID index behind; on retry IF NOT EXISTS sees it and does nothing, so the index silently never works.",
			Fix:     "DROP INDEX CONCURRENTLY IF EXISTS the index first, then CREATE INDEX CONCURRENTLY without IF NOT EXISTS."},
		Rule{Name: RuleEnumAddValueInTransaction, Dialects: pgOnly, Severity: Warning, Category: CategoryOther,
			Summary: "ALTER TYPE … ADD VALUE together with other statements in one transaction",
			Why:     "A value added to an enum cannot be used until the transaction commits (before PostgreSQL 12 ADD VALUE cannot run in a transaction at all): later statements of the same migration that use it fail.",
			Fix:     "Put ADD VALUE in a migration of its own."},
		Rule{Name: RuleConcurrentIndexPG14, Dialects: pgOnly, Severity: Error, Category: CategoryFailure,
			Summary: "concurrent index build on PostgreSQL 14.0 to 14.3",
			Why:     "PostgreSQL 14.0–14.3 can silently build corrupt indexes with CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY.",
			Fix:     "Upgrade the server to 14.4 or later before building indexes concurrently."},
		Rule{Name: RuleIntPrimaryKey, Dialects: pgMy, Severity: Warning, Category: CategoryOther,
			Summary: "primary key of a 32-bit or smaller integer type",
			Why:     "A 32-bit key runs out at about 2.1 billion rows (or inserts, with gaps); widening it later rewrites the table and every referencing one.",
			Fix:     "Use bigint (PostgreSQL: bigint GENERATED ALWAYS AS IDENTITY; MySQL: BIGINT UNSIGNED AUTO_INCREMENT)."},
		Rule{Name: RuleTimestampWithoutTimeZone, Dialects: pgOnly, Severity: Info, Category: CategoryOther,
			Summary: "column of type timestamp without time zone",
			Why:     "timestamp stores wall-clock time with no zone: values written by servers or sessions in different time zones cannot be compared.",
			Fix:     "Use timestamptz."},
		Rule{Name: RuleIdentifierTooLong, Dialects: pgOnly, Severity: Error, Category: CategoryFailure,
			Summary: "identifier longer than 63 bytes",
			Why:     "PostgreSQL silently truncates names to 63 bytes: the object gets a different name than the migration says, and two long names can collide.",
			Fix:     "Use a name of at most 63 bytes."},
		Rule{Name: RuleSQLiteForeignKeysInTransaction, Dialects: ltOnly, Severity: Error, Category: CategoryFailure,
			Summary: "PRAGMA foreign_keys in a migration that runs in a transaction",
			Why:     "PRAGMA foreign_keys does nothing inside a transaction: a table rebuild meant to run with foreign keys off runs with them on and may cascade deletes.",
			Fix:     "Mark the migration -- schemagate:no-transaction, set PRAGMA foreign_keys = OFF before BEGIN, run PRAGMA foreign_key_check before COMMIT."},
		Rule{Name: RuleStatementNotLinted, Dialects: all, Severity: Error, Category: CategoryOther,
			Summary: "statement the parser could not read, so no rule checked it",
			Why:     "The statement was not checked at all: it may take any lock or lose data. Not checking it silently would pass the gate on a guess.",
			Fix:     "Fix the syntax if it is wrong; if the server accepts it, review it by hand and add -- schemagate:ignore statement-not-linted with the reason."},
	)
}
