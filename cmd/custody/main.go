// Command custody exports clinical conversations into sealed evidence
// bundles: signed, RFC 3161-timestamped and hash-chained.
//
//	custody keygen --out doctor.key
//	custody tsa init --dir tsa && custody tsa serve --dir tsa --addr 127.0.0.1:3161
//	custody export --in case/ --key doctor.key --tsa http://127.0.0.1:3161 --out case.custody
//
// The bundles are checked by the standalone verifier, custody-verify.
package main

import (
	"errors"
	"fmt"
	"os"

	// Importers read times in the practice's zone (--tz): carry the zone
	// database so that a machine without one reads them the same.
	_ "time/tzdata"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/memlimit"
	"github.com/custody-toolkit/custody/internal/versioncmd"
	// --key may name a doctor's PKCS#12 file (keys.Load).
	_ "github.com/custody-toolkit/custody/keys/p12"
	// --key may name a key in a KMS (hashivault://, awskms://, gcpkms://,
	// azurekms://).
	_ "github.com/custody-toolkit/custody/keys/kms"
	// --key may name a key on a smart card or HSM (pkcs11: URIs).
	_ "github.com/custody-toolkit/custody/keys/pkcs11"
)

// subcommands holds the constructors of custody's commands; each command's
// file registers its own in an init function.
var subcommands []func() *cobra.Command

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "custody",
		Short: "Forensic chain-of-custody exports of clinical conversations",
		Long: `custody exports clinical conversations into sealed evidence bundles
(signed, RFC 3161-timestamped, hash-chained); custody-verify checks them.

Exit codes: 0 done, 1 the command failed (a TSA, a file, a check),
2 usage error (a flag, an argument, a refused input).`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	for _, c := range subcommands {
		root.AddCommand(c())
	}
	versioncmd.Add(root, "custody")
	return root
}

// usageError marks an error in how the command was called (exit code 2).
type usageError struct{ error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func main() {
	memlimit.Apply(memlimit.Verify) // export lowers it (runExport)
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "custody:", err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	return 0
}
