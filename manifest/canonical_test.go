package manifest

import (
	"bytes"
	jsonv2 "encoding/json/v2"
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
	if !canonicalByConstruction(reflect.TypeFor[*Manifest]()) {
		t.Error("Manifest is not canonical by construction: keep its fields, and those of the types it holds, in RFC 8785 order of their JSON names")
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
		m, err := Parse(b.ManifestBytes)
		if err != nil || !encodesAs(m, b.ManifestBytes) {
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
		reflect.TypeFor[[]byte](), reflect.TypeFor[float64](), reflect.TypeFor[MessageEntry]()} {
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
