package keys

import (
	"strings"
	"testing"
)

// A key URI is not looked for as a file: without an Opener (custody-verify
// --record) it is refused with what would open it.
func TestLoadKeyURIWithoutOpener(t *testing.T) {
	for uri, want := range map[string]string{
		"pkcs11:token=card;object=k?pin-value=1234":                          "PKCS#11 keys (smart cards, HSMs) are not available in this program",
		"awskms:///arn:aws:kms:eu-west-1:1:key/x":                            "KMS keys are not available in this program; custody opens them",
		"gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k/versions/1": "KMS keys are not available in this program; custody opens them",
		"hashivault://doctor":                                                "KMS keys are not available in this program; custody opens them",
		"azurekms://vault.vault.azure.net/doctor":                            "KMS keys are not available in this program; custody opens them",
	} {
		_, err := Load(uri, LoadOptions{})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load(%q) = %v, want %q", uri, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "1234") {
			t.Errorf("Load(%q): the PIN is in the error: %v", uri, err)
		}
	}
}
