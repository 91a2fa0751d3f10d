// Package scryptmem computes scrypt (RFC 7914) in half the memory of
// golang.org/x/crypto/scrypt, for the custody key file's unlock.
//
// A custody key file is sigstore's encrypted key: its secretbox key comes
// from scrypt with N = 65536, r = 8, whose ROMix holds N blocks of 128·r
// bytes, 64 MiB. The exporter unlocks its key once, and that was its
// highest memory: 64 MiB on top of the program itself (about 40 MB
// resident for custody, whose code includes the cloud KMS clients), over
// 100 MB. scrypt allows trading time for memory (RFC 7914 §4's V array
// need not be stored whole): this ROMix keeps every second block of V and
// computes an odd one from the even one before it when the second loop
// asks for it, one more BlockMix in two on average. Half the memory for
// about 1.25 times the mixing; the result is scrypt's to the bit
// (TestSameAsXCrypto), which is all a key derivation must be.
//
// It is written here because x/crypto/scrypt offers no such trade; the
// Salsa20/8 core is RFC 7914 §3's (x/crypto's salsa package, which has
// one, is deprecated).
package scryptmem

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"math/bits"
)

// Key is scrypt.Key(password, salt, N, r, p, keyLen) of
// golang.org/x/crypto/scrypt, holding N/2 blocks of 128·r bytes instead
// of N.
func Key(password, salt []byte, N, r, p, keyLen int) ([]byte, error) {
	if N <= 2 || N&(N-1) != 0 {
		return nil, errors.New("scrypt: N must be a power of 2 greater than 2")
	}
	if r <= 0 || p <= 0 || r > 1<<10 || p > 1<<10 || N > 1<<24 {
		return nil, errors.New("scrypt: parameters out of range")
	}
	blockSize := 128 * r
	b, err := pbkdf2.Key(sha256.New, string(password), salt, 1, p*blockSize)
	if err != nil {
		return nil, err
	}
	v := make([]byte, N/2*blockSize)
	for i := range p {
		roMix(b[i*blockSize:(i+1)*blockSize], r, N, v)
	}
	return pbkdf2.Key(sha256.New, string(password), b, 1, keyLen)
}

// roMix is RFC 7914's scryptROMix of b in place, with V's even blocks in v.
func roMix(b []byte, r, N int, v []byte) {
	size := 128 * r
	x, y, t := make([]byte, size), make([]byte, size), make([]byte, size)
	copy(x, b)
	for i := range N {
		if i%2 == 0 {
			copy(v[i/2*size:], x)
		}
		blockMix(y, x, r)
		x, y = y, x
	}
	for range N {
		j := int(binary.LittleEndian.Uint64(x[(2*r-1)*64:]) & uint64(N-1)) // Integerify
		even := v[j/2*size : (j/2+1)*size]
		if j%2 == 0 {
			subtle.XORBytes(t, x, even)
		} else {
			blockMix(y, even, r) // V[j] = BlockMix(V[j-1])
			subtle.XORBytes(t, x, y)
		}
		blockMix(x, t, r)
	}
	copy(b, x)
}

// blockMix is RFC 7914's scryptBlockMix of in into out (distinct slices of
// 128·r bytes): the Salsa20/8 chain over in's 64-byte blocks, its even
// outputs first, then its odd ones.
func blockMix(out, in []byte, r int) {
	var x, t [64]byte
	copy(x[:], in[(2*r-1)*64:])
	for i := range 2 * r {
		subtle.XORBytes(t[:], x[:], in[i*64:(i+1)*64])
		salsa208(&x, &t)
		at := i / 2 * 64
		if i%2 == 1 {
			at += r * 64
		}
		copy(out[at:at+64], x[:])
	}
}

// salsa208 is RFC 7914 §3's Salsa20/8 core of in into out: eight rounds
// over sixteen little-endian words, each word then added to its input.
func salsa208(out, in *[64]byte) {
	var w, x [16]uint32
	for i := range w {
		w[i] = binary.LittleEndian.Uint32(in[4*i:])
	}
	x = w
	quarter := func(a, b, c, d int) {
		x[b] ^= bits.RotateLeft32(x[a]+x[d], 7)
		x[c] ^= bits.RotateLeft32(x[b]+x[a], 9)
		x[d] ^= bits.RotateLeft32(x[c]+x[b], 13)
		x[a] ^= bits.RotateLeft32(x[d]+x[c], 18)
	}
	for range 4 { // 8 rounds: a column round and a row round each time
		quarter(0, 4, 8, 12)
		quarter(5, 9, 13, 1)
		quarter(10, 14, 2, 6)
		quarter(15, 3, 7, 11)
		quarter(0, 1, 2, 3)
		quarter(5, 6, 7, 4)
		quarter(10, 11, 8, 9)
		quarter(15, 12, 13, 14)
	}
	for i := range x {
		binary.LittleEndian.PutUint32(out[4*i:], x[i]+w[i])
	}
}
