package bip39

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestWordlistIsOfficial pins english.txt to the published BIP-39 list.
func TestWordlistIsOfficial(t *testing.T) {
	const want = "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
	sum := sha256.Sum256([]byte(englishTxt))
	if got := hex.EncodeToString(sum[:]); got != want {
		t.Fatalf("english.txt SHA-256 = %s, want %s", got, want)
	}
	if len(words) != 2048 || len(wordIndex) != 2048 {
		t.Fatalf("%d words, %d distinct; want 2048", len(words), len(wordIndex))
	}
}

// Test vectors of the BIP-39 reference implementation (trezor/python-mnemonic
// vectors.json, linked from the BIP), 256-bit and 128-bit entries.
var vectors = []struct{ entropy, mnemonic string }{
	{"00000000000000000000000000000000", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"},
	{"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f", "legal winner thank year wave sausage worth useful legal winner thank yellow"},
	{"0000000000000000000000000000000000000000000000000000000000000000", "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art"},
	{"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f", "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title"},
	{"8080808080808080808080808080808080808080808080808080808080808080", "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless"},
	{"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo vote"},
	{"3e141609b97933b66a060dcddc71fad1d91677db872031e85f4c015c5e7e8982", "dignity pass list indicate nasty swamp pool script soccer toe leaf photo multiply desk host tomato cradle drill spread actor shine dismiss champion exotic"},
	{"2c85efc7f24ee4573d2b81a6ec66cee209b2dcbd09d8eddc51e0215b0b68e416", "clutch control vehicle tonight unusual clog visa ice plunge glimpse recipe series open hour vintage deposit universe tip job dress radar refuse motion taste"},
	{"4fa1a8bc3e6d80ee1316050e862c1812031493212b7ec3f3bb1b08f168cabeef", "exile ask congress lamp submit jacket era scheme attend cousin alcohol catch course end lucky hurt sentence oven short ball bird grab wing top"},
	{"15da872c95a13dd738fbf50e427583ad61f18fd99f628c417a61cf8343c90419", "beyond stage sleep clip because twist token leaf atom beauty genius food business side grid unable middle armed observe pair crouch tonight away coconut"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		entropy, _ := hex.DecodeString(v.entropy)
		got, err := Encode(entropy)
		if err != nil || got != v.mnemonic {
			t.Errorf("Encode(%s) = %q, %v; want %q", v.entropy, got, err, v.mnemonic)
		}
		back, err := Decode(v.mnemonic)
		if err != nil || !bytes.Equal(back, entropy) {
			t.Errorf("Decode(%q) = %x, %v; want %s", v.mnemonic, back, err, v.entropy)
		}
	}
}

func TestRoundTripRandom(t *testing.T) {
	for _, n := range []int{16, 20, 24, 28, 32} {
		for range 20 {
			e := make([]byte, n)
			rand.Read(e)
			m, err := Encode(e)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(strings.Fields(m)); got != (n*8+n/4)/11 {
				t.Fatalf("%d bytes gave %d words", n, got)
			}
			// Decoding accepts any case and spacing.
			back, err := Decode("  " + strings.ToUpper(strings.ReplaceAll(m, " ", "\n\t")) + "\n")
			if err != nil || !bytes.Equal(back, e) {
				t.Fatalf("round trip of %x: %x, %v", e, back, err)
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	valid := vectors[3].mnemonic // 24 words
	fields := strings.Fields(valid)
	swapped := append([]string{fields[1], fields[0]}, fields[2:]...)
	for _, tc := range []struct{ in, want string }{
		{"", "0 words"},
		{strings.Join(fields[:23], " "), "23 words"},
		{valid + " " + fields[0] + " " + fields[0] + " " + fields[0], "27 words"},
		{strings.Replace(valid, "legal", "legall", 1), "word 1 is not in the BIP-39 English list"},
		{strings.Join(swapped, " "), "checksum mismatch"},
		{strings.Replace(valid, "title", "zoo", 1), "checksum mismatch"},
	} {
		_, err := Decode(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%.30q…) error = %v, want %q", tc.in, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "legall") {
			t.Errorf("error repeats the secret word: %v", err)
		}
	}
	for _, n := range []int{0, 15, 17, 33, 64} {
		if _, err := Encode(make([]byte, n)); err == nil {
			t.Errorf("Encode of %d bytes: no error", n)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.mnemonic)
	}
	f.Add("abandon")
	f.Add("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo")
	f.Add("ÀBANDON abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Decode(s)
		if err != nil {
			return
		}
		m, err := Encode(e)
		if err != nil {
			t.Fatalf("Decode(%q) gave %x, which Encode refuses: %v", s, e, err)
		}
		if !strings.EqualFold(m, strings.Join(strings.Fields(s), " ")) {
			// Only Unicode case folding may differ (e.g. the Kelvin sign).
			if e2, err := Decode(m); err != nil || !bytes.Equal(e, e2) {
				t.Fatalf("Decode(%q) = %x, re-encoded %q decodes to %x, %v", s, e, m, e2, err)
			}
		}
	})
}
