package raft

// The lab tester's helpers, cut down: one() fails with the real tester's message, at one place.

import (
	crand "crypto/rand"
	"encoding/base64"
	"testing"
)

type config struct {
	t *testing.T
}

func makeConfig(t *testing.T) *config {
	return &config{t: t}
}

// randstring is the lab's: base64 of random bytes, cut to n characters.
func randstring(n int) string {
	b := make([]byte, 2*n)
	crand.Read(b)
	s := base64.URLEncoding.EncodeToString(b)
	return s[0:n]
}

// one fails to reach agreement when agree is false, with the message of the lab's config.go.
func (cfg *config) one(cmd interface{}, agree bool) int {
	if !agree {
		cfg.t.Fatalf("one(%v) failed to reach agreement", cmd)
	}
	return 1
}
