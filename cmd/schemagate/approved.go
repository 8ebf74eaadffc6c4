package main

import "github.com/schemagate/schemagate/migration"

// approved reports whether a migration carries a valid approval. Approvals
// arrive with the lint issue; until then none is valid.
func (a *app) approved(dir *migration.Dir) func(*migration.Migration) bool {
	return func(*migration.Migration) bool { return false }
}
