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
	"github.com/custody-toolkit/custody/keys/sigalg"
)

func init() { subcommands = append(subcommands, newKeygenCmd) }

type keygenOptions struct {
	out       string
	algorithm string
	// algorithmSet: --algorithm was given. --restore then checks the
	// words against it, and needs it for words that do not name theirs.
	algorithmSet bool
	mnemonic     bool
	restore      bool
	force        bool
}

func newKeygenCmd() *cobra.Command {
	var o keygenOptions
	cmd := &cobra.Command{
		Use:   "keygen --out FILE",
		Short: "Create the signing key, encrypted under a passphrase",
		Long: `Create a signing key in FILE (mode 0600, encrypted under a passphrase) and its
public key in FILE.pub, and print the key's fingerprint (SHA-256 of the public
key) for the doctor to publish.

The key is ECDSA P-256 unless --algorithm ed25519 is given. Both sign bundles
equally well; a standalone PDF (custody export --pdf) signed with Ed25519 is
checked by custody-verify but not by poppler's pdfsig or Adobe Acrobat, which
validate ECDSA PDF signatures only. Choose Ed25519 (no per-signature random
nonce to get wrong, shorter keys) only if those PDF readers do not matter.

The passphrase is read from the terminal, twice, without echo, or from the
CUSTODY_PASSPHRASE environment variable.

--mnemonic also prints the key as its algorithm's name followed by 24 words:
write them all on paper and keep them safe, they ARE the key. --restore
rebuilds the same key from them, read from standard input or from the
CUSTODY_MNEMONIC environment variable, and prints its fingerprint: compare it
with the one printed when the key was created. The same 24 words make a
different key under each algorithm, so the name is checked against --algorithm
when both are given; words written without the name (Ed25519 keys from custody
versions whose default was ed25519) need --algorithm ed25519.`,
		Example: `  custody keygen --out doctor.key
  custody keygen --out doctor.key --algorithm ed25519
  custody keygen --out doctor.key --mnemonic
  custody keygen --out doctor.key --restore < words.txt`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("keygen takes no arguments, got %q", args)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.algorithmSet = cmd.Flags().Changed("algorithm")
			return runKeygen(cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.out, "out", "", "private key file to create (the public key goes to FILE.pub)")
	f.StringVar(&o.algorithm, "algorithm", keys.DefaultAlgorithm, "key algorithm: ecdsa-p256 (PDF signatures that pdfsig and Acrobat validate) or ed25519")
	f.BoolVar(&o.mnemonic, "mnemonic", false, "also print the key as its algorithm's name and 24 BIP-39 words")
	f.BoolVar(&o.restore, "restore", false, "rebuild the key from its words (as --mnemonic prints them) instead of creating a new one")
	f.BoolVar(&o.force, "force", false, "replace an existing key (the old key is lost)")
	return cmd
}

func (o keygenOptions) check() error {
	switch {
	case o.out == "":
		return usagef("--out is required")
	case o.algorithm != keys.Ed25519 && o.algorithm != keys.ECDSAP256:
		return usagef("--algorithm %q: want %s or %s", o.algorithm, keys.ECDSAP256, keys.Ed25519)
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
		algorithm := ""
		if o.algorithmSet {
			algorithm = o.algorithm
		}
		key, err = restoreKey(stdin, stderr, algorithm)
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
	if o.restore {
		fmt.Fprintf(stderr, "custody: restored an %s key: check that its fingerprint is the one printed when the key was created\n", keyAlgorithm(key))
	}
	if o.mnemonic {
		words, err := keys.Mnemonic(key)
		if err != nil {
			return err
		}
		fmt.Fprintln(stderr, "custody: the algorithm name and 24 words below ARE the private key, unencrypted: write them all on paper, keep them offline.")
		fmt.Fprintln(stdout, words)
	}
	return nil
}

// maxMnemonicInput bounds what --restore reads: 24 words are under 250 bytes.
const maxMnemonicInput = 4 << 10

// restoreKey reads the words from CUSTODY_MNEMONIC, the terminal (without
// echo) or standard input, and rebuilds the key; algorithm is "" to take it
// from the words (keys.KeyFromMnemonic).
func restoreKey(stdin io.Reader, stderr io.Writer, algorithm string) (crypto.Signer, error) {
	if words, ok := os.LookupEnv(keys.MnemonicEnv); ok {
		return keys.KeyFromMnemonic(words, algorithm)
	}
	var words []byte
	var err error
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "The algorithm name and 24 words (not shown): ")
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
	return keys.KeyFromMnemonic(string(words), algorithm)
}

// keyAlgorithm names key's algorithm as --algorithm does.
func keyAlgorithm(key crypto.Signer) string {
	if alg, ok := sigalg.ForKey(key.Public()); ok {
		return alg.KeyType
	}
	return keys.ECDSAP256
}
