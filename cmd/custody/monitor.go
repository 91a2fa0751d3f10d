package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/keys/sigalg"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/translog"
	"github.com/custody-toolkit/custody/translog/monitor"
)

func init() { subcommands = append(subcommands, newMonitorCmd) }

func newMonitorCmd() *cobra.Command {
	var o monitor.Options
	var logKey, signer string
	cmd := &cobra.Command{
		Use:   "monitor --log URL|DIR --trust-log log.pub --signer FINGERPRINT|KEY.pub [--since INDEX] [--state DIR] [--check-consistency]",
		Short: "List every seal a key made in a transparency log (key misuse), and check the log stays append-only",
		Long: `monitor reads a Rekor v2 transparency log's tiles (its URL, or the folder of a
custody log-server) and lists every seal by the key --signer: index and the
digest of the manifest sealed (Rekor v2 records no time: the bundle's timestamps
hold it). A seal you did not make is a seal by a stolen key. With --state, the
checkpoints seen are kept; with --check-consistency, each new one is proven to
extend the last (RFC 6962), and a fork or a rollback is reported (exit 1).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.Log == "" || logKey == "" || signer == "" {
				return usagef("monitor: --log, --trust-log and --signer are required")
			}
			if o.CheckConsistency && o.StateDir == "" {
				return usagef("monitor: --check-consistency needs --state, where the checkpoints seen are kept")
			}
			var err error
			if o.Signer, err = signerFingerprint(signer); err != nil {
				return err
			}
			data, err := os.ReadFile(logKey)
			if err != nil {
				return err
			}
			if o.Trusted, err = translog.ParseTrusted(data); err != nil {
				return fmt.Errorf("--trust-log %s: %w", logKey, err)
			}
			res, err := monitor.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			return printMonitor(cmd, o, res)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&o.Log, "log", "", "the log's tiles: its URL (https://…) or its folder (custody log-server --dir DIR: DIR/tiles)")
	fl.StringVar(&logKey, "trust-log", "", "the log's key: note verifier keys or a Sigstore trusted root (as custody-verify --trust-log)")
	fl.StringVar(&signer, "signer", "", "the key to look for: its fingerprint (SHA-256 hex) or its public key PEM file")
	fl.Uint64Var(&o.Since, "since", 0, "the first log index to read")
	fl.StringVar(&o.StateDir, "state", "", "a folder where the checkpoints seen are kept")
	fl.BoolVar(&o.CheckConsistency, "check-consistency", false, "prove the log's checkpoint consistent with the last one kept in --state")
	return cmd
}

// signerFingerprint: a fingerprint as given, or that of a public key file.
func signerFingerprint(s string) (string, error) {
	if len(s) == 64 && strings.Trim(s, "0123456789abcdef") == "" {
		return s, nil
	}
	data, err := os.ReadFile(s)
	if err != nil {
		return "", usagef("monitor: --signer %q is neither a SHA-256 fingerprint nor a readable public key file", s)
	}
	pub, err := manifest.ParsePublicKey(data)
	if err != nil {
		return "", fmt.Errorf("--signer %s: %w", s, err)
	}
	return sigalg.Fingerprint(pub)
}

func printMonitor(cmd *cobra.Command, o monitor.Options, res *monitor.Result) error {
	w := cmd.OutOrStdout()
	cp := res.Checkpoint
	fmt.Fprintf(w, "log %s: checkpoint of size %d signed by %s; read entries %d to %d\n", cp.Origin, cp.Size, res.KeyName, o.Since, max(cp.Size, 1)-1)
	for _, s := range res.Seals {
		fmt.Fprintf(w, "  index %d  %s %s\n", s.Index, s.HashAlgorithm, s.Digest)
	}
	fmt.Fprintf(w, "%d seal(s) by key %s\n", len(res.Seals), o.Signer)
	if res.Consistency != "" {
		fmt.Fprintf(w, "consistency: %s\n", res.Consistency)
	}
	if res.Fork != nil {
		return res.Fork
	}
	return nil
}
