package auth

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestSessionToken(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	signer, err := NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2023, 5, 31, 12, 55, 0, 0, time.UTC)
	s := Session{UserID: "usr_acme_alice", TenantID: "tnt_acme", Expires: now.Add(time.Hour)}
	token := signer.Sign(s)

	got, err := signer.Verify(token, now)
	if err != nil {
		t.Fatalf("Verify(own token): %v", err)
	}
	if got.UserID != s.UserID || got.TenantID != s.TenantID || !got.Expires.Equal(s.Expires) {
		t.Errorf("Verify = %+v, want %+v", got, s)
	}

	other, _ := NewSigner(bytes.Repeat([]byte{8}, 32))
	payload, sig, _ := strings.Cut(token, ".")
	forged := signer.Sign(Session{UserID: "usr_acme_bruno", TenantID: "tnt_acme", Expires: now.Add(time.Hour)})
	forgedPayload, _, _ := strings.Cut(forged, ".")
	for name, tc := range map[string]struct {
		token string
		at    time.Time
	}{
		"expired":          {token, now.Add(time.Hour)},
		"other key":        {other.Sign(s), now},
		"payload swapped":  {forgedPayload + "." + sig, now},
		"no signature":     {payload, now},
		"empty":            {"", now},
		"garbage":          {"a.b", now},
		"signature edited": {payload + "." + strings.ToUpper(sig), now},
	} {
		if _, err := signer.Verify(tc.token, tc.at); err != ErrBadToken {
			t.Errorf("%s: Verify = %v, want ErrBadToken", name, err)
		}
	}

	if _, err := NewSigner([]byte("short")); err == nil {
		t.Error("NewSigner accepted a 5-byte key")
	}
}

func TestRebind(t *testing.T) {
	got := rebind(`SELECT a FROM t WHERE b = ? AND c = ?`)
	if want := `SELECT a FROM t WHERE b = $1 AND c = $2`; got != want {
		t.Errorf("rebind = %q, want %q", got, want)
	}
}
