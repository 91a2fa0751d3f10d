// Package versioncmd gives custody's command lines the same answer to
// `version` and `--version`: the program, its version and commit
// (buildinfo), and the Go release that built it, so that a report or a bug
// can name exactly which build it came from.
package versioncmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/buildinfo"
)

// Add gives root a --version flag and a version subcommand.
func Add(root *cobra.Command, program string) {
	root.Version = buildinfo.String(program)
	root.SetVersionTemplate("{{.Version}}\n")
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and Go release of this build",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprintln(cmd.OutOrStdout(), root.Version)
		},
	})
}
