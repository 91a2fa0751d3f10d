package main

import (
	"github.com/custody-toolkit/custody/internal/regfile"

	"fmt"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/manifest"
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
	f, size, err := regfile.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := verify.Bundle(f, size, verify.Options{})
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if rep.Result == verify.Failed {
		return fmt.Errorf("%s failed verification; run custody-verify to see why", path)
	}
	b, err := manifest.OpenBundle(f, size)
	if err != nil {
		return err
	}
	if err := atomicfile.Absent(out, force); err != nil {
		return err
	}
	w, err := atomicfile.Create(out)
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := verify.StandaloneRendering(w, b, rep); err != nil {
		return err
	}
	return w.Commit(force)
}
