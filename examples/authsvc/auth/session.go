package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Session is what a session token asserts: this user of this tenant is
// signed in until Expires.
type Session struct {
	UserID   string    `json:"sub"`
	TenantID string    `json:"tid"`
	Expires  time.Time `json:"exp"`
}

// ErrBadToken is returned for a token that is malformed, forged or expired.
var ErrBadToken = errors.New("invalid or expired session token")

// Signer issues and checks session tokens: base64url(JSON payload) "."
// base64url(HMAC-SHA256(key, payload)). Every instance of the service
// shares the key, so a token issued by one instance is accepted by all of
// them, whatever their release.
type Signer struct {
	key []byte
}

// NewSigner returns a Signer for key, which must be at least 32 bytes.
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("the session key must be at least 32 bytes")
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

// Sign returns the token for s.
func (k *Signer) Sign(s Session) string {
	payload, _ := json.Marshal(s) // strings and a time always encode
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(k.mac(p))
}

// Verify checks token's signature and expiry at now.
func (k *Signer) Verify(token string, now time.Time) (Session, error) {
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Session{}, ErrBadToken
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, k.mac(p)) {
		return Session{}, ErrBadToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return Session{}, ErrBadToken
	}
	var s Session
	if err := json.Unmarshal(payload, &s); err != nil || s.UserID == "" || s.TenantID == "" || !now.Before(s.Expires) {
		return Session{}, ErrBadToken
	}
	return s, nil
}

func (k *Signer) mac(payload string) []byte {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(payload))
	return m.Sum(nil)
}
