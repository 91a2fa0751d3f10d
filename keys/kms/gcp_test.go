package kms_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"hash/crc32"
	"net"
	"strings"
	"testing"

	"cloud.google.com/go/kms/apiv1/kmspb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/keys/kms"
)

// gcpKeyRing is where the fake Google Cloud KMS keeps its keys.
const gcpKeyRing = "projects/custody-test/locations/europe-west1/keyRings/practice/cryptoKeys/"

// gcpKey is a key the fake Google Cloud KMS holds, as one enabled
// version "1" of the algorithm given; denied: every request about it is
// refused as for a caller without the permission.
type gcpKey struct {
	key       crypto.Signer
	algorithm kmspb.CryptoKeyVersion_CryptoKeyVersionAlgorithm
	denied    bool
}

// fakeGCPKMS is Google Cloud KMS's gRPC API (google.cloud.kms.v1
// KeyManagementService, through its generated server interface) as far
// as sigstore's provider uses it: GetCryptoKey, GetCryptoKeyVersion,
// ListCryptoKeyVersions, GetPublicKey and AsymmetricSign of a digest, with
// the CRC32C integrity fields the real service checks and returns. It
// answers errors as the service does (gRPC status NotFound,
// PermissionDenied, InvalidArgument with its message).
type fakeGCPKMS struct {
	kmspb.UnimplementedKeyManagementServiceServer
	keys map[string]gcpKey // by key name (gcpKeyRing + K)
}

// startFakeGCPKMS serves the fake on a local port and points the gcpkms
// provider at it for the rest of t.
func startFakeGCPKMS(t *testing.T, held map[string]gcpKey) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	fake := &fakeGCPKMS{keys: map[string]gcpKey{}}
	for name, k := range held {
		fake.keys[gcpKeyRing+name] = k
	}
	kmspb.RegisterKeyManagementServiceServer(srv, fake)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	kms.SetGCPEndpoint(t, lis.Addr().String())
}

// lookup is the key a resource name (a key's or one of its versions')
// names, or the service's error.
func (f *fakeGCPKMS) lookup(name string) (gcpKey, string, error) {
	keyName, version, _ := strings.Cut(name, "/cryptoKeyVersions/")
	k, ok := f.keys[keyName]
	switch {
	case !ok || version != "" && version != "1":
		return k, "", status.Errorf(codes.NotFound, "%s not found.", name)
	case k.denied:
		return k, "", status.Errorf(codes.PermissionDenied, "Permission 'cloudkms.cryptoKeyVersions.useToSign' denied on resource '%s' (or it may not exist).", keyName)
	}
	return k, keyName + "/cryptoKeyVersions/1", nil
}

func (f *fakeGCPKMS) version(name string, k gcpKey) *kmspb.CryptoKeyVersion {
	return &kmspb.CryptoKeyVersion{Name: name, Algorithm: k.algorithm, State: kmspb.CryptoKeyVersion_ENABLED}
}

func (f *fakeGCPKMS) GetCryptoKey(_ context.Context, req *kmspb.GetCryptoKeyRequest) (*kmspb.CryptoKey, error) {
	k, version, err := f.lookup(req.GetName())
	if err != nil {
		return nil, err
	}
	return &kmspb.CryptoKey{Name: req.GetName(), Purpose: kmspb.CryptoKey_ASYMMETRIC_SIGN, Primary: f.version(version, k)}, nil
}

func (f *fakeGCPKMS) GetCryptoKeyVersion(_ context.Context, req *kmspb.GetCryptoKeyVersionRequest) (*kmspb.CryptoKeyVersion, error) {
	k, version, err := f.lookup(req.GetName())
	if err != nil {
		return nil, err
	}
	return f.version(version, k), nil
}

func (f *fakeGCPKMS) ListCryptoKeyVersions(_ context.Context, req *kmspb.ListCryptoKeyVersionsRequest) (*kmspb.ListCryptoKeyVersionsResponse, error) {
	k, version, err := f.lookup(req.GetParent())
	if err != nil {
		return nil, err
	}
	return &kmspb.ListCryptoKeyVersionsResponse{CryptoKeyVersions: []*kmspb.CryptoKeyVersion{f.version(version, k)}, TotalSize: 1}, nil
}

