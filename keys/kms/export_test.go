package kms

import (
	"testing"
	"time"

	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// SetOpenTimeout bounds opening a key for the rest of t.
func SetOpenTimeout(t *testing.T, d time.Duration) {
	old := openTimeout
	openTimeout = d
	t.Cleanup(func() { openTimeout = old })
}

// SetGCPEndpoint sends Google Cloud KMS requests to a plain-text gRPC
// server at addr, without credentials, for the rest of t.
func SetGCPEndpoint(t *testing.T, addr string) {
	old := gcpClientOptions
	gcpClientOptions = []option.ClientOption{
		option.WithEndpoint(addr),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
	t.Cleanup(func() { gcpClientOptions = old })
}
