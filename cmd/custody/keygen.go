package main

import (
	"github.com/custody-toolkit/custody/manifest"

	"crypto"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/custody-toolkit/custody/keys"
)

func init() { subcommands = append(subcommands, newKeygenCmd) }

type keygenOptions struct {
	out       string
	algorithm string
	mnemonic  bool
	restore   bool
	force     bool
}

func newKeygenCmd() *cobra.Command {
	var o keygenOptions
	cmd := &cobra.Command{
		Use:   "keygen --out FILE",
		Short: "Create the signing key, encrypted under a passphrase",
		Long: `Create a signing key in FILE (mode 0600, encrypted under a passphrase) and its
public key in FILE.pub, and print the key's fingerprint (SHA-256 of the public
key) for the doctor to publish.

The passphrase is read from the terminal, twice, without echo, or from the
CUSTODY_PASSPHRASE environment variable.

--mnemonic also prints 24 words that encode the key (Ed25519 only): write
them on paper and keep them safe, they ARE the key. --restore rebuilds the
same key from those words, read from standard input or from the
CUSTODY_MNEMONIC environment variable.`,
		Example: `  custody keygen --out doctor.key
  custody keygen --out doctor.key --mnemonic
  custody keygen --out doctor.key --restore < words.txt`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("keygen takes no arguments, got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runKeygen(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "private key file to create (the public key goes to FILE.pub)")
	f.StringVar(&o.algorithm, "algorithm", keys.Ed25519, "key algorithm: ed25519 or ecdsa-p256")
	f.BoolVar(&o.mnemonic, "mnemonic", false, "also print the key as 24 BIP-39 words (ed25519 only)")
	f.BoolVar(&o.restore, "restore", false, "rebuild the key from its 24 words instead of creating a new one")
	f.BoolVar(&o.force, "force", false, "replace an existing key (the old key is lost)")
	return cmd
}

func (o keygenOptions) check() error {
	switch {
	case o.out == "":
		return usagef("--out is required")
	case o.algorithm != keys.Ed25519 && o.algorithm != keys.ECDSAP256:
		return usagef("--algorithm %q: want %s or %s", o.algorithm, keys.Ed25519, keys.ECDSAP256)
	case (o.mnemonic || o.restore) && o.algorithm != keys.Ed25519:
		return usagef("--mnemonic and --restore work only with --algorithm %s", keys.Ed25519)
	case o.mnemonic && o.restore:
		return usagef("--mnemonic and --restore exclude each other: the words restored from are the backup")
	}
	return nil
}

func runKeygen(stdin io.Reader, stdout, stderr io.Writer, o keygenOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if !o.force {
		// Checked before asking anything; WritePrivate checks again.
		for _, p := range []string{o.out, o.out + ".pub"} {
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("%s already exists; use --force to replace the key (the old key is lost)", p)
			}
		}
	}
	var key crypto.Signer
	var err error
	if o.restore {
		key, err = restoreKey(stdin, stderr)
	} else {
		key, err = keys.Generate(o.algorithm)
	}
	if err != nil {
		return err
	}
	pass, err := keys.PassphraseFromEnvOrTerminal(fmt.Sprintf("Passphrase to encrypt %s: ", o.out), true)()
	if err != nil {
		return err
	}
	write := keys.WritePrivate
	if o.force {
		write = keys.ReplacePrivate
	}
	if err := write(o.out, key, pass); err != nil {
		return err
	}
	fp, err := manifest.Fingerprint(key.Public())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "fingerprint: %s\n", fp)
	if o.mnemonic {
		words, err := keys.Mnemonic(key)
		if err != nil {
			return err
		}
		fmt.Fprintln(stderr, "custody: the 24 words below ARE the private key, unencrypted: write them on paper, keep them offline.")
		fmt.Fprintln(stdout, words)
	}
	return nil
}

// maxMnemonicInput bounds what --restore reads: 24 words are under 250 bytes.
const maxMnemonicInput = 4 << 10

// restoreKey reads the 24 words from CUSTODY_MNEMONIC, the terminal (without
// echo) or standard input, and rebuilds the key.
func restoreKey(stdin io.Reader, stderr io.Writer) (crypto.Signer, error) {
	if words, ok := os.LookupEnv(keys.MnemonicEnv); ok {
		return keys.KeyFromMnemonic(words)
	}
	var words []byte
	var err error
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "The 24 words (not shown): ")
		words, err = term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
	} else {
		words, err = io.ReadAll(io.LimitReader(stdin, maxMnemonicInput+1))
		if len(words) > maxMnemonicInput {
			return nil, fmt.Errorf("standard input: more than %d bytes: not a 24-word mnemonic", maxMnemonicInput)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("reading the mnemonic: %w", err)
	}
	if strings.TrimSpace(string(words)) == "" {
		return nil, fmt.Errorf("no mnemonic on standard input (or set %s)", keys.MnemonicEnv)
	}
	return keys.KeyFromMnemonic(string(words))
}
