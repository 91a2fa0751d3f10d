package manifest

import (
	"bytes"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestCanonicalFieldOrder: the manifest's types are canonical by
// construction (their fields sorted by JSON name), so that parsing a
// manifest of tens of thousands of messages holds no copy of it. A field
// added out of order would silently take the slow path again.
func TestCanonicalFieldOrder(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[*Manifest](), reflect.TypeFor[*MessageEntry]()} {
		if !canonicalByConstruction(typ) {
			t.Errorf("%v is not canonical by construction: keep its fields, and those of the types it holds, in RFC 8785 order of their JSON names", typ)
		}
	}
	for _, vector := range []string{"v1", "v2"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "vectors", vector, "sample.custody"))
		if err != nil {
			t.Fatal(err)
		}
		b, err := OpenBundle(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		data, err = b.ReadManifest()
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(data)
		if err != nil || !encodesAs(m, data) {
			t.Errorf("vector %s: the manifest is not compared as it is encoded (%v)", vector, err)
		}
	}
	type unsorted struct {
		B string `json:"b"`
		A string `json:"a"`
	}
	type tagged struct {
		A int `json:"a,string"`
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[unsorted](), reflect.TypeFor[tagged](), reflect.TypeFor[map[string]int](),
		reflect.TypeFor[[]byte](), reflect.TypeFor[float64]()} {
		if canonicalByConstruction(typ) {
			t.Errorf("%v taken for canonical by construction", typ)
		}
	}
}

// TestUnmarshalSlowPath: a type that is not canonical by construction is
// still held to the canonical encoding.
func TestUnmarshalSlowPath(t *testing.T) {
	type unsorted struct {
		B string `json:"b"`
		A string `json:"a"`
	}
	plain, _ := jsonv2.Marshal(unsorted{B: "1", A: "2"})
	var v unsorted
	if err := Unmarshal(plain, &v); err == nil || !strings.Contains(err.Error(), "canonical") {
		t.Errorf("the plain, unsorted encoding %s: err = %v, want one saying it is not canonical", plain, err)
	}
	if err := Unmarshal([]byte(`{"a":"2","b":"1"}`), &v); err != nil || v.A != "2" || v.B != "1" {
		t.Errorf("canonical encoding: %+v, %v", v, err)
	}
}

// TestUnmarshalFastPathRefusesVariants: what the comparison while encoding
// accepts is exactly the canonical encoding.
func TestUnmarshalFastPathRefusesVariants(t *testing.T) {
	good := `{"algorithm":"x","head":"h","length":1}`
	var c Chain
	if err := Unmarshal([]byte(good), &c); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		`{"algorithm":"x","head":"h","length":1} `, `{"algorithm":"x","head":"h"}`, `{"head":"h","algorithm":"x","length":1}`,
		`{"algorithm":"x","head":"h","length":1.0}`, `{"algorithm":"\u0078","head":"h","length":1}`, `{"algorithm":"x","head":"h","length":1,"length":1}`,
	} {
		var c Chain
		if err := Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

// unmarshalAsBefore is Unmarshal as it was before the comparison while
// encoding: canonicalise a copy and compare, decode, re-encode
// canonically and compare.
func unmarshalAsBefore(data []byte, v any) error {
	val := jsontext.Value(bytes.Clone(data))
	if err := val.Canonicalize(); err != nil {
		return err
	}
	if string(val) != string(data) {
		return errors.New("not canonical")
	}
	if err := jsonv2.Unmarshal(data, v, jsonv2.RejectUnknownMembers(true)); err != nil {
		return err
	}
	if err := checkIntegers(data); err != nil {
		return err
	}
	again, err := jsonv2.Marshal(v)
	if err != nil {
		return err
	}
	canon := jsontext.Value(again)
	if err := canon.Canonicalize(); err != nil {
		return err
	}
	if string(canon) != string(data) {
		return errors.New("not the canonical encoding of its content")
	}
	return nil
}

// TestUnmarshalAcceptsAsBefore: on a vector's manifest with every byte
// replaced by each of a few others, and with every byte removed, Unmarshal
// accepts exactly what it accepted before it compared while encoding, and
// decodes the same value.
func TestUnmarshalAcceptsAsBefore(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "testdata", "vectors", "v2", "sample.custody"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := OpenBundle(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	orig, err := b.ReadManifest()
	if err != nil {
		t.Fatal(err)
	}
	check := func(variant []byte) {
		var now, before Manifest
		errNow, errBefore := Unmarshal(variant, &now), unmarshalAsBefore(variant, &before)
		if (errNow == nil) != (errBefore == nil) || errNow == nil && !reflect.DeepEqual(now, before) {
			t.Fatalf("%q: now %v, before %v", variant, errNow, errBefore)
		}
	}
	check(orig)
	// -short: every 7th byte; --full (CI) every one.
	step := 1
	if testing.Short() {
		step = 7
	}
	for i := 0; i < len(orig); i += step {
		for _, c := range []byte{' ', '"', '1', 'A', '}', 0x80} {
			if orig[i] != c {
				variant := bytes.Clone(orig)
				variant[i] = c
				check(variant)
			}
		}
		check(append(bytes.Clone(orig[:i]), orig[i+1:]...))
	}
}

// TestCanonicalDecidedOnce: goroutines that decide the same type at once
// (the verifier parses message entries while the rendering check does)
// never see an answer that was only assumed while deciding. Before, a type
// was cached as canonical until decided, and a message entry read in that
// moment was refused as "not the canonical encoding" (a flaky verdict).
func TestCanonicalDecidedOnce(t *testing.T) {
	type inner struct {
		Z string `json:"z"`
		A string `json:"a"` // out of order: not canonical by construction
	}
	type outer struct {
		A []inner `json:"a"`
		B *outer  `json:"b,omitempty"` // recursive
		C string  `json:"c"`
	}
	for range 200 {
		canonicalTypes.Delete(reflect.TypeFor[outer]())
		canonicalTypes.Delete(reflect.TypeFor[*outer]())
		canonicalTypes.Delete(reflect.TypeFor[inner]())
		canonicalTypes.Delete(reflect.TypeFor[[]inner]())
		results := make(chan bool, 8)
		for range 8 {
			go func() { results <- canonicalByConstruction(reflect.TypeFor[outer]()) }()
		}
		for range 8 {
			if <-results {
				t.Fatal("a type that is not canonical by construction was taken for one")
			}
		}
	}
}
