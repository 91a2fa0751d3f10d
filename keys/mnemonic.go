package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"fmt"
	"strings"

	"github.com/custody-toolkit/custody/keys/internal/bip39"
)

// MnemonicEnv names the environment variable `custody keygen --restore`
// reads the words from, when set, instead of standard input.
const MnemonicEnv = "CUSTODY_MNEMONIC"

// mnemonicWords is the length of a mnemonic: 32 bytes of secret and an
// 8-bit checksum are 24 words of 11 bits.
const mnemonicWords = 24

// Mnemonic returns a paper backup of key from which KeyFromMnemonic
// rebuilds the same key: the algorithm's name followed by 24 BIP-39
// English words, such as "ecdsa-p256 abandon … art". The words are the key,
// unencrypted.
//
// The words carry the key's 32 secret bytes (BIP-39 entropy encoding): the
// seed of an Ed25519 key, or the private scalar of an ECDSA P-256 key, big
// endian. They are not a BIP-39 wallet seed: a cryptocurrency wallet would
// derive other keys from them. The name comes first because the same words
// make a different key under each algorithm.
func Mnemonic(key crypto.Signer) (string, error) {
	algorithm, secret, err := mnemonicSecret(key)
	if err != nil {
		return "", err
	}
	words, err := bip39.Encode(secret)
	if err != nil {
		return "", err
	}
	return algorithm + " " + words, nil
}

func mnemonicSecret(key crypto.Signer) (algorithm string, secret []byte, err error) {
	switch k := key.(type) {
	case ed25519.PrivateKey:
		return Ed25519, k.Seed(), nil
	case *ecdsa.PrivateKey:
		if k.Curve == elliptic.P256() {
			secret, err := k.Bytes()
			return ECDSAP256, secret, err
		}
		return "", nil, fmt.Errorf("a mnemonic can only encode an Ed25519 or ECDSA P-256 key, not ECDSA %s", k.Curve.Params().Name)
	}
	return "", nil, fmt.Errorf("a mnemonic can only encode an Ed25519 or ECDSA P-256 key, not %T", key)
}

// KeyFromMnemonic rebuilds the key whose Mnemonic is words: the algorithm's
// name and 24 words, separated by white space, in any letter case.
//
// algorithm is "" to take the algorithm from the words. Words without the
// name (custody wrote them so for Ed25519 keys before ECDSA P-256 became
// the default) need it given. When both are given they must agree:
// restoring under another algorithm would silently make another key.
// Errors never quote a word, which is secret.
func KeyFromMnemonic(words, algorithm string) (crypto.Signer, error) {
	fields := strings.Fields(words)
	named := ""
	if len(fields) > 0 && isAlgorithm(strings.ToLower(fields[0])) {
		named, fields = strings.ToLower(fields[0]), fields[1:]
	}
	switch {
	case algorithm != "" && !isAlgorithm(algorithm):
		return nil, fmt.Errorf("mnemonic: unknown key algorithm %q (want %q or %q)", algorithm, ECDSAP256, Ed25519)
	case named != "" && algorithm != "" && named != algorithm:
		return nil, fmt.Errorf("mnemonic: the words are for an %s key, not %s (the same words make a different key under each algorithm)", named, algorithm)
	case len(fields) == mnemonicWords+1 && named == "":
		return nil, fmt.Errorf("mnemonic: %d words: the first should name the algorithm (%s or %s)", len(fields), ECDSAP256, Ed25519)
	case len(fields) != mnemonicWords:
		return nil, fmt.Errorf("mnemonic: %d words, want %d", len(fields), mnemonicWords)
	case named == "" && algorithm == "":
		return nil, fmt.Errorf("mnemonic: the words do not name their key algorithm, and the same words make a different key "+
			"under each: give it (custody keygen --restore --algorithm %s for words written by custody before %s became the default)", Ed25519, ECDSAP256)
	}
	if algorithm == "" {
		algorithm = named
	}
	secret, err := bip39.Decode(strings.Join(fields, " "))
	if err != nil {
		return nil, fmt.Errorf("mnemonic: %w", err)
	}
	if algorithm == Ed25519 {
		return ed25519.NewKeyFromSeed(secret), nil
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), secret)
	if err != nil {
		// Only 0 and numbers from the group order up are refused: about
		// one value in 2^32, which a random wrong word does not hit.
		return nil, fmt.Errorf("mnemonic: the words do not encode an ECDSA P-256 private key (the number they hold is 0 or not below the curve order)")
	}
	return key, nil
}

func isAlgorithm(name string) bool { return name == Ed25519 || name == ECDSAP256 }
