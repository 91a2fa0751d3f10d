package main

import (
	"github.com/custody-toolkit/custody/internal/regfile"

	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/pdf"
	"github.com/custody-toolkit/custody/record"
	"github.com/custody-toolkit/custody/verify"
)

func init() { subcommands = append(subcommands, newRenderCmd) }

func newRenderCmd() *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "render case.custody --out record.pdf",
		Short: "Render a bundle again as the PDF for the medical record",
		Long: `Render checks the bundle's integrity (as custody-verify does, without trust
anchors), then renders its messages as a PDF whose last page states the
manifest's digest, the signer and the timestamps. A bundle that fails
verification is not rendered.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usagef("render: --out is required")
			}
			return renderBundle(args[0], out, force)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the PDF to write")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing --out")
	return cmd
}

func renderBundle(path, out string, force bool) error {
	rep, err := verify.BundleFile(path, verify.Options{})
	if err != nil {
		return err
	}
	if rep.Result == verify.Failed {
		return fmt.Errorf("%s failed verification; run custody-verify to see why", path)
	}
	f, size, err := regfile.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := manifest.OpenBundle(f, size)
	if err != nil {
		return err
	}
	content, err := record.FromBundle(b)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b.ManifestBytes)
	seal := &record.Seal{ManifestSHA256: hex.EncodeToString(sum[:])}
	for _, ts := range rep.Timestamps {
		seal.Timestamps = append(seal.Timestamps, pdf.Timestamp{Time: ts.Time, TSA: ts.TSA})
	}
	if !force {
		if _, err := os.Lstat(out); err == nil {
			return fmt.Errorf("%s already exists (use --force to replace it)", out)
		}
	}
	w, err := atomicfile.Create(out)
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := record.Render(w, content, seal); err != nil {
		return err
	}
	return w.Commit(force)
}
