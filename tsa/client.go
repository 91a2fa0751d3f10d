package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/digitorus/timestamp"

	"github.com/custody-toolkit/custody/internal/tokencheck"
	"github.com/custody-toolkit/custody/internal/verdict"
	"github.com/custody-toolkit/custody/tsa/internal/rfc3161"
)

// DefaultTimeout bounds a whole exchange with a TSA when Client.Timeout is
// zero.
const DefaultTimeout = 30 * time.Second

// A Client obtains time-stamp tokens from an RFC 3161 server over HTTP.
type Client struct {
	URL        string        // the TSA's URL, e.g. http://127.0.0.1:3161/
	HTTPClient *http.Client  // nil: http.DefaultClient
	Timeout    time.Duration // the whole exchange; zero: DefaultTimeout
}

// A Request is one time-stamp request: the SHA-256 digest to stamp and the
// nonce that ties the answer to this request.
type Request struct {
	Digest [sha256.Size]byte
	Nonce  *big.Int // 128 random bits
}

// NewRequest returns a request over SHA-256(data) with a fresh nonce.
func NewRequest(data []byte) (*Request, error) {
	n := make([]byte, 16)
	if _, err := rand.Read(n); err != nil {
		return nil, err
	}
	return &Request{Digest: sha256.Sum256(data), Nonce: new(big.Int).SetBytes(n)}, nil
}

// A Stamp is a TSA's answer to one request, read and checked once
// (Client.Do): what a caller stores or embeds, without parsing it again.
type Stamp struct {
	Response []byte // the TimeStampResp, DER, as received (what a bundle stores)
	Token    []byte // the TimeStampToken inside it (what a CMS signature embeds)
	Time     time.Time
	// SignerCert is the TSA's certificate the token's signature was
	// checked with.
	SignerCert *x509.Certificate
}

// Timestamp asks the TSA to stamp SHA-256(data) and returns its
// TimeStampResp, DER, as received. Use Stamp for the token inside it, Do
// to keep the nonce.
func (c *Client) Timestamp(ctx context.Context, data []byte) (resp []byte, err error) {
	st, err := c.Stamp(ctx, data)
	if err != nil {
		return nil, err
	}
	return st.Response, nil
}

// Stamp asks the TSA to stamp SHA-256(data) and returns its answer,
// checked (Do).
func (c *Client) Stamp(ctx context.Context, data []byte) (*Stamp, error) {
	r, err := NewRequest(data)
	if err != nil {
		return nil, err
	}
	return c.Do(ctx, r)
}

// Do sends r (with certReq set) and returns the TSA's answer once it is
// checked (check): status granted, a token whose CMS signature holds
// against the embedded TSA certificate, the nonce of r, and the imprint
// SHA-256 r.Digest. Errors name the TSA's URL.
func (c *Client) Do(ctx context.Context, r *Request) (*Stamp, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("tsa: invalid TSA URL %q (want http:// or https://)", c.URL)
	}
	name := u.Redacted()
	if r.Nonce == nil || r.Nonce.Sign() <= 0 {
		// Without a nonce a replayed answer would pass (RFC 3161 §2.4.1).
		return nil, fmt.Errorf("tsa %s: the request has no nonce; make it with NewRequest", name)
	}
	resp, err := c.exchange(ctx, u.String(), r)
	if err != nil {
		return nil, fmt.Errorf("tsa %s: %w", name, err)
	}
	st, err := check(resp, r)
	if err != nil {
		return nil, fmt.Errorf("tsa %s: %w", name, err)
	}
	return st, nil
}

func (c *Client) exchange(ctx context.Context, u string, r *Request) ([]byte, error) {
	query, err := (&timestamp.Request{
		HashAlgorithm: crypto.SHA256,
		HashedMessage: r.Digest[:],
		Certificates:  true,
		Nonce:         r.Nonce,
	}).Marshal()
	if err != nil {
		return nil, err
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errTooSlow{timeout})
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(query))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", QueryType)
	req.Header.Set("Accept", ReplyType)
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, explain(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	// Some older servers say timestamp-response (RFC 3161 draft).
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != ReplyType && mt != "application/timestamp-response" {
		return nil, fmt.Errorf("answer has Content-Type %q, want %s", resp.Header.Get("Content-Type"), ReplyType)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseSize+1))
	if err != nil {
		return nil, explain(ctx, err)
	}
	if len(body) > maxResponseSize {
		return nil, fmt.Errorf("answer larger than %d bytes", maxResponseSize)
	}
	return body, nil
}

type errTooSlow struct{ d time.Duration }

func (e errTooSlow) Error() string { return fmt.Sprintf("no answer within %v", e.d) }

// explain words a transport error; one caused by the timeout is replaced
// by the timeout itself, which says more.
func explain(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		if _, ok := cause.(errTooSlow); ok {
			return cause
		}
	}
	if ue, ok := errors.AsType[*url.Error](err); ok {
		// url.Error repeats the method and URL, which Do already names.
		err = ue.Err
	}
	return fmt.Errorf("cannot reach the TSA: %w", err)
}

// check verifies a TimeStampResp against the request it answers, with
// the verifier's own token checks (tokencheck.VerifyDigest), so that the
// exporter accepts every token custody-verify accepts: any TSA whose
// answer has no FAILED check (certificates in any order or repeated, keys
// restricted to RSASSA-PSS, ESSCertID v1 or v2) and whose signature could
// be checked; trust in the TSA is the verifier's business (--trust).
func check(der []byte, r *Request) (*Stamp, error) {
	var resp rfc3161.TimeStampResp
	rest, err := asn1.Unmarshal(der, &resp)
	if err != nil {
		// The asn1 error is noise to a user; the size hints at what came.
		return nil, fmt.Errorf("answer is not a DER TimeStampResp (%d bytes)", len(der))
	}
	if len(rest) > 0 {
		return nil, errors.New("answer has trailing data after the TimeStampResp")
	}
	if s := timestamp.Status(resp.Status.Status); s != timestamp.Granted && s != timestamp.GrantedWithMods {
		return nil, fmt.Errorf("request refused: %s", resp.Status.Describe())
	}
	if len(resp.TimeStampToken.FullBytes) == 0 {
		return nil, errors.New("answer granted but carries no token")
	}
	res, err := tokencheck.VerifyDigest(der, crypto.SHA256, r.Digest[:], tokencheck.Options{Nonce: r.Nonce})
	if err != nil {
		return nil, fmt.Errorf("invalid token: %w", err)
	}
	if err := verdict.FirstFailed(res.Checks); err != nil {
		return nil, fmt.Errorf("invalid token: %w", err)
	}
	if res.SignerCert == nil {
		return nil, errors.New("token carries no certificate of its signer although certReq was set (RFC 3161 §2.4.1)")
	}
	// What a verifier would call INDETERMINATE whatever its trust anchors
	// (a signature it cannot check, a certificate that is not a TSA's to
	// RFC 3161) is refused here: the exporter seals no token that proves
	// no time.
	for _, c := range res.Checks {
		switch c.Name {
		case verdict.CheckTokenSignature, verdict.CheckTokenSigningCert, verdict.CheckTokenEKU:
			if c.Status != verdict.Passed {
				return nil, fmt.Errorf("invalid token: %s: %s", c.Name, c.Detail)
			}
		}
	}
	return &Stamp{Response: der, Token: resp.TimeStampToken.FullBytes, Time: res.Timestamp.Time, SignerCert: res.SignerCert}, nil
}
