package main

import (
	"github.com/custody-toolkit/custody/internal/regfile"

	"fmt"
	"maps"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/internal/progress"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/verify"
)

func init() { subcommands = append(subcommands, newRenderCmd) }

func newRenderCmd() *cobra.Command {
	var out string
	var force, quiet bool
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
			bar := progress.New(cmd.ErrOrStderr(), quiet, renderSteps)
			defer bar.Done()
			return renderBundle(args[0], out, force, bar.Hook())
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the PDF to write")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing --out")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "show no progress (shown on stderr only when it is a terminal and the work takes over a second)")
	return cmd
}

// renderSteps name the steps of the bar: the verification's, then the
// rendering's.
var renderSteps = func() map[string]string {
	steps := maps.Clone(verify.ProgressLabels)
	steps["pdf"] = "rendering the PDF"
	return steps
}()

func renderBundle(path, out string, force bool, progress func(step string, done, total int64)) error {
	f, size, err := regfile.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := verify.Bundle(f, size, verify.Options{Progress: progress})
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
	if progress != nil {
		progress("pdf", 0, 0)
	}
	// The pages name the bundle as the file it was rendered from.
	if err := verify.StandaloneRendering(w, b, rep, filepath.Base(path)); err != nil {
		return err
	}
	return w.Commit(force)
}
