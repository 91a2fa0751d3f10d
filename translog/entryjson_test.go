package translog

import (
	"bytes"
	"crypto/x509"
	"encoding/json/jsontext"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	rekorpb "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// realEntries are answers of the real Rekor v2 server (rekor-tiles
// v2.3.0, internal/rekortest) to TestSubmitRealLog's two statements,
// stored as the exporter stores them, with what verifies them.
var realEntries = []string{"testdata/real-ecdsa", "testdata/real-ed25519"}

func readTestFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return data
}

// TestRealEntriesVerify: the real log's entries read and verify offline,
// with and without its key, and not with another seal's statement.
func TestRealEntriesVerify(t *testing.T) {
	for _, dir := range realEntries {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			entry, err := Parse(readTestFile(t, dir, "entry.json"))
			if err != nil {
				t.Fatal(err)
			}
			block, _ := pem.Decode(readTestFile(t, dir, "signer.pem"))
			pub, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			manifest := readTestFile(t, dir, "manifest.json")
			st, err := NewStatement(manifest, readTestFile(t, dir, "manifest.sig"), pub)
			if err != nil {
				t.Fatal(err)
			}
			trusted, err := ParseTrusted(readTestFile(t, dir, "log.pub"))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Verify(entry, st, trusted)
			if err != nil || p.KeyName != "rekor.custody.test" || p.Origin != "rekor.custody.test" || p.TreeSize <= uint64(p.Index) {
				t.Fatalf("Verify: %+v, %v", p, err)
			}
			if p, err := Verify(entry, st, nil); err != nil || p.KeyName != "" {
				t.Fatalf("Verify without log keys: %+v, %v", p, err)
			}
			other, _ := NewStatement(append(manifest, ' '), readTestFile(t, dir, "manifest.sig"), pub)
			if _, err := Verify(entry, other, trusted); err == nil || AsProblem(err).Status != "FAILED" {
				t.Fatalf("another seal's statement: %v", err)
			}
		})
	}
}

// TestReadEntryAgreesWithProtojson: readEntry accepts what protojson
// accepts into Sigstore's TransparencyLogEntry, with the same values, and
// refuses what it refuses, spelling by spelling of the proto3 JSON
// mapping.
func TestReadEntryAgreesWithProtojson(t *testing.T) {
	real := readTestFile(t, realEntries[0], "entry.json")
	edit := func(old, new string) string {
		if !strings.Contains(string(real), old) {
			t.Fatalf("the real entry has no %q", old)
		}
		return strings.Replace(string(real), old, new, 1)
	}
	index := regexp.MustCompile(`"logIndex":"[0-9]+"`).FindString(string(real))
	cases := map[string]string{
		"real":                       string(real),
		"protojson's own whitespace": protojsonSpelling(t, real),
		"proto field names":          strings.NewReplacer(`"logIndex"`, `"log_index"`, `"canonicalizedBody"`, `"canonicalized_body"`, `"rootHash"`, `"root_hash"`).Replace(string(real)),
		"both names of a field":      edit(`{`, `{"log_index":"0",`),
		"a field twice":              edit(`{`, `{"logIndex":"0",`),
		"null field":                 edit(`"inclusionProof":`, `"logId":null,"inclusionProof":`),
		"null message":               `{"inclusionProof":null}`,
		"null list":                  `{"inclusionProof":{"hashes":null}}`,
		"null in a list":             `{"inclusionProof":{"hashes":[null]}}`,
		"unknown field":              edit(`{`, `{"extra":1,`),
		"empty":                      `{}`,
		"not an object":              `[]`,
		"null":                       `null`,
		"nothing":                    ``,
		"data after":                 string(real) + ` {}`,
		"a message as a string":      `{"kindVersion":"hashedrekord"}`,
		"a list as an object":        `{"inclusionProof":{"hashes":{}}}`,
		"a string as a number":       `{"kindVersion":{"kind":1}}`,
		"index as a number":          edit(index, `"logIndex":2`),
		"index 1e0":                  `{"logIndex":"1e0"}`,
		"index 2.0":                  `{"logIndex":2.0}`,
		"index 250e-2":               `{"logIndex":"250e-2"}`,
		"index 200e-2":               `{"logIndex":"200e-2"}`,
		"index 0.5e1":                `{"logIndex":0.5e1}`,
		"index 1E+2":                 `{"logIndex":1E+2}`,
		"index 2.5":                  `{"logIndex":"2.5"}`,
		"index -0":                   `{"logIndex":-0}`,
		"index 0e-99999999999":       `{"logIndex":0e-99999999999}`,
		"index 1e99999999999":        `{"logIndex":"1e99999999999"}`,
		"index 1e19":                 `{"logIndex":1e19}`,
		"index max":                  `{"logIndex":"9223372036854775807"}`,
		"index max+1":                `{"logIndex":"9223372036854775808"}`,
		"index min":                  `{"inclusionProof":{"logIndex":-9223372036854775808}}`,
		"index spaced":               `{"logIndex":" 2"}`,
		"index empty":                `{"logIndex":""}`,
		"index a string":             `{"logIndex":"two"}`,
		"index true":                 `{"logIndex":true}`,
		"index a number in quotes":   `{"logIndex":"\"2\""}`,
		"base64 unpadded":            `{"canonicalizedBody":"YWI"}`,
		"base64 url-safe":            `{"logId":{"keyId":"-_8"}}`,
		"base64 url-safe padded":     `{"logId":{"keyId":"-_8="}}`,
		"base64 mixed alphabets":     `{"logId":{"keyId":"+_8="}}`,
		"base64 with a newline":      `{"canonicalizedBody":"YW\nJj"}`,
		"base64 bad":                 `{"canonicalizedBody":"Y"}`,
		"escaped name":               `{"log\u005findex":"3"}`,
		"lone surrogate":             `{"inclusionProof":{"checkpoint":{"envelope":"\ud800"}}}`,
		"surrogate pair":             `{"inclusionProof":{"checkpoint":{"envelope":"\ud83d\ude00"}}}`,
		"invalid UTF-8":              "{\"kindVersion\":{\"kind\":\"\xff\"}}",
		"control character":          "{\"kindVersion\":{\"kind\":\"\x01\"}}",
		"extension name":             `{"[dev.sigstore.x]":1}`,
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) { checkAgrees(t, []byte(data)) })
	}
}

