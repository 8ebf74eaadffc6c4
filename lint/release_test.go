package lint

import (
	"context"
	"strings"
	"testing"

	"github.com/schemagate/schemagate/migration"
	"github.com/schemagate/schemagate/schema"
)

// previousSchema is what release N-1 needs.
func previousSchema() *schema.Schema {
	return &schema.Schema{Dialect: "postgres", Tables: []*schema.Table{
		{Name: "users", PrimaryKey: &schema.PrimaryKey{Name: "users_pkey", Columns: []string{"id"}}, Columns: []*schema.Column{
			{Name: "id", Type: "bigint", Identity: schema.IdentityAlways},
			{Name: "email", Type: "character varying(255)", Nullable: true},
			{Name: "name", Type: "text", Nullable: true},
			{Name: "status", Type: "text", Default: "'active'::text"},
		}},
		{Name: "sessions", Columns: []*schema.Column{{Name: "token", Type: "text"}}},
	}}
}

func TestReleaseRules(t *testing.T) {
	cases := []struct {
		name   string
		rule   string
		sql    string
		change func(s *schema.Schema)
		fires  bool
	}{
		{"drop table", RuleReleaseTableRemoved, "DROP TABLE sessions;",
			func(s *schema.Schema) { s.Tables = s.Tables[:1] }, true},
		{"add table", RuleReleaseTableRemoved, "CREATE TABLE audit (id bigint);",
			func(s *schema.Schema) { s.Tables = append(s.Tables, &schema.Table{Name: "audit"}) }, false},
		{"rename column", RuleReleaseColumnRemoved, "ALTER TABLE users RENAME COLUMN name TO full_name;",
			func(s *schema.Schema) { s.Table("users").Column("name").Name = "full_name" }, true},
		{"add nullable column", RuleReleaseColumnRemoved, "ALTER TABLE users ADD COLUMN nickname text;",
			func(s *schema.Schema) {
				u := s.Table("users")
				u.Columns = append(u.Columns, &schema.Column{Name: "nickname", Type: "text", Nullable: true})
			}, false},
		{"narrow type", RuleReleaseColumnTypeChanged, "ALTER TABLE users ALTER COLUMN email TYPE varchar(100);",
			func(s *schema.Schema) { s.Table("users").Column("email").Type = "character varying(100)" }, true},
		{"widen type", RuleReleaseColumnTypeChanged, "ALTER TABLE users ALTER COLUMN email TYPE varchar(500);",
			func(s *schema.Schema) { s.Table("users").Column("email").Type = "character varying(500)" }, false},
		{"required column", RuleReleaseRequiredColumnAdded, "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;",
			func(s *schema.Schema) {
				u := s.Table("users")
				u.Columns = append(u.Columns, &schema.Column{Name: "tenant_id", Type: "bigint"})
			}, true},
		{"required column with default", RuleReleaseRequiredColumnAdded, "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL DEFAULT 0;",
			func(s *schema.Schema) {
				u := s.Table("users")
				u.Columns = append(u.Columns, &schema.Column{Name: "tenant_id", Type: "bigint", Default: "0"})
			}, false},
		{"drop default", RuleReleaseDefaultRemoved, "ALTER TABLE users ALTER COLUMN status DROP DEFAULT;",
			func(s *schema.Schema) { s.Table("users").Column("status").Default = "" }, true},
		{"change default", RuleReleaseDefaultRemoved, "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'new';",
			func(s *schema.Schema) { s.Table("users").Column("status").Default = "'new'::text" }, false},
		{"set not null", RuleReleaseIncompatible, "ALTER TABLE users ALTER COLUMN name SET NOT NULL;",
			func(s *schema.Schema) { s.Table("users").Column("name").Nullable = false }, true},
		{"drop not null", RuleReleaseIncompatible, "ALTER TABLE users ALTER COLUMN status DROP NOT NULL;",
			func(s *schema.Schema) { s.Table("users").Column("status").Nullable = true }, false},
	}
	covered := map[string][2]bool{}
	for _, c := range cases {
		next := previousSchema()
		c.change(next)
		src := "SET lock_timeout = '2s';\n" + c.sql + "\n"
		dirs, _ := migration.ParseDirectives(src)
		fs, err := Lint(context.Background(), Input{
			Dialect:    Postgres,
			Migrations: []Migration{{File: "0042_change.up.sql", SQL: src, Directives: dirs}},
			Release:    &ReleaseSchemas{Previous: previousSchema(), Next: next, PreviousRelease: "v1.41.0"},
		})
		if err != nil {
			t.Fatal(err)
		}
		f, fired := rules(fs)[c.rule]
		if fired != c.fires {
			t.Errorf("%s: %s fired=%v, want %v; findings:\n%s", c.name, c.rule, fired, c.fires, describe(fs))
			continue
		}
		cov := covered[c.rule]
		if fired {
			cov[0] = true
			if f.Line != 2 || !strings.Contains(f.Message, "Breaks release v1.41.0") || f.Fix == "" {
				t.Errorf("%s: finding not placed on the statement or not explained: %+v", c.name, f)
			}
		} else {
			cov[1] = true
		}
		covered[c.rule] = cov
	}
	for _, r := range Rules() {
		if strings.HasPrefix(r.Name, "breaks-release-") && covered[r.Name] != [2]bool{true, true} {
			t.Errorf("%s: needs a case where it fires and a look-alike where it does not", r.Name)
		}
	}
}
