package auth

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// Tenant is a customer of the service with its custom domain.
type Tenant struct {
	ID     string
	Name   string
	Domain string
	Users  []User
}

// User is a sign-in of a tenant. Password is plain text only in the demo
// data, so that clients can sign in; the database stores its bcrypt hash.
type User struct {
	ID       string
	Email    string
	Password string
}

// DemoTenants is the data `authsvc seed` creates and the replay's clients
// sign in with. The EU tenants live in the EU region's database and the US
// tenants in the US one.
var DemoTenants = map[string][]Tenant{
	"eu": {
		demoTenant("acme", "Acme GmbH", "login.acme.example", "alice", "bruno", "chloe"),
		demoTenant("hooli", "Hooli Europe", "sso.hooli.example", "dara", "emil"),
		demoTenant("initech", "Initech SARL", "auth.initech.example", "fleur", "gustav"),
	},
	"us": {
		demoTenant("globex", "Globex Inc.", "login.globex.example", "hank", "iris", "jack"),
		demoTenant("umbrella", "Umbrella Corp.", "id.umbrella.example", "kate", "leon"),
		demoTenant("wayne", "Wayne Enterprises", "sso.wayne.example", "mia", "nolan"),
	},
}

func demoTenant(slug, name, domain string, users ...string) Tenant {
	t := Tenant{ID: "tnt_" + slug, Name: name, Domain: domain}
	for _, u := range users {
		t.Users = append(t.Users, User{
			ID:       "usr_" + slug + "_" + u,
			Email:    u + "@" + slug + ".example",
			Password: u + "-correct-horse-" + slug,
		})
	}
	return t
}

// Seed creates tenants and their users, hashing passwords at bcrypt cost
// (bcrypt.DefaultCost in production; bcrypt.MinCost keeps tests fast). Rows
// that exist already are left alone, so seeding twice is harmless.
func Seed(ctx context.Context, db *sql.DB, dialect string, tenants []Tenant, cost int) error {
	insertTenant := `INSERT INTO tenants (id, name, domain) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`
	insertUser := `INSERT INTO users (id, tenant_id, email, password_hash) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`
	if dialect == "postgres" {
		insertTenant, insertUser = rebind(insertTenant), rebind(insertUser)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	defer tx.Rollback()
	for _, t := range tenants {
		if _, err := tx.ExecContext(ctx, insertTenant, t.ID, t.Name, strings.ToLower(t.Domain)); err != nil {
			return fmt.Errorf("seed tenant %s: %w", t.ID, err)
		}
		for _, u := range t.Users {
			hash, err := bcrypt.GenerateFromPassword([]byte(u.Password), cost)
			if err != nil {
				return fmt.Errorf("seed user %s: %w", u.ID, err)
			}
			if _, err := tx.ExecContext(ctx, insertUser, u.ID, t.ID, strings.ToLower(u.Email), string(hash)); err != nil {
				return fmt.Errorf("seed user %s: %w", u.ID, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}
