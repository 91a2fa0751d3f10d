// Package rekor submits a seal to a Rekor v2 transparency log
// (github.com/sigstore/rekor-tiles), through its own Go client: a
// hashedrekord entry stating the manifest's digest, a signature by the
// sealing key and that key (translog.Statement). The log answers with the
// entry, its inclusion proof and a signed checkpoint, which the exporter
// stores in the bundle as Encode writes it.
//
// This is the one package of custody that talks to a log; the verifier
// reads what it stored, offline (package translog).
package rekor

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	commonpb "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	rekorpb "github.com/sigstore/protobuf-specs/gen/pb-go/rekor/v1"
	"github.com/sigstore/rekor-tiles/v2/pkg/client"
	"github.com/sigstore/rekor-tiles/v2/pkg/client/write"
	pb "github.com/sigstore/rekor-tiles/v2/pkg/generated/protobuf"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/custody-toolkit/custody/internal/buildinfo"
	"github.com/custody-toolkit/custody/translog"
)

// Timeout of one submission: Rekor v2 answers once a checkpoint includes
// the entry, which takes up to its checkpoint interval (Sigstore asks
// clients to wait at least 20 s).
const Timeout = 60 * time.Second

// Log is a Rekor v2 log, by its base URL (https://log2025-1.rekor.sigstore.dev,
// http://127.0.0.1:3000).
type Log struct {
	URL string
}

// Submit logs the statement and returns the stored form of the entry the
// log answers, after checking that it states st and that its inclusion
// proof holds (its checkpoint's key is checked by the verifier, which
// knows which logs it trusts).
func (l *Log) Submit(ctx context.Context, st *translog.Statement) ([]byte, error) {
	w, err := write.NewWriter(l.URL, client.WithUserAgent(buildinfo.String("custody")), client.WithTimeout(Timeout))
	if err != nil {
		return nil, l.errorf(err)
	}
	entry, err := w.Add(ctx, Request(st))
	if err != nil {
		return nil, l.errorf(err)
	}
	data, err := Encode(entry)
	if err != nil {
		return nil, l.errorf(err)
	}
	// Checked as stored, by the verifier's reader.
	stored, err := translog.Parse(data)
	if err != nil {
		return nil, l.errorf(fmt.Errorf("its answer, stored: %w", err))
	}
	if _, err := translog.Verify(stored, st, nil); err != nil {
		return nil, l.errorf(fmt.Errorf("its answer does not prove the entry: %w", err))
	}
	return data, nil
}

// Encode gives the bytes a bundle stores for entry: its protobuf JSON in
// the canonical form of RFC 8785, the one encoding of its content, so
// that no byte of the stored entry is free (protojson itself varies its
// whitespace on purpose). translog.Parse reads it.
func Encode(entry *rekorpb.TransparencyLogEntry) ([]byte, error) {
	raw, err := protojson.Marshal(entry)
	if err != nil {
		return nil, err
	}
	return jsoncanonicalizer.Transform(raw)
}

// LogURL names the log in the manifest's transparency_logs.
func (l *Log) LogURL() string { return l.URL }

func (l *Log) errorf(err error) error {
	return fmt.Errorf("transparency log %s: %w", l.URL, err)
}

// Request is what a Rekor v2 log is sent for st: a hashedrekord v0.0.2
// request naming the signer by its public key.
func Request(st *translog.Statement) *pb.HashedRekordRequestV002 {
	return &pb.HashedRekordRequestV002{
		Digest: slices.Clone(st.Digest),
		Signature: &pb.Signature{
			Content: st.Signature,
			Verifier: &pb.Verifier{
				Verifier:   &pb.Verifier_PublicKey{PublicKey: &pb.PublicKey{RawBytes: st.PublicKey}},
				KeyDetails: commonpb.PublicKeyDetails(commonpb.PublicKeyDetails_value[st.KeyDetails]),
			},
		},
	}
}
