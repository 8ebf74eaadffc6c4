package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestPanicsAreRedacted(t *testing.T) {
	var out bytes.Buffer
	a := newApp(&out, &out)
	a.url = "postgres://app:Hunter2-Secret@db:5432/app"
	code := a.reportPanic("connect to postgres://app:Hunter2-Secret@db:5432/app failed", []byte("goroutine 1: open(password=Hunter2-Secret)"))
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if strings.Contains(out.String(), "Hunter2-Secret") || !strings.Contains(out.String(), "xxxxx") {
		t.Errorf("panic report not redacted:\n%s", out.String())
	}
}
