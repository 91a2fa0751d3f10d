// Command vectorgen writes the conformance vectors of custody's bundle
// format into testdata/vectors/conformance: bundles and standalone PDFs,
// valid, unusual-but-valid and invalid, each next to a NAME.expect.json
// stating the verdict a conformant verifier reaches, the first check that
// reaches it and its sub-indication (format: testdata/vectors/README.md).
//
//	go run ./internal/vectorgen [-out testdata/vectors/conformance]
//
// Every vector starts from a bundle the reference exporter writes and
// changes one thing: a member of the manifest (sealed again, so that only
// the rule under test is broken), an entry, a ZIP header, a token (built
// here byte by byte, der.go, token.go), a custody event. The output is
// reproducible: keys come from fixed seeds, signatures are deterministic,
// the TSA's clock is fixed (pki.go), the transparency log answers from a
// fixed tree (translog.go), revocation data is dated (revocation.go), and
// the files are written in a fixed order; TestReproducible holds the
// committed vectors to a fresh run.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

func main() {
	out := flag.String("out", filepath.Join("testdata", "vectors", "conformance"), "the directory to (re)write")
	flag.Parse()
	if err := generate(*out); err != nil {
		fmt.Fprintln(os.Stderr, "vectorgen:", err)
		os.Exit(1)
	}
}

// vector is one file to verify and what a verifier must conclude.
type vector struct {
	name string // group/name, without extension
	ext  string // ".custody", ".pdf", or another for files that are not custody files
	data []byte
	exp  expectation
}

// expectation is the content of NAME.expect.json.
type expectation struct {
	Vector         string   `json:"vector"`
	Rule           string   `json:"rule"`
	Description    string   `json:"description"`
	Trust          []string `json:"trust,omitempty"`
	Signer         string   `json:"signer,omitempty"`
	TrustSigners   []string `json:"trust_signers,omitempty"`
	TrustLogs      []string `json:"trust_logs,omitempty"`
	ConsistentWith string   `json:"consistent_with,omitempty"`
	AsOf           string   `json:"at,omitempty"`
	Verdict        string   `json:"verdict"`
	Check          string   `json:"check,omitempty"`
	Index          int      `json:"index,omitempty"`
	SubIndication  string   `json:"sub_indication,omitempty"`
}

// Verdicts: those of a report, and NotCustody for a file that gets none
// (exit 2).
const (
	Passed        = "PASSED"
	Failed        = "FAILED"
	Indeterminate = "INDETERMINATE"
	NotCustody    = "NOT_CUSTODY"
)

// generate writes every vector into dir, replacing what was there.
func generate(dir string) error {
	tmp, err := os.MkdirTemp("", "vectorgen-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	g := newGenerator(tmp)
	g.all()
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for name, data := range g.keys {
		if err := writeFile(filepath.Join(dir, "keys", name), data); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, v := range g.vectors {
		if seen[v.name] {
			return fmt.Errorf("two vectors named %s", v.name)
		}
		seen[v.name] = true
		if err := v.write(dir); err != nil {
			return err
		}
	}
	return writeFile(filepath.Join(dir, "INDEX"), g.index())
}

func (v *vector) write(dir string) error {
	base := filepath.Base(v.name)
	v.exp.Vector = base + v.ext
	depth := strings.Repeat("../", strings.Count(v.name, "/"))
	if v.exp.Trust == nil && v.exp.Verdict != NotCustody {
		v.exp.Trust = []string{"tsa-root.pem"}
	}
	for i, t := range v.exp.Trust {
		v.exp.Trust[i] = depth + "keys/" + t
	}
	if v.exp.Signer != "" {
		v.exp.Signer = depth + "keys/" + v.exp.Signer
	}
	for _, list := range [][]string{v.exp.TrustSigners, v.exp.TrustLogs} {
		for i, t := range list {
			list[i] = depth + "keys/" + t
		}
	}
	if v.exp.ConsistentWith != "" {
		v.exp.ConsistentWith = v.exp.ConsistentWith + ".custody"
	}
	exp, err := json.MarshalIndent(v.exp, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, v.name+v.ext), v.data); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, v.name+".expect.json"), append(exp, '\n'))
}

// index lists every vector, one line each: name, verdict, check,
// sub-indication, rule. Sorted, for reading and for diffs.
func (g *generator) index() []byte {
	lines := []string{}
	for _, v := range g.vectors {
		lines = append(lines, fmt.Sprintf("%s%s\t%s\t%s\t%s\t%s", v.name, v.ext, v.exp.Verdict, v.exp.Check, v.exp.SubIndication, v.exp.Rule))
	}
	sort.Strings(lines)
	return []byte(strings.Join(lines, "\n") + "\n")
}

func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}
