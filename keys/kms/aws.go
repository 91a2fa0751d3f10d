package kms

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/config"
	awskms "github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/sigstore/sigstore/pkg/signature/kms/aws"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// loadAWS opens an AWS KMS key (awskms:///alias/NAME, a key id or an ARN,
// optionally with HOST:PORT for another HTTPS endpoint). The provider
// signs with the first signing algorithm the key's metadata (DescribeKey)
// lists, which custody cannot choose; custody watches that answer go by
// and refuses a key whose first algorithm is not the format's for its
// type.
func loadAWS(uri string) (crypto.Signer, error) {
	var first firstSigningAlgorithm
	sv, err := aws.LoadSignerVerifier(background(), uri, config.WithAPIOptions(first.watch()))
	if err != nil {
		return nil, err
	}
	// PublicKey reads the key and its metadata now, for CryptoSigner to
	// find them cached.
	pub, err := sv.PublicKey(options.WithContext(background()))
	if err != nil {
		return nil, err
	}
	if err := first.check(pub); err != nil {
		return nil, err
	}
	return cryptoSigner(sv, nil)
}

// firstSigningAlgorithm is the first algorithm the last DescribeKey
// answer listed: the one the provider signs with.
type firstSigningAlgorithm struct {
	mu  sync.Mutex
	alg types.SigningAlgorithmSpec
}

// watch is an SDK option recording each DescribeKey answer's first
// signing algorithm.
func (f *firstSigningAlgorithm) watch() []func(*middleware.Stack) error {
	record := middleware.InitializeMiddlewareFunc("custodyFirstSigningAlgorithm",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if d, ok := out.Result.(*awskms.DescribeKeyOutput); ok && d.KeyMetadata != nil && len(d.KeyMetadata.SigningAlgorithms) > 0 {
				f.mu.Lock()
				f.alg = d.KeyMetadata.SigningAlgorithms[0]
				f.mu.Unlock()
			}
			return out, md, err
		})
	return []func(*middleware.Stack) error{func(s *middleware.Stack) error {
		return s.Initialize.Add(record, middleware.After)
	}}
}

// check refuses a key the provider would sign with another algorithm
// than the bundle format's for pub's type (a PSS or SHA-384 signature
// would not verify).
func (f *firstSigningAlgorithm) check(pub crypto.PublicKey) error {
	f.mu.Lock()
	alg := f.alg
	f.mu.Unlock()
	var want types.SigningAlgorithmSpec
	switch pub.(type) {
	case *rsa.PublicKey:
		want = types.SigningAlgorithmSpecRsassaPkcs1V15Sha256
	case *ecdsa.PublicKey:
		want = types.SigningAlgorithmSpecEcdsaSha256
	default:
		return nil // keys.NewSigner names what it accepts
	}
	if alg != want {
		return fmt.Errorf("AWS KMS would sign with %s, the first signing algorithm the key lists; custody needs %s "+
			"(docs/identity.md, \"Hospital KMS keys\")", orNone(alg), want)
	}
	return nil
}

func orNone(alg types.SigningAlgorithmSpec) string {
	if alg == "" {
		return "no algorithm"
	}
	return string(alg)
}
