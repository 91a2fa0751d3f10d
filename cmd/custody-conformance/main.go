// Command custody-conformance runs a verifier over every test vector of
// the custody bundle format and compares what it concludes with what each
// vector's NAME.expect.json states: the verdict, the first check that
// reaches it and that check's sub-indication. Any implementation can use
// it; docs/conformance.md says how.
//
//	go run ./cmd/custody-conformance -- custody-verify --json
//	go run ./cmd/custody-conformance -vectors testdata/vectors -verdict-only -- ./my-verifier
//
// For each vector it runs the command given after "--", followed by
// "--trust FILE" (each trust anchor), "--trust-signers FILE" (each
// anchor for the signer's certificate, §5.1), "--trust-log FILE" (each
// transparency log key, §6.1), "--signer FILE" (the
// expected signer's public key, when the vector names one), "--consistent-with
// FILE" (an older bundle, when it names one), "--at TIME" (the validation
// time, RFC 3339, when it names one: docs/long-term.md) and the vector's
// path, files absolute. The verifier prints a JSON report (docs/verify-json.md: only
// result and checks[].id, index, status and sub_indication are read) and
// exits 0 (PASSED), 1 (FAILED), 3 (INDETERMINATE) or 2 (not a custody
// file, no report needed).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its arguments and output, for the tests.
func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("custody-conformance", flag.ContinueOnError)
	fl.SetOutput(stderr)
	dir := fl.String("vectors", filepath.Join("testdata", "vectors"), "the folder of vectors (searched for *.expect.json)")
	only := fl.String("run", "", "only the vectors whose path matches this regular expression")
	verdictOnly := fl.Bool("verdict-only", false, "compare verdicts only (for a verifier that does not report check ids)")
	verbose := fl.Bool("v", false, "print every vector, not only those that differ")
	jobs := fl.Int("j", runtime.GOMAXPROCS(0), "how many verifiers to run at once (each vector is a process of its own)")
	fl.Usage = func() {
		fmt.Fprintln(stderr, "usage: custody-conformance [flags] -- VERIFIER-COMMAND [ARGS...]")
		fl.PrintDefaults()
	}
	if err := fl.Parse(args); err != nil {
		return 2
	}
	command := fl.Args()
	if len(command) == 0 {
		fl.Usage()
		return 2
	}
	filter, err := regexp.Compile(*only)
	if err != nil {
		fmt.Fprintln(stderr, "custody-conformance: -run:", err)
		return 2
	}
	vectors, err := findVectors(*dir, filter)
	if err != nil {
		fmt.Fprintln(stderr, "custody-conformance:", err)
		return 2
	}
	if len(vectors) == 0 {
		fmt.Fprintf(stderr, "custody-conformance: no *.expect.json under %s\n", *dir)
		return 2
	}
	differ := 0
	outcomes := runAll(vectors, command, *jobs)
	for i, v := range vectors {
		got := outcomes[i]
		diff := v.compare(got, *verdictOnly)
		if diff != "" {
			differ++
			fmt.Fprintf(stdout, "DIFFERS %s: %s\n", v.path, diff)
		} else if *verbose {
			fmt.Fprintf(stdout, "ok      %s: %s\n", v.path, got)
		}
	}
	fmt.Fprintf(stdout, "%d vectors, %d agree, %d differ\n", len(vectors), len(vectors)-differ, differ)
	if differ > 0 {
		return 1
	}
	return 0
}

// runAll runs the verifier over every vector, jobs at a time, and returns
// the outcomes in the vectors' order: the report reads the same whatever
// the number of jobs, and hundreds of verifier processes take a fraction
// of the time on several cores.
func runAll(vectors []*vector, command []string, jobs int) []outcome {
	outcomes := make([]outcome, len(vectors))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, jobs) {
		wg.Go(func() {
			for i := range next {
				outcomes[i] = vectors[i].run(command)
			}
		})
	}
	for i := range vectors {
		next <- i
	}
	close(next)
	wg.Wait()
	return outcomes
}

// Expectation is a vector's NAME.expect.json (testdata/vectors/README.md).
type Expectation struct {
	Vector         string   `json:"vector"`
	Rule           string   `json:"rule"`
	Description    string   `json:"description"`
	Trust          []string `json:"trust"`
	Signer         string   `json:"signer"`
	TrustSigners   []string `json:"trust_signers"`
	TrustLogs      []string `json:"trust_logs"`
	ConsistentWith string   `json:"consistent_with"`
	At             string   `json:"at"`
	Verdict        string   `json:"verdict"`
	Check          string   `json:"check"`
	Index          int      `json:"index"`
	SubIndication  string   `json:"sub_indication"`
}

