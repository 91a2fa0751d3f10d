package pkcs11

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	slot := 3
	tests := []struct {
		uri  string
		want URI
	}{
		{"pkcs11:token=Doctor%20card;object=signing", URI{Token: "Doctor card", Object: "signing"}},
		{"pkcs11:serial=DEADBEEF;id=%01%02;type=private?module-path=/usr/lib/opensc-pkcs11.so&pin-value=1234",
			URI{Serial: "DEADBEEF", ID: []byte{1, 2}, ModulePath: "/usr/lib/opensc-pkcs11.so", PINValue: "1234"}},
		{"pkcs11:slot-id=3;object=a%3Bb?pin-source=file:/run/pin", URI{SlotID: &slot, Object: "a;b", PINSource: "file:/run/pin"}},
	}
	for _, tt := range tests {
		got, err := ParseURI(tt.uri)
		if err != nil {
			t.Errorf("ParseURI(%q): %v", tt.uri, err)
			continue
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseURI(%q) = %+v, want %+v", tt.uri, *got, tt.want)
		}
	}
}

// An attribute custody does not implement is refused, not ignored: it
// might have been what told two keys apart.
func TestParseURIRefuses(t *testing.T) {
	for uri, want := range map[string]string{
		"file:/x":                                  "not a pkcs11: URI",
		"pkcs11:token=t":                           "names no key",
		"pkcs11:token=t;object=k;manufacturer=x":   "manufacturer= is not supported",
		"pkcs11:token=t;object=k?module-name=x":    "module-name= is not supported",
		"pkcs11:token=t;object=k;type=cert":        "type=private",
		"pkcs11:token=t;object=k;slot-id=x":        "not a slot number",
		"pkcs11:token=t;object=%zz":                "attribute object",
		"pkcs11:token=t;object":                    "not name=value",
		"pkcs11:object=k?pin-value=1&pin-source=f": "both pin-value= and pin-source=",
	} {
		_, err := ParseURI(uri)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseURI(%q) = %v, want an error with %q", uri, err, want)
		}
	}
}

func TestModule(t *testing.T) {
	u := &URI{ModulePath: "/a.so"}
	if m, err := u.module(""); m != "/a.so" || err != nil {
		t.Errorf("module path from the URI: %q, %v", m, err)
	}
	if _, err := u.module("/b.so"); err == nil || !strings.Contains(err.Error(), "differ") {
		t.Errorf("URI and flag differ: %v", err)
	}
	if m, err := (&URI{}).module("/b.so"); m != "/b.so" || err != nil {
		t.Errorf("module from the flag: %q, %v", m, err)
	}
	if _, err := (&URI{}).module(""); err == nil || !strings.Contains(err.Error(), "--pkcs11-module") {
		t.Errorf("no module: %v", err)
	}
}

func TestPIN(t *testing.T) {
	pinFile := filepath.Join(t.TempDir(), "pin")
	if err := os.WriteFile(pinFile, []byte("4321\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ask := func() ([]byte, error) { return []byte("9999"), nil }
	for _, tt := range []struct {
		u    URI
		want string
	}{
		{URI{PINValue: "1234"}, "1234"},
		{URI{PINSource: pinFile}, "4321"},
		{URI{PINSource: "file:" + pinFile}, "4321"},
		{URI{}, "9999"},
	} {
		if got, err := tt.u.pin(ask); got != tt.want || err != nil {
			t.Errorf("pin(%+v) = %q, %v; want %q", tt.u, got, err, tt.want)
		}
	}
	if _, err := (&URI{}).pin(nil); err == nil {
		t.Error("no PIN anywhere: no error")
	}
}
