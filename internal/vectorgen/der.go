package main

// DER (X.690) element by element, with x/crypto's cryptobyte: the tokens
// of the vectors are built element by element so that each vector can break, or legitimately vary, one
// element of an RFC 3161 token and nothing else. No library writes a
// token with an ESSCertID v1, a duplicated certificate or an omitted TSA
// name on request, and the one the TSA uses (digitorus/timestamp) draws a
// random serial number and signing time, which reproducible vectors cannot
// have.

import (
	"bytes"
	"encoding/asn1"
	"math/big"
	"sort"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// DER tags used below.
const (
	tagInteger     = 0x02
	tagBitString   = 0x03
	tagOctetString = 0x04
	tagNull        = 0x05
	tagOID         = 0x06
	tagUTF8        = 0x0c
	tagGenTime     = 0x18
	tagSequence    = 0x30
	tagSet         = 0x31
)

// tlv encodes one element with a definite, minimal length.
func tlv(tag byte, content ...[]byte) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.Tag(tag), func(c *cryptobyte.Builder) {
		for _, x := range content {
			c.AddBytes(x)
		}
	})
	return b.BytesOrPanic()
}

func seq(content ...[]byte) []byte { return tlv(tagSequence, content...) }

// setOf sorts its elements by their encodings, as DER requires.
func setOf(elems ...[]byte) []byte {
	sorted := append([][]byte(nil), elems...)
	sort.Slice(sorted, func(i, j int) bool { return bytes.Compare(sorted[i], sorted[j]) < 0 })
	return tlv(tagSet, sorted...)
}

// explicit is a context-specific constructed [n] wrapper.
func explicit(n byte, content ...[]byte) []byte { return tlv(0xa0|n, content...) }

func oid(o asn1.ObjectIdentifier) []byte {
	b, _ := asn1.Marshal(o)
	return b
}

func integer(v *big.Int) []byte {
	b, _ := asn1.Marshal(v)
	return b
}

func small(v int64) []byte { return integer(big.NewInt(v)) }

func octets(b []byte) []byte { return tlv(tagOctetString, b) }

func genTime(t time.Time) []byte {
	return tlv(tagGenTime, []byte(t.UTC().Format("20060102150405Z")))
}

var null = []byte{tagNull, 0}

// algorithm is an AlgorithmIdentifier, with NULL parameters when withNull.
func algorithm(o asn1.ObjectIdentifier, withNull bool) []byte {
	if withNull {
		return seq(oid(o), null)
	}
	return seq(oid(o))
}

// element returns the first DER element of b (header and content) and
// the offset of its content.
func element(b []byte) (full []byte, contentAt int) {
	n, hdr := int(b[1]), 2
	if n >= 0x80 {
		k := n & 0x7f
		n = 0
		for i := range k {
			n = n<<8 | int(b[2+i])
		}
		hdr = 2 + k
	}
	return b[:hdr+n], hdr
}

// replaceElement re-encodes der with the element old replaced by new
// wherever it occurs, fixing the lengths of every element around it.
func replaceElement(der, old, new []byte) []byte {
	if bytes.Equal(der, old) {
		return new
	}
	full, at := element(der)
	if der[0]&0x20 == 0 || !bytes.Contains(full, old) {
		return full
	}
	var children [][]byte
	for rest := full[at:]; len(rest) > 0; {
		child, _ := element(rest)
		children = append(children, replaceElement(child, old, new))
		rest = rest[len(child):]
	}
	return tlv(der[0], children...)
}