// NotCustody is the verdict of a file that is not a custody file: exit 2.
const NotCustody = "NOT_CUSTODY"

type vector struct {
	path string // of the expectation file, as found
	dir  string // absolute
	exp  Expectation
}

func findVectors(root string, filter *regexp.Regexp) ([]*vector, error) {
	var out []*vector
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".expect.json") || !filter.MatchString(path) {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		v := &vector{path: path}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&v.exp); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if v.dir, err = filepath.Abs(filepath.Dir(path)); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, err
}

// outcome is what a verifier concluded.
type outcome struct {
	Verdict string
	Check   string
	Index   int
	Sub     string
	Err     string // the verifier could not be run, or its output read
}

func (o outcome) String() string {
	if o.Err != "" {
		return o.Err
	}
	if o.Check == "" {
		return o.Verdict
	}
	return fmt.Sprintf("%s at %s (index %d) %s", o.Verdict, o.Check, o.Index, o.Sub)
}

// args are the verifier's arguments for this vector.
func (v *vector) args() []string {
	var args []string
	abs := func(p string) string { return filepath.Join(v.dir, p) }
	for _, t := range v.exp.Trust {
		args = append(args, "--trust", abs(t))
	}
	for _, t := range v.exp.TrustSigners {
		args = append(args, "--trust-signers", abs(t))
	}
	for _, t := range v.exp.TrustLogs {
		args = append(args, "--trust-log", abs(t))
	}
	if v.exp.Signer != "" {
		args = append(args, "--signer", abs(v.exp.Signer))
	}
	if v.exp.ConsistentWith != "" {
		args = append(args, "--consistent-with", abs(v.exp.ConsistentWith))
	}
	if v.exp.At != "" {
		args = append(args, "--at", v.exp.At)
	}
	return append(args, abs(v.exp.Vector))
}

// exitVerdicts maps exit codes to verdicts.
var exitVerdicts = map[int]string{0: "PASSED", 1: "FAILED", 2: NotCustody, 3: "INDETERMINATE"}

func (v *vector) run(command []string) outcome {
	cmd := exec.Command(command[0], append(command[1:], v.args()...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		return outcome{Err: "cannot run the verifier: " + err.Error()}
	}
	verdict, ok := exitVerdicts[code]
	if !ok {
		return outcome{Err: fmt.Sprintf("exit code %d (stderr: %.200s)", code, errOut.String())}
	}
	if verdict == NotCustody {
		return outcome{Verdict: verdict}
	}
	return readReport(out.Bytes(), verdict)
}

// readReport is the adapter for docs/verify-json.md: the verdict, and the
// first check whose status is the verdict.
func readReport(data []byte, exitVerdict string) outcome {
	var rep struct {
		Result string `json:"result"`
		Checks []struct {
			ID     string `json:"id"`
			Index  int    `json:"index"`
			Status string `json:"status"`
			Sub    string `json:"sub_indication"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return outcome{Err: fmt.Sprintf("exit %s, but no JSON report: %v", exitVerdict, err)}
	}
	if rep.Result != exitVerdict {
		return outcome{Err: fmt.Sprintf("the report says %s, the exit code %s", rep.Result, exitVerdict)}
	}
	o := outcome{Verdict: rep.Result}
	if o.Verdict == "PASSED" {
		return o
	}
	for _, c := range rep.Checks {
		if c.Status == rep.Result {
			o.Check, o.Index, o.Sub = c.ID, c.Index, c.Sub
			break
		}
	}
	return o
}

// compare says how got differs from the expectation, or "".
func (v *vector) compare(got outcome, verdictOnly bool) string {
	e := v.exp
	want := outcome{Verdict: e.Verdict, Check: e.Check, Index: e.Index, Sub: e.SubIndication}
	switch {
	case got.Err != "":
		return got.Err
	case got.Verdict != e.Verdict:
	case verdictOnly || e.Check == "":
		return ""
	case got.Check != e.Check || got.Sub != e.SubIndication || (e.Index != 0 && got.Index != e.Index):
	default:
		return ""
	}
	return fmt.Sprintf("got %s, want %s (%s: %s)", got, want, e.Rule, e.Description)
}
