package custodylog

import (
	"crypto"
	"crypto/ecdsa"
	"encoding/asn1"
	"errors"
	"math/big"
)

// An ECDSA signature (r, s) has a twin anyone can compute, (r, n−s), that
// verifies as well: without a commitment to the signature's bytes (the
// next event's prev_sig, or the event's own token), its .sig could change
// unseen. An event signed with an ECDSA key therefore declares low_s, and
// its signature is the twin whose s is at most n/2 (as Bitcoin's BIP 62
// and Ethereum require): the one value its .sig can have. Ed25519
// signatures have no twin (RFC 8032 §5.1.7 requires S < L, as Go checks).

// ecdsaSig is the DER ECDSA-Sig-Value (RFC 3279 §2.2.3).
type ecdsaSig struct{ R, S *big.Int }

// LowS returns sig with s replaced by n−s when s > n/2: the form a writer
// stores (package logwriter normalises every ECDSA event signature).
func LowS(pub *ecdsa.PublicKey, sig []byte) ([]byte, error) {
	var v ecdsaSig
	if rest, err := asn1.Unmarshal(sig, &v); err != nil || len(rest) != 0 {
		return nil, errors.New("the ECDSA signature is not one DER ECDSA-Sig-Value")
	}
	n := pub.Curve.Params().N
	if v.S.Cmp(new(big.Int).Rsh(n, 1)) <= 0 {
		return sig, nil
	}
	v.S.Sub(n, v.S)
	return asn1.Marshal(v)
}

// IsLowS reports whether sig, an ECDSA signature by pub, has s ≤ n/2; it
// is false for a signature that does not parse or a key that is not ECDSA.
func IsLowS(pub crypto.PublicKey, sig []byte) bool {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok {
		return false
	}
	low, err := LowS(k, sig)
	return err == nil && string(low) == string(sig)
}