// FuzzReadEntry: readEntry never accepts what protojson refuses, nor
// reads other values; it refuses what protojson accepts only for the
// malformed numbers protojson takes (numberQuirk).
func FuzzReadEntry(f *testing.F) {
	for _, dir := range realEntries {
		f.Add(readTestFile(f, dir, "entry.json"))
	}
	f.Add([]byte(`{"logIndex":"1e2","log_id":{"keyId":"-_8"},"inclusionProof":{"hashes":["YWI",null]}}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkAgrees(t, data) })
}

// numberQuirk finds what protojson reads as a number and RFC 8259 does
// not: an exponent without digits (1e, 1e+), which it takes as 1.
var numberQuirk = regexp.MustCompile(`[0-9][eE][+-]?([^0-9+-]|$)`)

func checkAgrees(t *testing.T, data []byte) {
	t.Helper()
	var pb rekorpb.TransparencyLogEntry
	errP := protojson.Unmarshal(data, &pb)
	got, errM := readEntry(data)
	switch {
	case errM == nil && errP != nil:
		t.Fatalf("readEntry accepts what protojson refuses (%v): %q", errP, data)
	case errM != nil && errP == nil && !numberQuirk.Match(data):
		t.Fatalf("readEntry refuses what protojson accepts (%v): %q", errM, data)
	case errM == nil:
		// Sprint: an empty field is nil in one reader, empty in the other.
		if want := fromProto(&pb); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("readEntry reads\n%+v\nprotojson\n%+v\nfrom %q", got, want, data)
		}
	}
}

func fromProto(pb *rekorpb.TransparencyLogEntry) *Entry {
	var e Entry
	e.LogIndex = pb.LogIndex
	e.LogID = pb.GetLogId().GetKeyId()
	e.KindVersion.Kind, e.KindVersion.Version = pb.GetKindVersion().GetKind(), pb.GetKindVersion().GetVersion()
	e.IntegratedTime = pb.IntegratedTime
	e.SignedEntryTimestamp = pb.GetInclusionPromise().GetSignedEntryTimestamp()
	ip := pb.GetInclusionProof()
	e.InclusionProof.LogIndex, e.InclusionProof.RootHash, e.InclusionProof.TreeSize = ip.GetLogIndex(), ip.GetRootHash(), ip.GetTreeSize()
	e.InclusionProof.Hashes = ip.GetHashes()
	e.InclusionProof.Checkpoint = ip.GetCheckpoint().GetEnvelope()
	e.CanonicalizedBody = pb.CanonicalizedBody
	return &e
}

// protojsonSpelling is data as protojson writes it (indented, not RFC
// 8785): still an entry, only not in its one encoding.
func protojsonSpelling(t *testing.T, data []byte) string {
	var pb rekorpb.TransparencyLogEntry
	if err := protojson.Unmarshal(data, &pb); err != nil {
		t.Fatal(err)
	}
	out := protojson.MarshalOptions{Multiline: true}.Format(&pb)
	if bytes.Equal([]byte(out), data) || !jsontext.Value(out).IsValid() {
		t.Fatalf("protojson wrote %q", out)
	}
	return out
}
