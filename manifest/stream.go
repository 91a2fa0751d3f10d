package manifest

import (
	"bufio"
	"bytes"
	"encoding/json/jsontext"
	jsonv2 "encoding/json/v2"
	"fmt"
	"io"
	"reflect"
)

// Reading a manifest without holding its bytes.
//
// A manifest is up to MaxManifestSize (64 MB) of JSON, and the value
// decoded from it takes about as much again: a verifier that held both at
// once needed twice the manifest's size (a hostile but legal bundle of
// 80,000 disclosed and 250,000 withheld messages: 124 MB live). ParseStream
// makes Parse's checks on a stream instead: the document is decoded, its
// numbers checked and its bytes compared with the value's encoding, each
// in its own pass over the entry, so that only the decoded value is held.
// The rules are Parse's, applied by the same code; only when one of them
// fails are the bytes read whole and given to Parse, so that the error is
// worded exactly as Parse words it.

// Head is what a reader needs of a manifest before decoding all of it:
// its format and the key that sealed it.
type Head struct {
	Format string `json:"format"`
	Signer struct {
		Algorithm   string `json:"algorithm"`
		Fingerprint string `json:"fingerprint"`
	} `json:"signer"`
}

// ReadHead decodes a manifest's format and signer, ignoring the rest,
// and says whether this reader knows the format: an error is what Parse
// would report for the same bytes (an UnknownFormatError for a format it
// does not know); nil does not mean that Parse accepts the rest.
func ReadHead(r io.Reader) (*Head, error) {
	var h Head
	return readHead(r, &h)
}

// readHead is ReadHead into h, which may ask for more than the head.
func readHead(r io.Reader, h headHolder) (*Head, error) {
	if err := jsonv2.UnmarshalRead(r, h, jsonv2.RejectUnknownMembers(false)); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	if head := h.head(); !knownFormat(head.Format) {
		return nil, &UnknownFormatError{Format: head.Format}
	} else {
		return head, nil
	}
}

// ParseStream is Parse for a manifest read through open, which it calls
// once for each pass: the result, and any error, are Parse's for the
// same bytes.
func ParseStream(open func() (io.ReadCloser, error)) (*Manifest, error) {
	return parseStream(open, nil)
}

// ParseStreamed is ParseStream for a manifest whose bytes have SHA-256
// sum, without holding its messages: the manifest reads them again
// through open when they are walked (EachMessage, messages.go). Every
// read, the passes of the parsing included, is held to sum: bytes that
// differ are a *ChangedError. Otherwise the result's other members, and
// any error, are Parse's for the same bytes.
func ParseStreamed(open func() (io.ReadCloser, error), sum [32]byte) (*Manifest, error) {
	checked := func() (io.ReadCloser, error) { return checkedOpen(open, sum) }
	return parseStream(checked, &messageSource{open: checked, sum: sum})
}

// parseStream is ParseStream, holding the messages when src is nil, else
// reading them through src.
func parseStream(open func() (io.ReadCloser, error), src *messageSource) (*Manifest, error) {
	var lengths headAndLengths
	if err := withEntry(open, func(r io.Reader) error { _, err := readHead(r, &lengths); return err }); err != nil {
		return parseWhole(open)
	}
	m := lengths.sized(src == nil)
	decoding, encoding := sharingFileStrings(m), (*jsonv2.Marshalers)(nil)
	if src != nil {
		decoding = jsonv2.JoinUnmarshalers(countingMessages(&src.count), compactingWithheld(m, lengths.Withheld), compactingFiles(m, lengths.Files))
		// The canonical comparison encodes them as they are read again.
		encoding = jsonv2.JoinMarshalers(listMarshaler(m.messagesInOrder), listMarshaler(m.withheldInOrder), listMarshaler(m.filesInOrder))
		m.src = src
	}
	decode := func(r io.Reader) error {
		return jsonv2.UnmarshalRead(r, m, jsonv2.RejectUnknownMembers(true), jsonv2.WithUnmarshalers(decoding))
	}
	if !canonicalByConstruction(reflect.TypeOf(m)) || withEntry(open, decode) != nil ||
		withEntry(open, checkIntegersIn) != nil || withEntry(open, func(r io.Reader) error { return encodesAsRead(m, r, jsonv2.WithMarshalers(encoding)) }) != nil {
		*m = Manifest{} // not held while parseWhole reads the bytes
		return parseWhole(open)
	}
	if err := m.Check(); err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	return m, nil
}

// countingMessages decodes the messages array without holding it: each
// message is decoded (so that its errors are the decoding's) and
// counted. Anything but an array takes parseWhole's path.
func countingMessages(n *int) *jsonv2.Unmarshalers {
	return jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, _ *[]Message) error {
		if dec.PeekKind() != '[' {
			return errDiffers
		}
		*n = 0
		return eachElement(dec, func(int, *Message) error { *n++; return nil })
	})
}

