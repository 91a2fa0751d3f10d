package manifest_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/manifest"
)

// TestCustodyLogMember: "custody_log":true round-trips; absent means
// false (every bundle sealed before the member existed); any other
// spelling of false, or a non-boolean, is refused, since re-marshalling it
// would not give the signed bytes back.
func TestCustodyLogMember(t *testing.T) {
	for _, format := range []string{manifest.FormatV1, manifest.FormatV2} {
		t.Run(format, func(t *testing.T) {
			m := sampleManifest()
			if format == manifest.FormatV2 {
				m = v2Manifest(t)
			}
			m.CustodyLog = false
			without, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(without, []byte("custody_log")) {
				t.Fatalf("false written out: %s", without)
			}
			got, err := manifest.Parse(without)
			if err != nil || got.CustodyLog {
				t.Fatalf("absent member: %v, custody_log %v", err, got != nil && got.CustodyLog)
			}

			m.CustodyLog = true
			with, err := m.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(with, []byte(`"custody_log":true`)) {
				t.Fatalf("true not written: %s", with)
			}
			got, err = manifest.Parse(with)
			if err != nil || !got.CustodyLog {
				t.Fatalf("round trip: %v, %+v", err, got)
			}
			if again, _ := got.Marshal(); !bytes.Equal(again, with) {
				t.Fatalf("re-marshalled differently:\n%s\n%s", again, with)
			}

			for _, bad := range []string{`false`, `null`, `"true"`, `1`, `{}`} {
				data := bytes.Replace(with, []byte(`"custody_log":true`), []byte(`"custody_log":`+bad), 1)
				_, err := manifest.Parse(data)
				if err == nil {
					t.Errorf("custody_log %s accepted", bad)
					continue
				}
				if !strings.Contains(err.Error(), "manifest.json") {
					t.Errorf("custody_log %s: error %q does not name manifest.json", bad, err)
				}
			}
		})
	}
}

// v2Manifest is the published v2 vector's manifest, decoded.
func v2Manifest(t *testing.T) *manifest.Manifest {
	t.Helper()
	m, err := manifest.Parse([]byte(readVectorManifest(t)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The frozen v1 vector was sealed before the member existed: it carries no
// custody_log and must keep parsing exactly as it did, as a bundle whose
// log is optional.
func TestCustodyLogMemberAbsentInVectors(t *testing.T) {
	data := vectorManifest(t)
	if bytes.Contains(data, []byte("custody_log")) {
		t.Fatal("the v1 vector carries custody_log")
	}
	m, err := manifest.Parse(data)
	if err != nil || m.CustodyLog {
		t.Fatalf("v1 vector: %v, custody_log %v", err, m != nil && m.CustodyLog)
	}
}
