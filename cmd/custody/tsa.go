package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/custody-toolkit/custody/tsa/localtsa"
	"github.com/spf13/cobra"
)

func init() { subcommands = append(subcommands, newTSACmd) }

func newTSACmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tsa",
		Short: "Run a local RFC 3161 time-stamp authority (tests, air-gapped demos)",
	}
	cmd.AddCommand(newTSAInitCmd(), newTSAServeCmd())
	return cmd
}

func newTSAInitCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "init --dir DIR",
		Short: "Create a TSA: DIR/root.pem (trust anchor), DIR/tsa.pem, DIR/tsa.key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usagef("tsa init: --dir is required")
			}
			if err := localtsa.Init(dir); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "custody tsa: created %s; verifiers trust %s\n", dir, filepath.Join(dir, localtsa.RootFile))
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the TSA (created, 0700)")
	return cmd
}

func newTSAServeCmd() *cobra.Command {
	var dir, addr string
	cmd := &cobra.Command{
		Use:   "serve --dir DIR [--addr HOST:PORT]",
		Short: "Serve the TSA in DIR over HTTP until interrupted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usagef("tsa serve: --dir is required")
			}
			a, err := localtsa.LoadAuthority(dir)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			fmt.Fprintf(cmd.ErrOrStderr(), "custody tsa: serving RFC 3161 on http://%s/\n", ln.Addr())
			return localtsa.Serve(ctx, ln, a)
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "", "directory of the TSA, made by tsa init")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:3161", "address to listen on (port 0: any free port)")
	return cmd
}
