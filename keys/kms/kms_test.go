package kms_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/keys"
	_ "github.com/custody-toolkit/custody/keys/kms"
	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

// fakeVault is Vault's transit engine as far as sigstore's client uses
// it: reading a key's public half (GET /v1/transit/keys/NAME) and signing
// a SHA-256 digest with it (PUT /v1/transit/sign/NAME/sha2-256, RSA with
// PKCS#1 v1.5), for the keys it holds by name. It checks the token.
func fakeVault(t *testing.T, token string, held map[string]crypto.Signer) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Vault-Token") != token {
			http.Error(w, `{"errors":["permission denied"]}`, http.StatusForbidden)
			return
		}
		var data map[string]any
		switch path := strings.TrimPrefix(r.URL.Path, "/v1/transit/"); {
		case strings.HasPrefix(path, "keys/") && held[strings.TrimPrefix(path, "keys/")] != nil:
			pub, _ := manifest.MarshalPublicKeyPEM(held[strings.TrimPrefix(path, "keys/")].Public())
			data = map[string]any{"latest_version": 1, "keys": map[string]any{"1": map[string]any{"public_key": string(pub), "name": "key"}}}
		case strings.HasPrefix(path, "sign/") && strings.HasSuffix(path, "/sha2-256"):
			key := held[strings.TrimSuffix(strings.TrimPrefix(path, "sign/"), "/sha2-256")]
			var req struct {
				Input              string `json:"input"`
				Prehashed          bool   `json:"prehashed"`
				SignatureAlgorithm string `json:"signature_algorithm"`
			}
			json.NewDecoder(r.Body).Decode(&req)
			digest, err := base64.StdEncoding.DecodeString(req.Input)
			if key == nil || err != nil || !req.Prehashed || req.SignatureAlgorithm != "pkcs1v15" {
				http.Error(w, `{"errors":["bad sign request"]}`, http.StatusBadRequest)
				return
			}
			sig, err := key.Sign(rand.Reader, digest, crypto.SHA256)
			if err != nil {
				http.Error(w, `{"errors":["sign"]}`, http.StatusInternalServerError)
				return
			}
			data = map[string]any{"signature": "vault:v1:" + base64.StdEncoding.EncodeToString(sig)}
		default:
			http.Error(w, `{"errors":[]}`, http.StatusNotFound)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"data": data})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHashivault: keys in Vault's transit engine (an ECDSA P-256 key, an
// RSA-2048 key) seal bundles that verify PASSED, through --key
// hashivault://NAME; a wrong token or a key Vault does not hold is
// refused when the key is opened, before anything is signed.
func TestHashivault(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	vault := fakeVault(t, "s.test-token", map[string]crypto.Signer{"doctor-ec": p256, "doctor-rsa": rsa2048})
	t.Setenv("VAULT_ADDR", vault.URL)
	t.Setenv("VAULT_TOKEN", "s.test-token")
	fx := testbundle.New(t, "ed25519")
	for name, alg := range map[string]*sigalg.Algorithm{"doctor-ec": sigalg.ECDSAP256SHA256, "doctor-rsa": sigalg.RSAPKCS1SHA256} {
		s, err := keys.Load("hashivault://"+name, keys.LoadOptions{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Algorithm() != alg {
			t.Fatalf("%s: algorithm %s, want %s", name, s.Algorithm().Name, alg.Name)
		}
		path := fx.ExportWith(t, testbundle.Sample(), custody.Options{Signer: s})
		rep, err := verify.BundleFile(path, verify.Options{Trust: fx.Roots, SignerKey: s.Public()})
		if err != nil || rep.Result != verify.Passed {
			t.Fatalf("%s: %v, %s: %+v", name, err, rep.Result, rep.Checks)
		}
	}
	if _, err := keys.Load("hashivault://absent", keys.LoadOptions{}); err == nil {
		t.Error("a key Vault does not hold: opened")
	}
	t.Setenv("VAULT_TOKEN", "s.wrong")
	if _, err := keys.Load("hashivault://doctor-ec", keys.LoadOptions{}); err == nil || !strings.Contains(err.Error(), "hashivault://doctor-ec") {
		t.Errorf("a wrong token: %v, want an error naming the key", err)
	}
}
