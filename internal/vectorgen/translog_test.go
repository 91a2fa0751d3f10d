package main

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/rekortest"
	"github.com/custody-toolkit/custody/translog"
	"github.com/custody-toolkit/custody/translog/rekor"
)

// TestVectorLogAnswersAsRekor holds the vectors' in-process log to the
// real Rekor v2 server (rekor-tiles, at the pinned version) given the same
// statement: the same logged body byte for byte, the same kind and
// version, the same members, a checkpoint of the same shape, and the log
// id derived from the log's key the same way. Only what depends on the
// log's key, its other entries and its origin differs.
func TestVectorLogAnswersAsRekor(t *testing.T) {
	srv := rekortest.Start(t)
	p := newPKI()
	// An entry first, so that the ones compared are not at index 0,
	// which protobuf JSON leaves out with an empty proof.
	first, err := translog.NewStatement([]byte("{}"), signBytes(p.ecdsaSigner, []byte("{}")), p.ecdsaSigner.Public())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&rekor.Log{URL: srv.URL}).Submit(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	for name, key := range map[string]crypto.Signer{"ed25519": p.signer, "ecdsa-p256": p.ecdsaSigner} {
		t.Run(name, func(t *testing.T) {
			manifestRaw := []byte(`{"format":"custody.bundle/v4","test":"` + name + `"}`)
			st, err := translog.NewStatement(manifestRaw, signBytes(key, manifestRaw), key.Public())
			if err != nil {
				t.Fatal(err)
			}
			if err := st.SignPrehashed(key); err != nil {
				t.Fatal(err)
			}
			real, err := (&rekor.Log{URL: srv.URL}).Submit(context.Background(), st)
			if err != nil {
				t.Fatal(err)
			}
			ours, err := newVectorLog(trustedLogKey).Submit(context.Background(), st)
			if err != nil {
				t.Fatal(err)
			}
			re, err := translog.Parse(real)
			if err != nil {
				t.Fatal(err)
			}
			oe, err := translog.Parse(ours)
			if err != nil {
				t.Fatal(err)
			}
			if string(re.CanonicalizedBody) != string(oe.CanonicalizedBody) {
				t.Errorf("logged body:\nreal %s\nours %s", re.CanonicalizedBody, oe.CanonicalizedBody)
			}
			if re.KindVersion != oe.KindVersion {
				t.Errorf("kindVersion: real %v, ours %v", re.KindVersion, oe.KindVersion)
			}
			if r, o := memberPaths(t, real), memberPaths(t, ours); !slices.Equal(r, o) {
				t.Errorf("members:\nreal %v\nours %v", r, o)
			}
			if r, o := checkpointShape(re.InclusionProof.Checkpoint), checkpointShape(oe.InclusionProof.Checkpoint); r != o {
				t.Errorf("checkpoint shape: real %q, ours %q", r, o)
			}
			if want := logIDOf(t, srv.Origin, srv.VerifierKey); string(re.LogID) != string(want) {
				t.Errorf("the real log's id is not sha256(origin, newline, 1, key): %x, want %x", re.LogID, want)
			}
		})
	}
}

// memberPaths lists the JSON member paths of an entry, sorted.
func memberPaths(t *testing.T, data []byte) []string {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	var paths []string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				paths = append(paths, prefix+k)
				walk(prefix+k+".", x)
			}
		}
	}
	walk("", v)
	sort.Strings(paths)
	return paths
}

// checkpointShape is a signed note's layout with its values left out:
// how many body lines, and the form of each signature line.
func checkpointShape(envelope string) string {
	body, sigs, _ := strings.Cut(envelope, "\n\n")
	shape := []string{strings.Repeat("line ", strings.Count(body, "\n")+1)}
	for _, line := range strings.Split(strings.TrimSuffix(sigs, "\n"), "\n") {
		f := strings.Fields(line)
		sig, _ := base64.StdEncoding.DecodeString(f[len(f)-1])
		shape = append(shape, f[0]+" name "+string(rune('0'+len(sig)/16)))
	}
	return strings.Join(shape, "|")
}

// logIDOf is Rekor v2's log id for the Ed25519 note verifier key vkey.
func logIDOf(t *testing.T, origin, vkey string) []byte {
	parts := strings.SplitN(vkey, "+", 3) // name+hash+key, the key in base64, which has + too
	raw, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(raw) != 1+ed25519.PublicKeySize || raw[0] != 1 {
		t.Fatalf("not an Ed25519 note verifier key: %q", vkey)
	}
	id := sha256.Sum256(append([]byte(origin+"\n"), raw...))
	return id[:]
}
