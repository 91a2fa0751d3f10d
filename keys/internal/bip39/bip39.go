// Package bip39 converts entropy to and from a BIP-39 English mnemonic
// sentence: the words of the official list, each carrying 11 bits of the
// entropy followed by a checksum (the first ENT/32 bits of its SHA-256).
//
// Only the entropy encoding is implemented; the BIP-39 "seed" derivation
// (PBKDF2 with a passphrase) is not, because custody stores its key seed
// in the words directly.
package bip39

import (
	"crypto/sha256"
	_ "embed"
	"errors"
	"fmt"
	"strings"
)

//go:embed english.txt
var englishTxt string

// words is the official English list, in its order: a word's index is its
// 11-bit value.
var words = strings.Split(strings.TrimSuffix(englishTxt, "\n"), "\n")

var wordIndex = func() map[string]int {
	m := make(map[string]int, len(words))
	for i, w := range words {
		m[w] = i
	}
	return m
}()

const bitsPerWord = 11

// Encode returns the mnemonic of entropy, which must be 16, 20, 24, 28 or
// 32 bytes long (12 to 24 words).
func Encode(entropy []byte) (string, error) {
	if n := len(entropy); n < 16 || n > 32 || n%4 != 0 {
		return "", fmt.Errorf("bip39: entropy of %d bytes (want 16, 20, 24, 28 or 32)", n)
	}
	// The checksum is at most 8 bits: one byte of SHA-256 follows the entropy.
	sum := sha256.Sum256(entropy)
	data := append(append([]byte(nil), entropy...), sum[0])
	nWords := (len(entropy)*8 + len(entropy)/4) / bitsPerWord
	out := make([]string, nWords)
	for i := range out {
		v := 0
		for b := i * bitsPerWord; b < (i+1)*bitsPerWord; b++ {
			v = v<<1 | int(data[b/8]>>(7-b%8)&1)
		}
		out[i] = words[v]
	}
	return strings.Join(out, " "), nil
}

// Decode returns the entropy encoded by mnemonic: 12, 15, 18, 21 or 24
// words separated by white space, in any letter case. Errors name the
// position of a bad word but never the word, which is secret.
func Decode(mnemonic string) ([]byte, error) {
	fields := strings.Fields(mnemonic)
	n := len(fields)
	if n < 12 || n > 24 || n%3 != 0 {
		return nil, fmt.Errorf("bip39: %d words (want 12, 15, 18, 21 or 24)", n)
	}
	totalBits := n * bitsPerWord
	checksumBits := totalBits / 33
	data := make([]byte, (totalBits+7)/8)
	for i, f := range fields {
		v, ok := wordIndex[strings.ToLower(f)]
		if !ok {
			return nil, fmt.Errorf("bip39: word %d is not in the BIP-39 English list", i+1)
		}
		for j := 0; j < bitsPerWord; j++ {
			if v>>(bitsPerWord-1-j)&1 == 1 {
				b := i*bitsPerWord + j
				data[b/8] |= 0x80 >> (b % 8)
			}
		}
	}
	entropy := data[:(totalBits-checksumBits)/8]
	sum := sha256.Sum256(entropy)
	mask := byte(0xff) << (8 - checksumBits)
	if data[len(entropy)]&mask != sum[0]&mask {
		return nil, errors.New("bip39: checksum mismatch: a word is wrong or out of order")
	}
	return entropy, nil
}
