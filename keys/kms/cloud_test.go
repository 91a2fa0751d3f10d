package kms_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/keys/kms"
)

// TestCloudKMSOffline: Google Cloud KMS and Azure Key Vault without
// credentials (their fakes: gcp_test.go, azure_test.go). A URI the provider does not accept
// and a key opened without credentials are refused, naming the URI and
// within the open timeout (no test waits on a network).
func TestCloudKMSOffline(t *testing.T) {
	kms.SetOpenTimeout(t, 20*time.Second)
	// No credentials: Google's application default credentials point at
	// a file that is not there; Azure's environment credential names a
	// tenant whose login endpoint is a closed local port.
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "absent.json"))
	for k, v := range map[string]string{
		"AZURE_TENANT_ID": "00000000-0000-0000-0000-000000000000", "AZURE_CLIENT_ID": "custody-test",
		"AZURE_CLIENT_SECRET": "secret", "AZURE_AUTHORITY_HOST": "https://127.0.0.1:1/",
	} {
		t.Setenv(k, v)
	}
	for uri, want := range map[string]string{
		"gcpkms://projects/p/keyRings/r/cryptoKeys/k":                                  "kms specification should be in the format gcpkms://projects/",
		"azurekms://vault.vault.azure.net":                                             "kms specification should be in the format azurekms://",
		"gcpkms://projects/p/locations/eu/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1": "",
		"azurekms://127.0.0.1:1/doctor":                                                "",
	} {
		if testing.Short() && strings.HasPrefix(uri, "azurekms://127.") {
			continue // Azure's SDK retries its login for about 9 s before it gives up
		}
		start := time.Now()
		_, err := keys.Load(uri, keys.LoadOptions{})
		t.Logf("%s: %v (%s)", uri, err, time.Since(start))
		if err == nil || !strings.HasPrefix(err.Error(), uri+": ") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming the URI, with %q", uri, err, want)
		}
	}
}
