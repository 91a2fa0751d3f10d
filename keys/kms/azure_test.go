package kms_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/testbundle"
)

// TestMain makes the certificate of every httptest TLS server (one fixed
// certificate, for 127.0.0.1) the only root Go's TLS clients trust, for
// clients that take their roots from the system alone, as the Azure SDK
// does: SSL_CERT_FILE is read once, when the roots are first needed, so
// it is set before any test runs.
func TestMain(m *testing.M) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	roots := filepath.Join(os.TempDir(), fmt.Sprintf("custody-kms-test-roots-%d.pem", os.Getpid()))
	err := os.WriteFile(roots, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	srv.Close()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("SSL_CERT_FILE", roots)
	os.Unsetenv("SSL_CERT_DIR")
	code := m.Run()
	os.Remove(roots)
	os.Exit(code)
}

// azureKey is a key the fake Key Vault holds; signsPSS: it signs RSA
// with RSASSA-PSS (PS256) whatever it is asked (a service answering
// otherwise than its key says), forbidden: the caller may not use it.
type azureKey struct {
	key       crypto.Signer
	signsPSS  bool
	forbidden bool
}

// azureToken is the access token the fake managed identity endpoint
// issues and the fake Key Vault requires.
const azureToken = "custody-test-access-token"

// fakeAzureKeyVault is Azure Key Vault's REST API (keys: get, sign) as
// far as sigstore's provider uses it through the Azure SDK (azkeys), over
// HTTPS, with its challenge authentication: a request without the
// bearer token is answered 401 with a WWW-Authenticate challenge; the
// token comes from a fake App Service managed identity endpoint
// (IDENTITY_ENDPOINT, IDENTITY_HEADER), the credential the SDK's default
// chain is told to use (AZURE_TOKEN_CREDENTIALS). Errors are the
// service's JSON ({"error":{"code","message"}}). It returns the
// azurekms:// host part.
func fakeAzureKeyVault(t *testing.T, held map[string]azureKey) string {
	t.Helper()
	identity := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-IDENTITY-HEADER") != "custody-test-identity" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		expires := time.Now().Add(time.Hour).Unix()
		json.NewEncoder(w).Encode(map[string]string{
			"access_token": azureToken, "token_type": "Bearer", "resource": r.URL.Query().Get("resource"),
			"expires_on": strconv.FormatInt(expires, 10), "expires_in": "3600",
		})
	}))
	t.Cleanup(identity.Close)
	vault := httptest.NewTLSServer(nil)
	port := vault.Listener.Addr().String()
	port = port[strings.LastIndexByte(port, ':')+1:]
	vault.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+azureToken {
			// The SDK checks that the challenge's resource is a parent
			// domain of the vault's host: "0.1:PORT" is one of
			// 127.0.0.1:PORT's.
			w.Header().Set("WWW-Authenticate", `Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://0.1:`+port+`"`)
			azureError(w, http.StatusUnauthorized, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.")
			return
		}
		serveAzureKey(w, r, held)
	})
	t.Cleanup(vault.Close)
	for k, v := range map[string]string{
		"AZURE_TOKEN_CREDENTIALS": "ManagedIdentityCredential", "IDENTITY_ENDPOINT": identity.URL + "/msi/token",
		"IDENTITY_HEADER": "custody-test-identity",
	} {
		t.Setenv(k, v)
	}
	for _, k := range []string{"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "IMDS_ENDPOINT"} {
		t.Setenv(k, "") // restored after t
		os.Unsetenv(k)  // a system-assigned identity: no client ID, even empty
	}
	return strings.TrimPrefix(vault.URL, "https://")
}

