package kms_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/internal/testbundle"
)

// awsKey is a key the fake AWS KMS holds: the signing algorithms
// DescribeKey lists, and whether it signs with RSA-PSS whatever it
// lists (a service answering otherwise than it described itself).
type awsKey struct {
	key        crypto.Signer
	algorithms []string
	signsPSS   bool
}

// fakeAWSKMS is AWS KMS's JSON API (X-Amz-Target TrentService.*) as far
// as sigstore's provider uses it: GetPublicKey, DescribeKey and Sign of a
// digest, for keys it holds by alias, over HTTPS with a certificate the
// SDK trusts through AWS_CA_BUNDLE. It checks that requests are signed
// (SigV4) with the fake access key. It returns the awskms:// host part.
func fakeAWSKMS(t *testing.T, held map[string]awsKey) string {
	t.Helper()
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Authorization"), "Credential=AKIDCUSTODYTEST/") {
			http.Error(w, `{"__type":"AccessDeniedException"}`, http.StatusBadRequest)
			return
		}
		var req struct {
			KeyId, SigningAlgorithm, MessageType string
			Message                              []byte
		}
		json.NewDecoder(r.Body).Decode(&req)
		k, ok := held[req.KeyId]
		if !ok {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"NotFoundException","message":"Alias is not found."}`))
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService.") {
		case "GetPublicKey":
			der, _ := x509.MarshalPKIXPublicKey(k.key.Public())
			json.NewEncoder(w).Encode(map[string]any{"KeyId": req.KeyId, "PublicKey": der, "KeyUsage": "SIGN_VERIFY", "SigningAlgorithms": k.algorithms})
		case "DescribeKey":
			json.NewEncoder(w).Encode(map[string]any{"KeyMetadata": map[string]any{"KeyId": req.KeyId, "KeyUsage": "SIGN_VERIFY", "SigningAlgorithms": k.algorithms}})
		case "Sign":
			if req.MessageType != "DIGEST" || req.SigningAlgorithm != k.algorithms[0] {
				http.Error(w, `{"__type":"ValidationException"}`, http.StatusBadRequest)
				return
			}
			var opts crypto.SignerOpts = crypto.SHA256
			if k.signsPSS {
				opts = &rsa.PSSOptions{Hash: crypto.SHA256}
			}
			sig, _ := k.key.Sign(rand.Reader, req.Message, opts)
			json.NewEncoder(w).Encode(map[string]any{"KeyId": req.KeyId, "Signature": sig, "SigningAlgorithm": req.SigningAlgorithm})
		default:
			http.Error(w, `{"__type":"UnsupportedOperationException"}`, http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_CA_BUNDLE": ca, "AWS_ACCESS_KEY_ID": "AKIDCUSTODYTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-south-2",
		"AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_SESSION_TOKEN": "",
	} {
		t.Setenv(k, v)
	}
	return strings.TrimPrefix(srv.URL, "https://")
}

// TestAWSKMS: AWS KMS keys (ECDSA P-256, RSA-2048 listing PKCS#1 v1.5
// first) seal bundles that verify PASSED through --key
// awskms://HOST/alias/NAME. An RSA key listing PSS first is refused when
// it is opened, naming the algorithm; a service that signs otherwise
// than it described is refused at the signature, before the bundle is
// written; an alias the service does not hold is refused when opened.
func TestAWSKMS(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	host := fakeAWSKMS(t, map[string]awsKey{
		"alias/doctor-ec":  {key: p256, algorithms: []string{"ECDSA_SHA_256"}},
		"alias/doctor-rsa": {key: rsa2048, algorithms: []string{"RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PSS_SHA_256"}},
		"alias/pss-first":  {key: rsa2048, algorithms: []string{"RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_256"}},
		"alias/liar":       {key: rsa2048, algorithms: []string{"RSASSA_PKCS1_V1_5_SHA_256"}, signsPSS: true},
	})
	fx := testbundle.New(t, "ed25519")
	uri := func(alias string) string { return "awskms://" + host + "/alias/" + alias }
	sealsAndVerifies(t, fx, uri("doctor-ec"), p256.Public())
	sealsAndVerifies(t, fx, uri("doctor-rsa"), rsa2048.Public())
	refusedWhenOpened(t, uri("pss-first"), "RSASSA_PSS_SHA_256")
	refusedAtSignature(t, fx, uri("liar"), "does not verify as RSASSA-PKCS1-v1_5")
	refusedWhenOpened(t, uri("absent"), "alias/absent")
}