// The decoded manifest is most of what a verifier holds: about 450 bytes
// a message. Two things in how it is decoded cost memory without being
// needed: slices grown by doubling (up to twice the final size, and both
// arrays live while one is copied), and each message's entry name and
// digest decoded a second time, after the files list that holds them.
// So the head pass counts the long arrays, and the decoding fills slices
// of that capacity (no more than MaxEntries elements each: a count is
// not trusted further) and makes a message's entry name and digest the
// files list's own strings when they are equal. Neither changes a value:
// the checks that follow see the same manifest.

// headHolder is what readHead decodes into.
type headHolder interface{ head() *Head }

// headAndLengths is a manifest's head and the lengths of its long arrays.
type headAndLengths struct {
	Head
	Files    arrayLength `json:"files"`
	Messages arrayLength `json:"messages"`
	Withheld arrayLength `json:"withheld"`
}

func (h *Head) head() *Head { return h }

// sized returns a Manifest whose long slices have the capacity counted
// (nil when none was, as the decoding leaves an absent member), only when
// they are held (not for ParseStreamed).
func (h *headAndLengths) sized(held bool) *Manifest {
	if !held {
		return &Manifest{}
	}
	return &Manifest{Files: sized[File](h.Files), Messages: sized[Message](h.Messages), Withheld: sized[Withheld](h.Withheld)}
}

func sized[T any](n arrayLength) []T {
	if n == 0 {
		return nil
	}
	return make([]T, 0, min(int(n), MaxEntries))
}

// arrayLength is the number of elements of a JSON array; another value
// is skipped (the decoding proper reports it).
type arrayLength int

func (n *arrayLength) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() != '[' {
		return dec.SkipValue()
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		if err := dec.SkipValue(); err != nil {
			return err
		}
		*n++
	}
	_, err := dec.ReadToken()
	return err
}

// decodeElements decodes the elements of the array dec is at, one at a
// time, each handed to keep (which returns errDiffers for what a compact
// list cannot hold); anything but an array is errDiffers too, for
// parseWhole's path.
func decodeElements[T any](dec *jsontext.Decoder, keep func(*T) error) error {
	if dec.PeekKind() != '[' {
		return errDiffers
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	for dec.PeekKind() != ']' {
		var v T
		if err := jsonv2.UnmarshalDecode(dec, &v); err != nil {
			return err
		}
		if err := keep(&v); err != nil {
			return err
		}
	}
	_, err := dec.ReadToken()
	return err
}

// plainMessage is a Message decoded without sharingFileStrings.
type plainMessage Message

// sharingFileStrings decodes each message of m as it is, then makes its
// entry name and digest the strings of m's files record for the entry
// when they are equal (the files precede the messages in canonical
// JSON; when they do not, nothing is shared).
func sharingFileStrings(m *Manifest) *jsonv2.Unmarshalers {
	return jsonv2.UnmarshalFromFunc(func(dec *jsontext.Decoder, msg *Message) error {
		if err := jsonv2.UnmarshalDecode(dec, (*plainMessage)(msg)); err != nil {
			return err
		}
		if i, ok := m.FileIndex(msg.Entry); ok {
			f := &m.Files[i]
			msg.Entry = f.Path
			if msg.SHA256 == f.SHA256 {
				msg.SHA256 = f.SHA256
			}
		}
		return nil
	})
}

// parseWhole reads the manifest's bytes and parses them: the path of a
// manifest that breaks a rule, for Parse's words about it.
func parseWhole(open func() (io.ReadCloser, error)) (*Manifest, error) {
	var m *Manifest
	err := withEntry(open, func(r io.Reader) error {
		data, err := io.ReadAll(r)
		if err == nil {
			m, err = Parse(data)
		}
		return err
	})
	return m, err
}

// withEntry opens the manifest and hands it to read, buffered.
func withEntry(open func() (io.ReadCloser, error), read func(io.Reader) error) error {
	rc, err := open()
	if err != nil {
		return fmt.Errorf("manifest.json: %w", err)
	}
	defer rc.Close()
	return read(bufio.NewReaderSize(rc, 64<<10))
}

// encodesAsRead is encodesAs for bytes read from r, which must end where
// the encoding does.
func encodesAsRead(v any, r io.Reader, opts ...jsonv2.Options) error {
	c := &streamComparer{r: r}
	if err := jsonv2.MarshalWrite(c, v, opts...); err != nil {
		return err
	}
	var more [1]byte
	if n, _ := io.ReadFull(r, more[:]); n != 0 {
		return errDiffers
	}
	return nil
}

// streamComparer is a writer that compares what is written with what r
// reads.
type streamComparer struct {
	r   io.Reader
	buf []byte
}

func (c *streamComparer) Write(p []byte) (int, error) {
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	got := c.buf[:len(p)]
	if _, err := io.ReadFull(c.r, got); err != nil || !bytes.Equal(p, got) {
		return 0, errDiffers
	}
	return len(p), nil
}

// checkIntegersIn is checkIntegers over a stream.
func checkIntegersIn(r io.Reader) error { return checkIntegerTokens(jsontext.NewDecoder(r)) }
