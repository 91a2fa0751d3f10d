// Package logwriter signs custody events and appends them to a bundle's
// custody log (docs/custody-log.md): Sign and First make the signed
// record of an event, Append adds one to a bundle on disk, atomically and
// under an exclusive lock (flock), so that concurrent appends run one
// after the other and none is lost. The format it writes (the events,
// their entry names, their parsing) is package custodylog's, which the
// verifier reads without linking this writer.
//
//	rec, err := logwriter.Append(ctx, "case.custody", custodylog.Event{
//		Actor:  custodylog.Actor{Name: "Dra. Vidal", Role: "expert"},
//		Action: custodylog.Received, Note: "Recibido por correo certificado",
//	}, logwriter.Signer{Key: signer}, logwriter.AppendOptions{})
package logwriter

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/manifest"
)

// Signer is the actor's key (keys.Load gives one) and, optionally, how
// its signatures are timestamped.
type Signer struct {
	Key *keys.Signer
	// Timestamp, when set, returns an RFC 3161 TimeStampResp (DER) over
	// the signature: custody.Timestamper's method fits.
	Timestamp func(ctx context.Context, data []byte) ([]byte, error)
	// CheckToken, when set, checks the TSA's answer before it is stored
	// (the CLI wires verify.VerifyToken here).
	CheckToken func(resp, signature []byte) error
}

// Record is a signed event as it is stored.
type Record struct {
	Event *custodylog.Event
	JSON  []byte // the entry, canonical JSON
	Sig   []byte
	PEM   []byte
	Token []byte // nil without a TSA
	// Revocation holds the DER of the revocation data the event carries,
	// in the order of Event.Revocation.
	Revocation [][]byte
}

// Revocation is revocation data to store with an event: a DER CRL or
// OCSP response (custodylog.RevocationCRL, RevocationOCSP).
type Revocation struct {
	Kind string
	DER  []byte
}

// File is one entry to write into the bundle.
type File struct {
	Name string
	Data []byte
}

// Files are the record's entries in the order they are written.
func (r *Record) Files() []File {
	files := []File{
		{custodylog.EntryName(r.Event.Seq, custodylog.PartEvent), r.JSON},
		{custodylog.EntryName(r.Event.Seq, custodylog.PartSignature), r.Sig},
		{custodylog.EntryName(r.Event.Seq, custodylog.PartKey), r.PEM},
	}
	if r.Token != nil {
		files = append(files, File{custodylog.EntryName(r.Event.Seq, custodylog.PartToken), r.Token})
	}
	for k, der := range r.Revocation {
		files = append(files, File{custodylog.RevocationEntryName(r.Event.Seq, k+1, r.Event.Revocation[k].Kind), der})
	}
	return files
}

// Sign fills in the actor's fingerprint, encodes e, signs it and, with a
// timestamper, timestamps the signature (a "renewed" event: the event
// itself, docs/long-term.md). Seq, Time, Bundle and Prev must be set
// (Append and First set them). The event carries revocation, when given.
func Sign(ctx context.Context, e custodylog.Event, s Signer, revocation ...Revocation) (*Record, error) {
	if s.Key == nil {
		return nil, errors.New("custody log: no signing key")
	}
	e.Revocation = nil
	var revDER [][]byte
	for _, r := range revocation {
		if len(r.DER) > manifest.MaxMetaEntrySize {
			// A verifier need not read it (custody-log.md, Reader limits).
			return nil, fmt.Errorf("custody event: revocation data of %d bytes, more than the %d a verifier reads of one entry", len(r.DER), manifest.MaxMetaEntrySize)
		}
		e.Revocation = append(e.Revocation, custodylog.Revocation{Kind: r.Kind, SHA256: custodylog.Digest(r.DER)})
		revDER = append(revDER, r.DER)
	}
	fp, err := s.Key.Fingerprint()
	if err != nil {
		return nil, err
	}
	e.Actor.Fingerprint = fp
	// Declared before signing, so that the token cannot be removed unseen.
	e.Timestamped = s.Timestamp != nil
	ecKey, isECDSA := s.Key.Public().(*ecdsa.PublicKey)
	e.LowS = isECDSA
	data, err := e.Marshal()
	if err != nil {
		return nil, fmt.Errorf("custody event: %w", err)
	}
	if len(data) > manifest.MaxMetaEntrySize {
		return nil, fmt.Errorf("custody event: %d bytes, more than the %d a verifier reads of one", len(data), manifest.MaxMetaEntrySize)
	}
	sig, err := s.Key.SignMessage(ctx, data)
	if err != nil {
		return nil, fmt.Errorf("signing the custody event: %w", err)
	}
	if isECDSA {
		if sig, err = custodylog.LowS(ecKey, sig); err != nil {
			return nil, fmt.Errorf("signing the custody event: %w", err)
		}
	}
	pemBytes, err := manifest.MarshalPublicKeyPEM(s.Key.Public())
	if err != nil {
		return nil, err
	}
	rec := &Record{Event: &e, JSON: data, Sig: sig, PEM: pemBytes, Revocation: revDER}
	if s.Timestamp != nil {
		stamped := sig
		if e.Action == custodylog.Renewed {
			// The archive timestamp covers the event's JSON, a chain of
			// digests down to every sealed byte that does not depend on
			// this signature's algorithm staying strong.
			stamped = data
		}
		if rec.Token, err = s.Timestamp(ctx, stamped); err != nil {
			return nil, err
		}
		if len(rec.Token) > manifest.MaxMetaEntrySize {
			return nil, fmt.Errorf("the TSA answered %d bytes, more than the %d a verifier reads of a token", len(rec.Token), manifest.MaxMetaEntrySize)
		}
		if s.CheckToken != nil {
			if err := s.CheckToken(rec.Token, stamped); err != nil {
				return nil, fmt.Errorf("the TSA answered a token that does not verify: %w", err)
			}
		}
	}
	return rec, nil
}

// First signs the first event of a bundle being sealed, whose manifest
// signature is manifestSig and whose stored timestamp tokens are tokens
// (manifest.tsr, manifest.2.tsr, …): the exporter's "sealed" event, which
// seals those tokens with the signer's key.
func First(ctx context.Context, e custodylog.Event, manifestSig []byte, tokens [][]byte, s Signer, revocation ...Revocation) (*Record, error) {
	e.Seq, e.Prev, e.Bundle = 1, custodylog.ZeroDigest, custodylog.Digest(manifestSig)
	e.Tokens = TokenDigests(tokens)
	return Sign(ctx, e, s, revocation...)
}

// TokenDigests are the SHA-256 of each stored manifest token, in order:
// what event 1 and every renewal commit to.
func TokenDigests(tokens [][]byte) []string {
	digests := make([]string, len(tokens))
	for i, tok := range tokens {
		digests[i] = custodylog.Digest(tok)
	}
	return digests
}
