package verify

import (
	"errors"

	"github.com/custody-toolkit/custody/manifest"
)

// RecordRendering names the record.pdf that Options.CompareRecord is to
// compare: the one of the bundle whose manifest.json has this SHA-256,
// read from its sealed container (Repacked false) or through
// manifest.OpenRepacked (true). Whoever compares elsewhere reads the same
// file again, the same way; it must refuse (an error) when what it read is
// not this, so that what is reported is always the comparison of the
// bundle verified here.
type RecordRendering struct {
	ManifestSHA256 string `json:"manifest_sha256"` // hex
	Repacked       bool   `json:"repacked"`
}

// RenderingOutcome is the outcome of comparing record.pdf with a fresh
// rendering: the rendering check's status, sub-indication and detail
// (which completes a sentence whose subject is record.pdf).
type RenderingOutcome struct {
	Status Status        `json:"status"`
	Sub    SubIndication `json:"sub_indication,omitempty"`
	Detail string        `json:"detail"`
}

// CompareRecordRendering compares the record.pdf of bundle b, whose parsed
// manifest is m, with a fresh rendering of b's content: the comparison of
// the rendering check, alone (for Options.CompareRecord, in a second
// WebAssembly instance). Whether b's content is the sealed one is what the
// other checks of Bundle establish; this says only whether record.pdf
// shows it.
func CompareRecordRendering(b *manifest.Bundle, m *manifest.Manifest, opts Options) (RenderingOutcome, error) {
	r := m.Rendering
	if r == nil {
		return RenderingOutcome{}, errors.New("the bundle holds no PDF rendering")
	}
	v := &bundleVerifier{opts: opts, b: b}
	c := v.compareRecord(m, r.Path)
	return RenderingOutcome{Status: c.status, Sub: c.sub, Detail: c.detail}, nil
}

// compareElsewhere has Options.CompareRecord compare record.pdf, when it
// is set and the container is one it can read again (not an extracted
// folder); ok is false when this package must compare it itself.
func (v *bundleVerifier) compareElsewhere() (c renderingComparison, ok bool) {
	if v.opts.CompareRecord == nil || v.repacked.how != "" && v.repacked.how != repackedZip {
		return c, false
	}
	out, err := v.opts.CompareRecord(RecordRendering{ManifestSHA256: v.rep.Manifest, Repacked: v.repacked.how == repackedZip})
	if err != nil || !knownStatus(out.Status) {
		return c, false
	}
	return renderingComparison{status: out.Status, sub: out.Sub, detail: out.Detail}, true
}

// knownStatus: an outcome from elsewhere (decoded from JSON) must be one
// of the statuses a comparison gives.
func knownStatus(s Status) bool {
	return s == Passed || s == Failed || s == Indeterminate
}
