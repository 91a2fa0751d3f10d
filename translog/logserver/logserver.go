// Package logserver runs a local Rekor v2 transparency log: Sigstore's own
// server (rekor-tiles, POSIX backend), not one of ours, for a practice, a
// hospital or an air-gapped site that keeps its seals' log itself, and for
// tests and demos. It makes the log's signing key on first use, keeps it
// in the log's folder, and names the verifier key that custody-verify
// --trust-log reads.
//
// The server binary is built from the pinned release:
//
//	go install github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix@v2.3.0
//
// (its name is posix; custody looks for it as rekor-server-posix or posix
// on PATH, or takes --server).
package logserver

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/custody-toolkit/custody/translog"
)

// Version is the pinned rekor-tiles release.
const Version = "v2.3.0"

// Package is the server's Go package, for go install.
const Package = "github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix"

// Config of a log.
type Config struct {
	Binary string // the rekor-tiles POSIX server; empty: FindBinary
	Dir    string // the log's folder: key, tiles, checkpoint
	Origin string // the checkpoints' origin, the log's name (e.g. rekor.practice.example)
	// HTTPAddr is host:port to serve on; the gRPC and metrics ports are
	// free ones on the same host unless given.
	HTTPAddr, GRPCAddr, MetricsAddr string
	// CheckpointInterval: how often a checkpoint is published; a
	// submission waits for the next one.
	CheckpointInterval time.Duration
	Output             io.Writer // the server's log; nil: discarded
}

// Server is a running log.
type Server struct {
	URL         string // http://HOST:PORT
	Origin      string
	VerifierKey string // note verifier key: what --trust-log reads
	KeyFile     string // the log's private key (PKCS #8 PEM)
	TilesDir    string // the log's tiles and checkpoint (tlog-tiles layout)
	cmd         *exec.Cmd
}

// FindBinary looks for the server on PATH.
func FindBinary() (string, error) {
	for _, name := range []string{"rekor-server-posix", "posix"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("the Rekor v2 server is not installed: go install %s@%s (then pass its path with --server, or put it on PATH as rekor-server-posix)", Package, Version)
}

// Start runs the log until ctx is done or Stop is called, and returns
// once it answers.
func Start(ctx context.Context, c Config) (*Server, error) {
	if c.Binary == "" {
		var err error
		if c.Binary, err = FindBinary(); err != nil {
			return nil, err
		}
	}
	pub, keyFile, err := loadOrMakeKey(c.Dir)
	if err != nil {
		return nil, err
	}
	vkey, err := translog.VerifierKey(c.Origin, pub)
	if err != nil {
		return nil, err
	}
	if host, port, err := net.SplitHostPort(c.HTTPAddr); err == nil && port == "0" {
		// the server refuses port 0: pick a free one, as "any port" means
		if c.HTTPAddr, err = FreeAddr(host); err != nil {
			return nil, err
		}
	}
	args, err := c.args(keyFile)
	if err != nil {
		return nil, err
	}
	s := &Server{URL: "http://" + c.HTTPAddr, Origin: c.Origin, VerifierKey: vkey, KeyFile: keyFile, TilesDir: filepath.Join(c.Dir, "tiles")}
	s.cmd = exec.CommandContext(ctx, c.Binary, args...)
	if c.Output != nil {
		s.cmd.Stdout, s.cmd.Stderr = c.Output, c.Output
	}
	dieWithParent(s.cmd)
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", c.Binary, err)
	}
	if err := waitHealthy(s.URL); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// Wait waits for the server to exit.
func (s *Server) Wait() error { return s.cmd.Wait() }

// Stop ends the server.
func (s *Server) Stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

func (c Config) args(keyFile string) ([]string, error) {
	httpHost, httpPort, err := net.SplitHostPort(c.HTTPAddr)
	if err != nil {
		return nil, fmt.Errorf("listen address %q: %w", c.HTTPAddr, err)
	}
	grpcAddr, metricsAddr := c.GRPCAddr, c.MetricsAddr
	for _, a := range []*string{&grpcAddr, &metricsAddr} {
		if *a == "" {
			if *a, err = FreeAddr(httpHost); err != nil {
				return nil, err
			}
		}
	}
	grpcHost, grpcPort, _ := net.SplitHostPort(grpcAddr)
	_, metricsPort, _ := net.SplitHostPort(metricsAddr)
	interval := c.CheckpointInterval
	if interval == 0 {
		interval = time.Second
	}
	return []string{"serve",
		"--http-address=" + httpHost, "--http-port=" + httpPort,
		"--grpc-address=" + grpcHost, "--grpc-port=" + grpcPort, "--http-metrics-port=" + metricsPort,
		"--hostname=" + c.Origin, "--storage-dir=" + filepath.Join(c.Dir, "tiles"), "--signer-filepath=" + keyFile,
		"--checkpoint-interval=" + interval.String(), "--batch-max-age=50ms",
	}, nil
}

// loadOrMakeKey: the log's Ed25519 key in DIR/log-key.pem, made on first
// use (a log's key is its identity: it must outlive the process).
func loadOrMakeKey(dir string) (ed25519.PublicKey, string, error) {
	file := filepath.Join(dir, "log-key.pem")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, "", err
	}
	data, err := os.ReadFile(file)
	if errors.Is(err, os.ErrNotExist) {
		return makeKey(file)
	}
	if err != nil {
		return nil, "", err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, "", fmt.Errorf("%s: not a PEM private key", file)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	priv, ok := key.(ed25519.PrivateKey)
	if err != nil || !ok {
		return nil, "", fmt.Errorf("%s: not an Ed25519 PKCS #8 key", file)
	}
	return priv.Public().(ed25519.PublicKey), file, nil
}

func makeKey(file string) (ed25519.PublicKey, string, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, "", err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, "", err
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, "", err
	}
	return pub, file, f.Close()
}

// FreeAddr gives a free TCP address on host.
func FreeAddr(host string) (string, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	defer l.Close()
	return net.JoinHostPort(host, strconv.Itoa(l.Addr().(*net.TCPAddr).Port)), nil
}

func waitHealthy(url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the log at %s did not answer within 30 s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
