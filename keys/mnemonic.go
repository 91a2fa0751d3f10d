package keys

import (
	"crypto"
	"crypto/ed25519"
	"fmt"
	"strings"

	"github.com/custody-toolkit/custody/keys/internal/bip39"
)

// MnemonicEnv names the environment variable `custody keygen --restore`
// reads the words from, when set, instead of standard input.
const MnemonicEnv = "CUSTODY_MNEMONIC"

// mnemonicWords is the length of a mnemonic: 32 bytes of seed and an 8-bit
// checksum are 24 words of 11 bits.
const mnemonicWords = 24

// Mnemonic returns the 24 BIP-39 English words that encode the 32-byte seed
// of an Ed25519 key: a paper backup from which KeyFromMnemonic rebuilds the
// same key. The words are the key, unencrypted.
//
// The words carry the seed itself (BIP-39 entropy encoding), not a BIP-39
// wallet seed: a cryptocurrency wallet would derive other keys from them.
func Mnemonic(key crypto.Signer) (string, error) {
	k, ok := key.(ed25519.PrivateKey)
	if !ok {
		return "", fmt.Errorf("a mnemonic can only encode an Ed25519 key, not %T", key)
	}
	return bip39.Encode(k.Seed())
}

// KeyFromMnemonic rebuilds the Ed25519 key whose Mnemonic is words (24
// words separated by white space, any letter case).
func KeyFromMnemonic(words string) (crypto.Signer, error) {
	if n := len(strings.Fields(words)); n != mnemonicWords {
		return nil, fmt.Errorf("mnemonic: %d words, want %d", n, mnemonicWords)
	}
	seed, err := bip39.Decode(words)
	if err != nil {
		return nil, fmt.Errorf("mnemonic: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}
