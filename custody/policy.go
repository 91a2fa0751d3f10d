package custody

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	jsonv2 "encoding/json/v2"

	"github.com/custody-toolkit/custody/manifest"
)

// Policy is a practice's rules for its exports (custody export --policy
// FILE): what every export must state, and which legal bases the practice
// relies on. It is a JSON file, read strictly, so that a misspelt rule is
// an error rather than a rule silently not applied:
//
//	{"require_purpose": true, "require_legal_basis": true,
//	 "require_consent": false, "allowed_legal_bases": ["gdpr-9-2-h", "gdpr-9-2-f"]}
//
// JSON rather than TOML: the standard library reads it, and a policy has
// four members. An export that breaks a rule is refused before anything is
// written, naming the file and the rule.
type Policy struct {
	RequirePurpose    bool     `json:"require_purpose"`
	RequireLegalBasis bool     `json:"require_legal_basis"`
	RequireConsent    bool     `json:"require_consent"`
	AllowedLegalBases []string `json:"allowed_legal_bases"`

	path string // the file it was read from, named in refusals
}

// maxPolicySize bounds what LoadPolicy reads: a policy is a few lines.
const maxPolicySize = 64 << 10

// LoadPolicy reads a policy file. Unknown members, a legal basis that is
// not in manifest.LegalBases, and anything after the object are errors.
func LoadPolicy(path string) (*Policy, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPolicySize+1))
	if err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	if len(data) > maxPolicySize {
		return nil, fmt.Errorf("policy %s: larger than %d bytes", path, maxPolicySize)
	}
	p := &Policy{path: path}
	if err := jsonv2.Unmarshal(bytes.TrimSpace(data), p, jsonv2.RejectUnknownMembers(true)); err != nil {
		return nil, fmt.Errorf("policy %s: %w", path, err)
	}
	for _, code := range p.AllowedLegalBases {
		if !manifest.KnownLegalBasis(code) {
			return nil, fmt.Errorf("policy %s: allowed_legal_bases: %q is not one of %s", path, code, strings.Join(manifest.LegalBases, ", "))
		}
	}
	return p, nil
}

// Check refuses an export whose intake (nil: none stated) breaks a rule.
func (p *Policy) Check(in *Intake) error {
	if in == nil {
		in = &Intake{}
	}
	var broken []string
	if p.RequirePurpose && in.Purpose == "" {
		broken = append(broken, "require_purpose: give --purpose")
	}
	if p.RequireLegalBasis && in.LegalBasis == "" {
		broken = append(broken, "require_legal_basis: give --legal-basis")
	}
	if p.RequireConsent && in.ConsentFile == "" {
		broken = append(broken, "require_consent: give --consent FILE")
	}
	if len(p.AllowedLegalBases) > 0 && in.LegalBasis != "" && !slices.Contains(p.AllowedLegalBases, in.LegalBasis) {
		broken = append(broken, fmt.Sprintf("allowed_legal_bases: %q is not one of %s", in.LegalBasis, strings.Join(p.AllowedLegalBases, ", ")))
	}
	if len(broken) > 0 {
		return fmt.Errorf("refused by the practice policy %s: %w", p.path, errors.New(strings.Join(broken, "; ")))
	}
	return nil
}
