package translog

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// ParseTrusted reads the log keys a verifier trusts (custody-verify
// --trust-log): either note verifier keys, one a line
// ("rekor.example+1a2b3c4d+AbCd…", the form `custody log-server` prints
// and Go's sumdb uses; blank lines and # comments ignored), or a Sigstore
// trusted root (JSON, dev.sigstore.trustroot.v1.TrustedRoot), whose
// Ed25519 `tlogs` become keys named by their base URL's host and path,
// the origin a Rekor v2 log signs its checkpoints with.
func ParseTrusted(data []byte) ([]note.Verifier, error) {
	if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '{' {
		return parseTrustedRoot(t)
	}
	var keys []note.Verifier
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		v, err := note.NewVerifier(s)
		if err != nil {
			return nil, fmt.Errorf("line %d: not a note verifier key (name+hash+key): %w", line, err)
		}
		keys = append(keys, v)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("no log key: want note verifier keys, one a line, or a Sigstore trusted root")
	}
	return keys, nil
}

// trustedRoot is the part of a Sigstore trusted root that names logs.
type trustedRoot struct {
	Tlogs []struct {
		BaseURL   string `json:"baseUrl"`
		PublicKey struct {
			RawBytes   []byte `json:"rawBytes"`
			KeyDetails string `json:"keyDetails"`
		} `json:"publicKey"`
	} `json:"tlogs"`
}

func parseTrustedRoot(data []byte) ([]note.Verifier, error) {
	var root trustedRoot
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("not a Sigstore trusted root: %w", err)
	}
	var keys []note.Verifier
	for _, t := range root.Tlogs {
		pub, err := x509.ParsePKIXPublicKey(t.PublicKey.RawBytes)
		ed, ok := pub.(ed25519.PublicKey)
		if err != nil || !ok {
			continue // a Rekor v1 log, or a key type whose checkpoint signatures this version does not read
		}
		u, err := url.Parse(t.BaseURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("trusted root: log base URL %q", t.BaseURL)
		}
		vkey, err := note.NewEd25519VerifierKey(u.Host+strings.TrimSuffix(u.Path, "/"), ed)
		if err != nil {
			return nil, err
		}
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, err
		}
		keys = append(keys, v)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("the trusted root names no log with an Ed25519 key (Rekor v2)")
	}
	return keys, nil
}

// VerifierKey gives the note verifier key of a log whose checkpoints are
// signed by pub under the name origin: what --trust-log reads.
func VerifierKey(origin string, pub ed25519.PublicKey) (string, error) {
	return note.NewEd25519VerifierKey(origin, pub)
}
