package manifest

import (
	"crypto/sha256"
	"encoding/hex"
)

// ChainAlgorithm names the message hash chain of format v1.
const ChainAlgorithm = "custody-chain-sha256/v1"

// chainDomain separates chain links from every other SHA-256 in a bundle.
const chainDomain = "custody-chain-v1\x00"

// ChainStart is the link before the first message: 32 zero bytes.
var ChainStart [32]byte

// NextLink returns SHA-256("custody-chain-v1" 0x00 || prev || entryDigest),
// where entryDigest is the SHA-256 of a message entry's bytes. Each link
// commits to every message before it, in order.
func NextLink(prev, entryDigest [32]byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(chainDomain))
	h.Write(prev[:])
	h.Write(entryDigest[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// ParseDigest decodes a lowercase hex SHA-256.
func ParseDigest(s string) ([32]byte, bool) {
	var d [32]byte
	if !isHex(s, 64) {
		return d, false
	}
	hex.Decode(d[:], []byte(s))
	return d, true
}