// serveAzureKey answers GET /keys/NAME[/VERSION] and POST
// /keys/NAME/VERSION/sign for the keys held.
func serveAzureKey(w http.ResponseWriter, r *http.Request, held map[string]azureKey) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "keys" {
		azureError(w, http.StatusBadRequest, "BadParameter", "unsupported request "+r.URL.Path)
		return
	}
	k, ok := held[parts[1]]
	switch {
	case !ok:
		azureError(w, http.StatusNotFound, "KeyNotFound", fmt.Sprintf("A key with (name/id) %s was not found in this key vault.", parts[1]))
		return
	case k.forbidden:
		azureError(w, http.StatusForbidden, "Forbidden", "The user, group or application does not have keys get permission on key vault; see https://go.microsoft.com/fwlink/?linkid=2125287")
		return
	}
	kid := "https://" + r.Host + "/keys/" + parts[1] + "/1"
	if r.Method == http.MethodPost && parts[len(parts)-1] == "sign" {
		var req struct{ Alg, Value string }
		json.NewDecoder(r.Body).Decode(&req)
		digest, err := base64.RawURLEncoding.DecodeString(req.Value)
		sig, signErr := azureSign(k, req.Alg, digest)
		if err != nil || signErr != nil {
			azureError(w, http.StatusBadRequest, "BadParameter", fmt.Sprintf("%v%v", err, signErr))
			return
		}
		json.NewEncoder(w).Encode(map[string]string{"kid": kid, "value": base64.RawURLEncoding.EncodeToString(sig)})
		return
	}
	jwk := map[string]any{"kid": kid, "key_ops": []string{"sign", "verify"}}
	b64 := base64.RawURLEncoding.EncodeToString
	switch pub := k.key.Public().(type) {
	case *ecdsa.PublicKey:
		point, _ := pub.Bytes() // 0x04 ‖ x ‖ y
		jwk["kty"], jwk["crv"], jwk["x"], jwk["y"] = "EC", "P-256", b64(point[1:33]), b64(point[33:])
	case *rsa.PublicKey:
		jwk["kty"], jwk["n"], jwk["e"] = "RSA", b64(pub.N.Bytes()), b64(big.NewInt(int64(pub.E)).Bytes())
	}
	json.NewEncoder(w).Encode(map[string]any{"key": jwk, "attributes": map[string]any{"enabled": true}})
}

// azureSign signs digest as Key Vault does: ES256 as the 64 bytes r||s
// (JWS), RS256 PKCS#1 v1.5 (PSS when the key lies); an algorithm that
// does not fit the key is refused, as the service refuses it.
func azureSign(k azureKey, alg string, digest []byte) ([]byte, error) {
	switch pub := k.key.Public().(type) {
	case *ecdsa.PublicKey:
		if alg != "ES256" || len(digest) != sha256.Size {
			return nil, fmt.Errorf("algorithm %s does not fit a P-256 key and a %d-byte digest", alg, len(digest))
		}
		r, s, err := ecdsa.Sign(rand.Reader, k.key.(*ecdsa.PrivateKey), digest)
		if err != nil {
			return nil, err
		}
		return append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...), nil
	case *rsa.PublicKey:
		if alg != "RS256" || len(digest) != sha256.Size {
			return nil, fmt.Errorf("algorithm %s with a %d-byte digest: this fake signs RS256 only (an RSA-%d key)", alg, len(digest), pub.Size()*8)
		}
		var opts crypto.SignerOpts = crypto.SHA256
		if k.signsPSS {
			opts = &rsa.PSSOptions{Hash: crypto.SHA256}
		}
		return k.key.Sign(rand.Reader, digest, opts)
	}
	return nil, fmt.Errorf("unsupported key")
}

func azureError(w http.ResponseWriter, code int, errCode, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": errCode, "message": msg}})
}

// TestAzureKeyVault: Azure Key Vault keys (EC P-256, RSA-2048; named
// with and without a version) seal bundles that verify PASSED with the
// key the vault published, and their signatures verify against it. An
// RSA-3072 key (which the provider signs RS384) is refused when opened,
// naming the algorithm; a vault that signs otherwise than its key says is
// refused at the signature, before anything is written; a key the vault
// does not hold, or the caller may not use, is refused when opened,
// naming the service's error code.
func TestAzureKeyVault(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsa3072, _ := rsa.GenerateKey(rand.Reader, 3072)
	host := fakeAzureKeyVault(t, map[string]azureKey{
		"doctor-ec":  {key: p256},
		"doctor-rsa": {key: rsa2048},
		"rsa3072":    {key: rsa3072},
		"liar":       {key: rsa2048, signsPSS: true},
		"forbidden":  {key: p256, forbidden: true},
	})
	uri := func(name string) string { return "azurekms://" + host + "/" + name }
	fx := testbundle.New(t, "ed25519")
	sealsAndVerifies(t, fx, uri("doctor-ec"), p256.Public())
	sealsAndVerifies(t, fx, uri("doctor-rsa")+"/1", rsa2048.Public())
	refusedAtSignature(t, fx, uri("liar"), "does not verify as RSASSA-PKCS1-v1_5")
	refusedWhenOpened(t, uri("rsa3072"), "RS384")
	refusedWhenOpened(t, uri("absent"), "KeyNotFound")
	refusedWhenOpened(t, uri("forbidden"), "Forbidden")
}
