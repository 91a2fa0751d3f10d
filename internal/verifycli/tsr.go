package verifycli

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/lang"
	"github.com/custody-toolkit/custody/verify"
)

// tokenReport is the JSON form of `custody-verify tsr`.
type tokenReport struct {
	Version    string             `json:"report_version"`
	Result     verify.Status      `json:"result"`
	File       string             `json:"file"`
	Data       string             `json:"data"`
	Timestamps []verify.Timestamp `json:"timestamps"`
	Checks     []verify.Check     `json:"checks"`
}

func newTSRCmd() *cobra.Command {
	var common commonFlags
	var dataFile string
	var certFiles []string
	cmd := &cobra.Command{
		Use:   "tsr --data FILE [--trust ROOTS.pem] [--certs CHAIN.pem] [--json] TOKEN",
		Short: "Verify any RFC 3161 TimeStampResp or TimeStampToken over a data file",
		Long: `tsr verifies a token from any RFC 3161 TSA: the imprint over --data, the CMS
signature, the signing-certificate attribute (ESSCertID v1 or v2), the TSA's
timeStamping EKU, and the chain to a --trust anchor validated at the token's
genTime. Certificates missing from the token can be supplied with --certs.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dataFile == "" {
				return &exitError{code: 2, err: errors.New("tsr: --data FILE is required")}
			}
			return runTSR(cmd, args[0], dataFile, common, certFiles)
		},
	}
	common.add(cmd)
	cmd.Flags().StringVar(&dataFile, "data", "", "the timestamped data")
	cmd.Flags().StringArrayVar(&certFiles, "certs", nil, "PEM or DER file of certificates the token lacks (the TSA's, intermediates)")
	return cmd
}

func runTSR(cmd *cobra.Command, tokenFile, dataFile string, common commonFlags, certFiles []string) error {
	roots, err := readCertificates(common.trust)
	if err != nil {
		return err
	}
	certs, err := readCertificates(certFiles)
	if err != nil {
		return err
	}
	if size, ok := derLargerThan(tokenFile, verify.MaxTokenSize); ok {
		return tooLargeToken(cmd, tokenFile, dataFile, size, common.json)
	}
	der, err := readBounded(tokenFile, verify.MaxTokenSize)
	if err != nil {
		return unreadable(err)
	}
	if _, err := verify.ParseToken(der); err != nil {
		return unreadable(fmt.Errorf("%s: %w", tokenFile, err))
	}
	data, err := os.Open(dataFile)
	if err != nil {
		return unreadable(err)
	}
	defer data.Close()
	res, err := verify.VerifyToken(der, data, verify.TokenOptions{Roots: roots, Certs: certs})
	if err != nil {
		return unreadable(fmt.Errorf("%s: %w", tokenFile, err))
	}
	rep := &tokenReport{Version: verify.ReportVersion, Result: res.Status, File: tokenFile, Data: dataFile,
		Timestamps: []verify.Timestamp{res.Timestamp}, Checks: res.Checks}
	return finish(cmd, res.Status, rep, common.json, func(w io.Writer) {
		fmt.Fprintf(w, "%s  %s over %s\n\n", res.Status, safe(tokenFile), safe(dataFile))
		ts := res.Timestamp
		if !ts.Time.IsZero() {
			fmt.Fprintf(w, "  timestamp   %s by %s, %s\n", ts.Time.UTC().Format("2006-01-02 15:04:05 UTC"), safe(ts.TSA), trustWord(ts.Trusted, lang.English.Label))
			fmt.Fprintf(w, "  imprint     %s, policy %s, serial %s\n\n", ts.Hash, ts.Policy, ts.Serial)
		}
		printChecks(w, res.Checks)
	})
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return data, nil
}

// derLargerThan reports whether path holds one DER SEQUENCE, as every
// token does, larger than limit bytes, and its size: a token, perhaps,
// that this verifier will not parse (bundle-format.md §1.6). Any other
// large file is not a token.
func derLargerThan(path string, limit int64) (size int64, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || info.Size() <= limit {
		return 0, false
	}
	var head [6]byte
	if _, err := io.ReadFull(f, head[:]); err != nil || head[0] != 0x30 {
		return 0, false
	}
	n := int(head[1] &^ 0x80) // long-form length: n bytes follow
	if head[1] < 0x80 || n == 0 || n > 4 {
		return 0, false
	}
	var length int64
	for _, b := range head[2 : 2+n] {
		length = length<<8 | int64(b)
	}
	return info.Size(), 2+int64(n)+length == info.Size()
}

// tooLargeToken reports a token larger than this verifier reads:
// INDETERMINATE, a limit of the reader that proves nothing of the token.
func tooLargeToken(cmd *cobra.Command, tokenFile, dataFile string, size int64, asJSON bool) error {
	c := verify.Check{Name: verify.CheckTokenFormat, Status: verify.Indeterminate, Sub: verify.FormatNotImplemented,
		Detail: fmt.Sprintf("%s is %d bytes, more than the %d this verifier reads of a token: not checked", tokenFile, size, verify.MaxTokenSize)}
	rep := &tokenReport{Version: verify.ReportVersion, Result: verify.Indeterminate, File: tokenFile, Data: dataFile,
		Timestamps: []verify.Timestamp{}, Checks: []verify.Check{c}}
	return finish(cmd, rep.Result, rep, asJSON, func(w io.Writer) {
		fmt.Fprintf(w, "%s  %s over %s\n\n", rep.Result, safe(tokenFile), safe(dataFile))
		printChecks(w, rep.Checks)
	})
}
