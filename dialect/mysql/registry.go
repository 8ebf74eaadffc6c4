package mysql

import (
	"time"

	"github.com/schemagate/schemagate/dialect"
)

// The instance registry's tables, like the history table: DATETIME(6)
// holding UTC, utf8mb4_bin so that ids and names compare byte for byte.
// A snapshot can be large, hence LONGTEXT.
const createInstances = `CREATE TABLE IF NOT EXISTS ` + dialect.InstancesTable + ` (
	instance_id  VARCHAR(255) NOT NULL,
	app          VARCHAR(255) NOT NULL,
	release_name VARCHAR(255) NOT NULL,
	fingerprint  VARCHAR(255) NOT NULL,
	host         VARCHAR(255) NOT NULL,
	started_at   DATETIME(6) NOT NULL,
	last_seen    DATETIME(6) NOT NULL,
	PRIMARY KEY (instance_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`

const createReleases = `CREATE TABLE IF NOT EXISTS ` + dialect.ReleasesTable + ` (
	fingerprint  VARCHAR(255) NOT NULL,
	app          VARCHAR(255) NOT NULL,
	release_name VARCHAR(255) NOT NULL,
	snapshot     LONGTEXT NOT NULL,
	first_seen   DATETIME(6) NOT NULL,
	last_seen    DATETIME(6) NOT NULL,
	PRIMARY KEY (fingerprint)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`

// datetimeText writes a registry time as UTC text. An application's pool
// may set the driver's loc parameter, which shifts time.Time values into
// that zone; text is stored as it is, so every writer agrees.
func datetimeText(t time.Time) any { return t.UTC().Format("2006-01-02 15:04:05.000000") }

// noCreate stands in for the CREATE TABLE statements once the tables are
// known to exist: a statement that does nothing and needs no privilege.
const noCreate = "DO 0"

// Registry implements dialect.Registrar.
//
// CREATE TABLE IF NOT EXISTS needs the CREATE privilege even when the table
// exists, and the registry's Ensure runs its statements unconditionally.
// The runner ensures the history first, and the history's Ensure looks for
// the registry tables in the same query; once it has seen them, the
// registry returned here ensures them with a no-op, so a role that may
// write the tables but not create any applies migrations all the same.
func (d *Database) Registry() *dialect.SQLRegistry {
	if !d.registryReady.Load() {
		return d.registry
	}
	r := *d.registry
	r.CreateInstances, r.CreateReleases = noCreate, noCreate
	return &r
}

var _ dialect.Registrar = (*Database)(nil)
