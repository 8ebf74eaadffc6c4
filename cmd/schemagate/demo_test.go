package main

import "testing"

func TestDemoTellsTheIncident(t *testing.T) {
	r := sg(t, t.TempDir(), "demo")
	expectCode(t, r, 0)
	expectContains(t, r.stdout,
		"$ schemagate apply --dir release1 --url sqlite://auth.db",
		"no such column: domain_verified",
		"0003_add_domain_verified.up.sql", "(exit 3)",
		"rolling the app back needs no schema change",
		"schemagate demo --traffic")
}
