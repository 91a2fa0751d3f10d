package manifest

import (
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"errors"
	"io"
	"reflect"
)

// A manifest lists every message of the conversation (disclosed, or
// withheld as its leaf) and every file: about 400 bytes of canonical JSON
// a message, so 80 MB for 200,000 messages, and several times that as Go
// values. An exporter need not hold either: Encode writes the manifest to
// a stream with its three long lists read from elsewhere (a file the
// exporter appended to as it wrote the messages, the Writer's compact
// record of its entries), one element at a time, and the bytes are
// exactly Marshal's for the same content (canonical by construction:
// canonical.go).

// Lists hands a manifest's messages, withheld leaves and files to Encode
// one at a time, in order; a nil function means the list held in the
// Manifest.
type Lists struct {
	Files    func(yield func(*File) error) error
	Messages func(yield func(*Message) error) error
	Withheld func(yield func(*Withheld) error) error
}

// Encode writes the canonical encoding of m to w, with Files, Messages
// and Withheld taken from lists where set: the same bytes as Marshal of m
// with those lists filled in.
func Encode(w io.Writer, m *Manifest, lists Lists) error {
	if !canonicalByConstruction(reflect.TypeOf(m)) {
		return errors.New("manifest: the Manifest type is not canonical by construction (field order): Encode cannot stream it")
	}
	var marshalers []*jsonv2.Marshalers
	if lists.Files != nil {
		marshalers = append(marshalers, listMarshaler(lists.Files))
	}
	if lists.Messages != nil {
		marshalers = append(marshalers, listMarshaler(lists.Messages))
	}
	if lists.Withheld != nil {
		marshalers = append(marshalers, listMarshaler(lists.Withheld))
	}
	return jsonv2.MarshalWrite(w, m, jsonv2.WithMarshalers(jsonv2.JoinMarshalers(marshalers...)))
}

// listMarshaler encodes a []T member (held empty in the Manifest) as the
// array of the elements each yields. An empty array written for an
// omitempty member is taken back by the encoder, as Marshal leaves it out.
func listMarshaler[T any](each func(yield func(*T) error) error) *jsonv2.Marshalers {
	return jsonv2.MarshalToFunc(func(enc *jsontext.Encoder, _ []T) error {
		if err := enc.WriteToken(jsontext.BeginArray); err != nil {
			return err
		}
		err := each(func(v *T) error { return jsonv2.MarshalEncode(enc, v) })
		if err != nil {
			return err
		}
		return enc.WriteToken(jsontext.EndArray)
	})
}