func (f *fakeGCPKMS) GetPublicKey(_ context.Context, req *kmspb.GetPublicKeyRequest) (*kmspb.PublicKey, error) {
	k, version, err := f.lookup(req.GetName())
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(k.key.Public())
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	p := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	return &kmspb.PublicKey{Name: version, Pem: p, PemCrc32C: wrapperspb.Int64(crc32c([]byte(p))), Algorithm: k.algorithm}, nil
}

// AsymmetricSign signs the digest as the key version's algorithm says:
// a digest of another hash than the algorithm's is refused, as the
// service refuses it.
func (f *fakeGCPKMS) AsymmetricSign(_ context.Context, req *kmspb.AsymmetricSignRequest) (*kmspb.AsymmetricSignResponse, error) {
	k, version, err := f.lookup(req.GetName())
	if err != nil {
		return nil, err
	}
	digest := req.GetDigest().GetSha256()
	name := k.algorithm.String()
	if digest == nil || strings.HasSuffix(name, "_SHA512") || strings.HasSuffix(name, "_SHA384") {
		return nil, status.Errorf(codes.InvalidArgument, "The request digest type does not match the digest type of the key version's algorithm %s.", name)
	}
	if c := req.GetDigestCrc32C(); c != nil && c.GetValue() != crc32c(digest) {
		return nil, status.Error(codes.InvalidArgument, "The checksum in field digest_crc32c did not match the data in field digest.")
	}
	var opts crypto.SignerOpts = crypto.SHA256
	if strings.HasPrefix(name, "RSA_SIGN_PSS_") {
		opts = &rsa.PSSOptions{Hash: crypto.SHA256, SaltLength: rsa.PSSSaltLengthEqualsHash}
	}
	sig, err := k.key.Sign(rand.Reader, digest, opts)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &kmspb.AsymmetricSignResponse{
		Name: version, Signature: sig, SignatureCrc32C: wrapperspb.Int64(crc32c(sig)),
		VerifiedDigestCrc32C: req.GetDigestCrc32C() != nil,
	}, nil
}

func crc32c(data []byte) int64 {
	return int64(crc32.Checksum(data, crc32.MakeTable(crc32.Castagnoli)))
}

// TestGCPKMS: Google Cloud KMS keys (EC_SIGN_P256_SHA256,
// RSA_SIGN_PKCS1_2048_SHA256; named with and without their version) seal
// bundles that verify PASSED with the key the service published, and
// their signatures verify against it. A version of another algorithm is
// refused before anything is written: PSS by custody's own check of the
// signature, SHA-512 by the service, whose error is named; a key the
// service does not hold, or the caller may not use, is refused when
// opened, naming the service's error.
func TestGCPKMS(t *testing.T) {
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	startFakeGCPKMS(t, map[string]gcpKey{
		"doctor-ec":  {key: p256, algorithm: kmspb.CryptoKeyVersion_EC_SIGN_P256_SHA256},
		"doctor-rsa": {key: rsa2048, algorithm: kmspb.CryptoKeyVersion_RSA_SIGN_PKCS1_2048_SHA256},
		"pss":        {key: rsa2048, algorithm: kmspb.CryptoKeyVersion_RSA_SIGN_PSS_2048_SHA256},
		"sha512":     {key: rsa2048, algorithm: kmspb.CryptoKeyVersion_RSA_SIGN_PKCS1_4096_SHA512},
		"forbidden":  {key: p256, algorithm: kmspb.CryptoKeyVersion_EC_SIGN_P256_SHA256, denied: true},
	})
	uri := func(name string) string { return "gcpkms://" + gcpKeyRing + name }
	fx := testbundle.New(t, "ed25519")
	sealsAndVerifies(t, fx, uri("doctor-ec"), p256.Public())
	sealsAndVerifies(t, fx, uri("doctor-rsa")+"/cryptoKeyVersions/1", rsa2048.Public())
	refusedAtSignature(t, fx, uri("pss"), "does not verify as RSASSA-PKCS1-v1_5")
	refusedAtSignature(t, fx, uri("sha512"), "InvalidArgument")
	refusedWhenOpened(t, uri("absent"), "NotFound")
	refusedWhenOpened(t, uri("forbidden"), "PermissionDenied")
}
