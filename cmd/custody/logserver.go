package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/translog/logserver"
)

func init() { subcommands = append(subcommands, newLogServerCmd) }

// logKeyFile is where log-server writes the log's verifier key, the file
// custody-verify --trust-log reads.
const logKeyFile = "log.pub"

func newLogServerCmd() *cobra.Command {
	var c logserver.Config
	cmd := &cobra.Command{
		Use:   "log-server --dir DIR --origin NAME [--addr HOST:PORT] [--server PATH]",
		Short: "Run a local Rekor v2 transparency log (Sigstore's server, POSIX storage) until interrupted",
		Long: `log-server runs Sigstore's Rekor v2 server (rekor-tiles) over the folder DIR, for a
practice, hospital or college that keeps its own log of seals, or for a demo. The
log's signing key is made in DIR on first use and kept there; its verifier key is
written to DIR/log.pub, the file custody-verify --trust-log reads. Export with
custody export --rekor http://HOST:PORT. The server itself is installed with
  go install ` + logserver.Package + `@` + logserver.Version,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.Dir == "" || c.Origin == "" {
				return usagef("log-server: --dir and --origin are required")
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			c.Output = cmd.ErrOrStderr()
			srv, err := logserver.Start(ctx, c)
			if err != nil {
				return err
			}
			pub := filepath.Join(c.Dir, logKeyFile)
			if err := os.WriteFile(pub, []byte(srv.VerifierKey+"\n"), 0o644); err != nil {
				srv.Stop()
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "custody log-server: log %s at %s; verifiers trust %s (%s)\n", srv.Origin, srv.URL, pub, srv.VerifierKey)
			err = srv.Wait()
			if ctx.Err() != nil {
				return nil // interrupted: the log stops with us
			}
			return fmt.Errorf("the log server exited: %v", err)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&c.Dir, "dir", "", "the log's folder: its key, tiles and checkpoints (created, 0700)")
	fl.StringVar(&c.Origin, "origin", "", "the log's name, on every checkpoint (e.g. rekor.practice.example)")
	fl.StringVar(&c.HTTPAddr, "addr", "127.0.0.1:3000", "address to serve on (port 0: any free port)")
	fl.StringVar(&c.Binary, "server", "", "the rekor-tiles POSIX server binary (default: rekor-server-posix or posix on PATH)")
	return cmd
}
