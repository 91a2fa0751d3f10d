package translog

import (
	"bytes"
	"encoding/base64"
	"encoding/json/jsontext"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Entry is a stored transparency log entry: Sigstore's
// TransparencyLogEntry (dev.sigstore.rekor.v1), every field of it, as
// readEntry reads its protobuf JSON. A message absent from the JSON reads
// as its zero value, as in protobuf.
type Entry struct {
	LogIndex    int64
	LogID       []byte // logId.keyId
	KindVersion struct {
		Kind    string
		Version string
	}
	IntegratedTime int64
	// SignedEntryTimestamp is inclusionPromise.signedEntryTimestamp
	// (Rekor v1; a v2 log gives none).
	SignedEntryTimestamp []byte
	InclusionProof       struct {
		LogIndex   int64
		RootHash   []byte
		TreeSize   int64
		Hashes     [][]byte
		Checkpoint string // checkpoint.envelope: the signed note
	}
	CanonicalizedBody []byte
}

// readEntry reads an entry in protobuf JSON, accepting what the proto3
// JSON mapping (protobuf.dev, "ProtoJSON Format") accepts for this
// message, as protojson does, and nothing else:
//
//   - a field by its JSON name (logIndex) or its proto name (log_index),
//     once (both spellings of one field are a duplicate); an unknown field
//     is an error; null is the field's default;
//   - a 64-bit integer as a JSON number or a string holding one, in
//     exponent notation too (1e2), if it is an integer in range;
//   - bytes in base64, standard or URL-safe, padded or not;
//   - the JSON itself valid UTF-8 (RFC 8259, strictly: jsontext).
//
// custody-verify reads entries with this instead of protojson and
// Sigstore's generated types: a strict reader of one fixed message is a
// page of code, and those libraries were most of what the verifier linked
// (issue 12: the verifier depends on what it checks). The exporter and
// the Rekor client keep Sigstore's types (translog/rekor).
// TestReadEntryAgreesWithProtojson holds the two readers to the same
// answers.
func readEntry(data []byte) (*Entry, error) {
	d := jsontext.NewDecoder(bytes.NewReader(data))
	var e Entry
	if err := readMessage(d, entryFields(&e)); err != nil {
		return nil, err
	}
	if _, err := d.ReadToken(); err != io.EOF {
		return nil, errors.New("data after the entry")
	}
	return &e, nil
}

// field is one field of a message: its two names and how to read its
// value.
type field struct {
	json, proto string
	read        func(*jsontext.Decoder) error
}

func entryFields(e *Entry) []field {
	kv, ip := &e.KindVersion, &e.InclusionProof
	return []field{
		{"logIndex", "log_index", int64Value(&e.LogIndex)},
		{"logId", "log_id", message(field{"keyId", "key_id", bytesValue(&e.LogID)})},
		{"kindVersion", "kind_version", message(
			field{"kind", "kind", stringValue(&kv.Kind)},
			field{"version", "version", stringValue(&kv.Version)})},
		{"integratedTime", "integrated_time", int64Value(&e.IntegratedTime)},
		{"inclusionPromise", "inclusion_promise", message(
			field{"signedEntryTimestamp", "signed_entry_timestamp", bytesValue(&e.SignedEntryTimestamp)})},
		{"inclusionProof", "inclusion_proof", message(
			field{"logIndex", "log_index", int64Value(&ip.LogIndex)},
			field{"rootHash", "root_hash", bytesValue(&ip.RootHash)},
			field{"treeSize", "tree_size", int64Value(&ip.TreeSize)},
			field{"hashes", "hashes", bytesList(&ip.Hashes)},
			field{"checkpoint", "checkpoint", message(field{"envelope", "envelope", stringValue(&ip.Checkpoint)})})},
		{"canonicalizedBody", "canonicalized_body", bytesValue(&e.CanonicalizedBody)},
	}
}

func message(fields ...field) func(*jsontext.Decoder) error {
	return func(d *jsontext.Decoder) error { return readMessage(d, fields) }
}

// readMessage reads a JSON object whose members are fields.
func readMessage(d *jsontext.Decoder, fields []field) error {
	if err := expect(d, '{'); err != nil {
		return err
	}
	seen := make([]bool, len(fields))
	for d.PeekKind() != '}' {
		tok, err := d.ReadToken()
		if err != nil {
			return err
		}
		name := tok.String()
		i := findField(fields, name)
		switch {
		case i < 0:
			return fmt.Errorf("unknown field %q", name)
		case seen[i]:
			return fmt.Errorf("duplicate field %q", name)
		}
		seen[i] = true
		if d.PeekKind() == 'n' {
			if _, err := d.ReadToken(); err != nil {
				return err
			}
			continue
		}
		if err := fields[i].read(d); err != nil {
			return fmt.Errorf("%s: %w", fields[i].json, err)
		}
	}
	return expect(d, '}')
}

func findField(fields []field, name string) int {
	for i, f := range fields {
		if name == f.json || name == f.proto {
			return i
		}
	}
	return -1
}

// expect reads a token of kind k ('{', '}', '[', ']', '"', '0').
func expect(d *jsontext.Decoder, k jsontext.Kind) error {
	tok, err := d.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != k {
		return fmt.Errorf("found %v, want %v", tok.Kind(), k)
	}
	return nil
}

func stringValue(dst *string) func(*jsontext.Decoder) error {
	return func(d *jsontext.Decoder) error {
		s, err := readString(d)
		*dst = s
		return err
	}
}

func readString(d *jsontext.Decoder) (string, error) {
	if d.PeekKind() != '"' {
		return "", fmt.Errorf("found %v, want a string", d.PeekKind())
	}
	tok, err := d.ReadToken()
	return tok.String(), err
}

func bytesValue(dst *[]byte) func(*jsontext.Decoder) error {
	return func(d *jsontext.Decoder) error {
		b, err := readBytes(d)
		*dst = b
		return err
	}
}

// readBytes reads base64 as protojson does: URL-safe when the text has -
// or _, unpadded when its length is not a multiple of 4.
func readBytes(d *jsontext.Decoder) ([]byte, error) {
	s, err := readString(d)
	if err != nil {
		return nil, err
	}
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	return enc.DecodeString(s)
}

func bytesList(dst *[][]byte) func(*jsontext.Decoder) error {
	return func(d *jsontext.Decoder) error {
		if err := expect(d, '['); err != nil {
			return err
		}
		for d.PeekKind() != ']' {
			b, err := readBytes(d)
			if err != nil {
				return err
			}
			*dst = append(*dst, b)
		}
		return expect(d, ']')
	}
}

func int64Value(dst *int64) func(*jsontext.Decoder) error {
	return func(d *jsontext.Decoder) error {
		tok, err := d.ReadToken()
		if err != nil {
			return err
		}
		text := tok.String()
		switch {
		case tok.Kind() == '"' && !isNumber(text):
			return fmt.Errorf("%q is not a number", text)
		case tok.Kind() != '"' && tok.Kind() != '0':
			return fmt.Errorf("found %v, want an integer", tok.Kind())
		}
		n, ok := parseInt64(text)
		if !ok {
			return fmt.Errorf("%s is not a 64-bit integer", text)
		}
		*dst = n
		return nil
	}
}

// isNumber: s is exactly a JSON number, no space around it.
func isNumber(s string) bool {
	v := jsontext.Value(s)
	return s != "" && strings.Trim(s, " \t\r\n") == s && v.Kind() == '0' && v.IsValid()
}

// parseInt64 gives the integer a JSON number (valid) denotes, in
// exponent notation too, as protobuf-go's JSON decoder computes it
// (internal/encoding/json, normalizeToIntString): the same spellings
// are integers, and an exponent beyond 32 bits is refused, not computed.
func parseInt64(number string) (int64, bool) {
	neg := strings.HasPrefix(number, "-")
	mantissa, exp, _ := strings.Cut(strings.TrimPrefix(number, "-"), "e")
	if m, x, ok := strings.Cut(mantissa, "E"); ok {
		mantissa, exp = m, x
	}
	intPart, frac, _ := strings.Cut(mantissa, ".")
	intPart = strings.TrimLeft(intPart, "0") // JSON allows a lone 0 only
	frac = strings.TrimRight(frac, "0")
	if intPart == "" && frac == "" {
		return 0, true // whatever the exponent
	}
	shift := 0
	if exp != "" {
		e, err := strconv.ParseInt(exp, 10, 32)
		if err != nil {
			return 0, false
		}
		shift = int(e)
	}
	digits, ok := shiftPoint(intPart, frac, shift)
	if !ok {
		return 0, false
	}
	if neg {
		digits = "-" + digits
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	return n, err == nil
}

// shiftPoint moves the decimal point of intPart.frac by shift places
// and gives the digits if the result is an integer.
func shiftPoint(intPart, frac string, shift int) (string, bool) {
	if shift >= 0 {
		// More than 20 digits is out of range of 64 bits anyway; this
		// bounds the zeros written.
		if len(frac) > shift || len(intPart)+shift > 20 {
			return "", false
		}
		return intPart + frac + strings.Repeat("0", shift-len(frac)), true
	}
	point := len(intPart) + shift
	if len(frac) > 0 || point < 0 || strings.Trim(intPart[point:], "0") != "" {
		return "", false
	}
	return intPart[:point], true
}
