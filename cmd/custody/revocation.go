package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/ocsp"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/cms"
	"github.com/custody-toolkit/custody/manifest"
)

func init() { subcommands = append(subcommands, newRevocationCmd) }

func newRevocationCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "revocation",
		Short: "Revocation data (CRLs, OCSP responses) for a bundle's certificates",
	}
	cmd.AddCommand(newRevocationFetchCmd())
	return cmd
}

// maxRevocationDownload bounds one CRL or OCSP answer.
const maxRevocationDownload = 16 << 20

func newRevocationFetchCmd() *cobra.Command {
	var out string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "fetch case.custody --out DIR",
		Short: "Download CRLs and OCSP responses for the signer's and the TSAs' certificates (network)",
		Long: `Fetch reads the certificates of the bundle (the signer's chain, each
timestamp token's TSA certificate and the certificates it carries), asks the
OCSP responder and downloads the CRLs each names, and writes what it got to
DIR, one DER file each. Store them with custody renew --revocation (or
custody export --revocation): the verifier never goes online.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("revocation fetch: --out is required")
			}
			return runRevocationFetch(cmd, args[0], out, timeout)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the CRLs and OCSP responses to (created)")
	cmd.Flags().DurationVar(&timeout, "timeout", 30*time.Second, "give up on each server after this long")
	return cmd
}

func runRevocationFetch(cmd *cobra.Command, path, out string, timeout time.Duration) error {
	certs, err := bundleCertificates(path)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	client := &http.Client{Timeout: timeout}
	n := 0
	for _, c := range certs {
		issuer := issuerOf(c, certs)
		for _, got := range fetchRevocation(cmd.Context(), client, c, issuer) {
			if got.err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "custody: %s: %s: %v\n", c.Subject, got.url, got.err)
				continue
			}
			n++
			name := filepath.Join(out, fmt.Sprintf("%d.%s", n, got.kind))
			if err := os.WriteFile(name, got.der, 0o644); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s for %s (%s)\n", name, got.kind, c.Subject, got.url)
		}
	}
	if n == 0 {
		return fmt.Errorf("no revocation data could be fetched for the %d certificates of %s", len(certs), path)
	}
	return nil
}

// bundleCertificates are the signer's chain and every certificate the
// manifest tokens carry.
func bundleCertificates(path string) ([]*x509.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	b, err := manifest.OpenBundle(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var certs []*x509.Certificate
	if chain, err := b.ReadSmall(manifest.SignerChainName, manifest.MaxMetaEntrySize); err == nil {
		for rest := chain; ; {
			var block *pem.Block
			if block, rest = pem.Decode(rest); block == nil {
				break
			}
			if c, err := x509.ParseCertificate(block.Bytes); err == nil {
				certs = append(certs, c)
			}
		}
	}
	for i := 0; b.Has(manifest.TokenEntryName(i)); i++ {
		der, err := b.ReadSmall(manifest.TokenEntryName(i), manifest.MaxMetaEntrySize)
		if err != nil {
			return nil, err
		}
		certs = append(certs, tokenCertificates(der)...)
	}
	return certs, nil
}

func tokenCertificates(resp []byte) []*x509.Certificate {
	var certs []*x509.Certificate
	for _, raw := range cms.ResponseCertificates(resp) {
		if c, err := x509.ParseCertificate(raw); err == nil {
			certs = append(certs, c)
		}
	}
	return certs
}

func issuerOf(c *x509.Certificate, certs []*x509.Certificate) *x509.Certificate {
	for _, i := range certs {
		if bytes.Equal(i.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(i) == nil {
			return i
		}
	}
	return nil
}

type fetched struct {
	url, kind string
	der       []byte
	err       error
}

// fetchRevocation asks c's OCSP responders (when its issuer is known)
// and downloads its CRLs.
func fetchRevocation(ctx context.Context, client *http.Client, c, issuer *x509.Certificate) []fetched {
	var out []fetched
	if issuer != nil && !bytes.Equal(c.Raw, issuer.Raw) {
		req, err := ocsp.CreateRequest(c, issuer, nil)
		for _, url := range c.OCSPServer {
			got := fetched{url: url, kind: custodylog.RevocationOCSP, err: err}
			if err == nil {
				got.der, got.err = httpFetch(ctx, client, http.MethodPost, url, req)
			}
			if got.err == nil {
				_, got.err = ocsp.ParseResponseForCert(got.der, c, issuer)
			}
			out = append(out, got)
		}
	}
	for _, url := range c.CRLDistributionPoints {
		got := fetched{url: url, kind: custodylog.RevocationCRL}
		if got.der, got.err = httpFetch(ctx, client, http.MethodGet, url, nil); got.err == nil {
			if block, _ := pem.Decode(got.der); block != nil {
				got.der = block.Bytes
			}
			_, got.err = x509.ParseRevocationList(got.der)
		}
		out = append(out, got)
	}
	return out
}

func httpFetch(ctx context.Context, client *http.Client, method, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/ocsp-request")
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxRevocationDownload+1))
	if err == nil && len(data) > maxRevocationDownload {
		err = fmt.Errorf("more than %d bytes", maxRevocationDownload)
	}
	return data, err
}

// readRevocationFiles reads CRLs and OCSP responses, DER or PEM, and
// tells them apart by parsing: what is stored is DER, and its kind is
// the one it parses as.
func readRevocationFiles(paths []string) ([]logwriter.Revocation, error) {
	var out []logwriter.Revocation
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if block, _ := pem.Decode(data); block != nil {
			data = block.Bytes
		}
		r, err := classifyRevocation(data)
		if err != nil {
			return nil, fmt.Errorf("--revocation %s: %w", p, err)
		}
		out = append(out, r)
	}
	if len(out) > custodylog.MaxRevocations {
		return nil, usagef("at most %d --revocation files", custodylog.MaxRevocations)
	}
	return out, nil
}

func classifyRevocation(der []byte) (logwriter.Revocation, error) {
	if crl, err := x509.ParseRevocationList(der); err == nil && bytes.Equal(crl.Raw, der) {
		return logwriter.Revocation{Kind: custodylog.RevocationCRL, DER: der}, nil
	}
	if _, err := ocsp.ParseResponse(der, nil); err == nil {
		return logwriter.Revocation{Kind: custodylog.RevocationOCSP, DER: der}, nil
	} else if _, isStatus := err.(ocsp.ResponseError); isStatus {
		return logwriter.Revocation{}, fmt.Errorf("an OCSP response without a status (%v): nothing to store", err)
	}
	return logwriter.Revocation{}, fmt.Errorf("neither a CRL (RFC 5280) nor an OCSP response (RFC 6960), DER or PEM")
}
