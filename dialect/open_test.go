package dialect

import (
	"context"
	"strings"
	"testing"

	"github.com/schemagate/schemagate"
)

func TestRedact(t *testing.T) {
	cases := map[string]string{
		"postgres://app:s3cret@db:5432/app":                    "postgres://app:xxxxx@db:5432/app",
		"postgres://app:s3cret@db/app?sslmode=require":         "postgres://app:xxxxx@db/app?sslmode=require",
		"postgres://app@db/app?password=s3cret&sslmode=off":    "postgres://app@db/app?password=xxxxx&sslmode=off",
		"postgres://app@db/app?sslpassword=s3cret":             "postgres://app@db/app?sslpassword=xxxxx",
		"mysql://root:p%40ss@tcp(db:3306)/app":                 "mysql://root:xxxxx@tcp(db:3306)/app",
		"host=db user=app password=s3cret dbname=app":          "host=db user=app password=xxxxx dbname=app",
		"host=db password='s3 cret' dbname=app":                "host=db password=xxxxx dbname=app",
		"parse \"postgres://u:s3cret@h:5432/%zz\": bad escape": "parse \"postgres://u:xxxxx@h:5432/%zz\": bad escape",
		"sqlite://app.db":       "sqlite://app.db",
		"postgres://app@db/app": "postgres://app@db/app",
	}
	for in, want := range cases {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
		if strings.Contains(Redact(in), "s3cret") {
			t.Errorf("Redact(%q) leaks the password", in)
		}
	}
	if got := RedactSecret("driver said: auth failed for s3cretpw", "s3cretpw"); strings.Contains(got, "s3cretpw") {
		t.Errorf("RedactSecret left the secret: %q", got)
	}
}

func TestOpenRejectsUnknownSchemes(t *testing.T) {
	Register(func(context.Context, string, Options) (Database, error) { return nil, nil }, "testscheme")
	_, err := Open(context.Background(), "oracle://scott:tiger@db/orcl", Options{})
	if schemagate.KindOf(err) != schemagate.KindUsage {
		t.Fatalf("kind = %v, want usage; err = %v", schemagate.KindOf(err), err)
	}
	for _, want := range []string{"unsupported database URL", "testscheme://"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(err.Error(), "tiger") {
		t.Errorf("error leaks the password: %v", err)
	}
}
