package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/schemagate/schemagate/internal/testdb"
)

func authsvc(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out bytes.Buffer
	code := run(context.Background(), args, &out, &out)
	return out.String(), code
}

// TestPipelineCommands walks the deploy of the incident through the
// command line: release 1 is migrated and seeded, the gate refuses release
// 2 with exit 3 naming the migration, and passes once it has run.
func TestPipelineCommands(t *testing.T) {
	for name, url := range map[string]func(testing.TB) string{"postgres": testdb.Postgres, "sqlite": testdb.SQLite} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u := url(t)
			if out, code := authsvc(t, "migrate", "--release", "1", "--url", u); code != 0 {
				t.Fatalf("migrate release 1: exit %d\n%s", code, out)
			}
			if out, code := authsvc(t, "seed", "--url", u, "--bcrypt-cost", "4"); code != 0 || !strings.Contains(out, "login.acme.example") {
				t.Fatalf("seed: exit %d\n%s", code, out)
			}
			if out, code := authsvc(t, "verify", "--release", "1", "--url", u); code != 0 {
				t.Errorf("verify release 1: exit %d\n%s", code, out)
			}
			out, code := authsvc(t, "verify", "--release", "2", "--url", u)
			if code != 3 || !strings.Contains(out, "column tenants.domain_verified is missing: migration 0003_verify_domains has not been applied") {
				t.Errorf("verify release 2 before its migration: exit %d, want 3 naming the migration\n%s", code, out)
			}
			if out, code := authsvc(t, "migrate", "--release", "2", "--url", u); code != 0 {
				t.Fatalf("migrate release 2: exit %d\n%s", code, out)
			}
			for _, release := range []string{"2", "1"} {
				if out, code := authsvc(t, "verify", "--release", release, "--url", u); code != 0 {
					t.Errorf("verify release %s after the migration: exit %d\n%s", release, code, out)
				}
			}
			if out, code := authsvc(t, "verify", "--release", "1", "--mode", "exact", "--url", u); code != 4 {
				t.Errorf("verify --mode exact release 1 on release 2's schema: exit %d, want 4\n%s", code, out)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"deploy"}, {"serve", "--release", "3"}, {"verify", "--release", "1", "extra"}} {
		if out, code := authsvc(t, args...); code != 2 {
			t.Errorf("authsvc %s: exit %d, want 2\n%s", strings.Join(args, " "), code, out)
		}
	}
}
