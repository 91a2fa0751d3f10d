package main

import (
	"runtime/debug"
	"strings"

	"github.com/custody-toolkit/custody/keys"
)

const pkcs11ModuleUsage = "the PKCS#11 module (the card's or HSM's library) for a --key pkcs11: URI without module-path"

// loadSigner opens --key: a key file, a PKCS#12 file or a pkcs11: URI.
// The passphrase (a token's PIN for a URI without one) comes from
// CUSTODY_PASSPHRASE or the terminal. What the unlock used (a key file's
// scrypt, 32 MiB: keys' scryptmem) is garbage once done, and is returned
// to the system before the command adds its own memory: commands load the
// key first, and on top of an import's or a verification's it peaked over
// 100 MB.
func loadSigner(key, pkcs11Module string, insecurePerms bool) (*keys.Signer, error) {
	prompt := "Passphrase for " + key + ": "
	if strings.HasPrefix(key, "pkcs11:") {
		prompt = "PIN for " + keys.RedactURI(key) + ": "
	}
	signer, err := keys.Load(key, keys.LoadOptions{
		Passphrase:          keys.PassphraseFromEnvOrTerminal(prompt, false),
		InsecurePermissions: insecurePerms,
		PKCS11Module:        pkcs11Module,
	})
	debug.FreeOSMemory()
	return signer, err
}
