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

	"github.com/custody-toolkit/custody/internal/atomicfile"
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
	// key is an existing key to write --csr or --export-pkcs8 for,
	// instead of creating one at out.
	key          string
	pkcs11Module string
	csr          string
	subject      string
	exportPKCS8  string
}

func newKeygenCmd() *cobra.Command {
	var o keygenOptions
	cmd := &cobra.Command{
		Use:   "keygen --out FILE | --key FILE --csr FILE --subject NAME | --key FILE --export-pkcs8 FILE",
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
versions whose default was ed25519) need --algorithm ed25519.

--csr writes a certificate signing request (PKCS#10, PEM) for the key, with
the subject --subject, for a CA to certify: its certificate, with the CA's
chain, then names the doctor in bundles and PDFs (docs/identity.md).
--export-pkcs8 writes the key as an encrypted PKCS#8 file (PBES2, AES-256,
the same passphrase) that openssl and other tools read. Both work with a new
key (--out) or an existing one (--key).`,
		Example: `  custody keygen --out doctor.key
  custody keygen --out doctor.key --algorithm ed25519
  custody keygen --out doctor.key --mnemonic
  custody keygen --out doctor.key --restore < words.txt
  custody keygen --key doctor.key --csr doctor.csr --subject '/CN=Dra. María Núñez/serialNumber=IDCES-12345678Z/C=ES'
  custody keygen --key doctor.key --export-pkcs8 doctor.pk8.pem`,
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
	f.StringVar(&o.key, "key", "", "an existing key (custody key file, PKCS#12, or a card's pkcs11: URI for --csr) to write --csr or --export-pkcs8 for, instead of creating one")
	f.StringVar(&o.pkcs11Module, "pkcs11-module", "", pkcs11ModuleUsage)
	f.StringVar(&o.csr, "csr", "", "also write a certificate signing request (PKCS#10 PEM) for the key to this file; needs --subject")
	f.StringVar(&o.subject, "subject", "", "the --csr subject, as openssl writes it (/CN=…/O=…/C=ES) or as RFC 4514 does (CN=…,O=…,C=ES)")
	f.StringVar(&o.exportPKCS8, "export-pkcs8", "", "also write the key as an encrypted PKCS#8 PEM (openssl reads it) to this file, under the same passphrase")
	return cmd
}

func (o keygenOptions) check() error {
	switch {
	case o.key != "" && o.out != "":
		return usagef("--key (an existing key) and --out (a new one) exclude each other")
	case o.key != "" && o.csr == "" && o.exportPKCS8 == "":
		return usagef("--key needs --csr or --export-pkcs8: what to write for the key")
	case o.key != "" && (o.mnemonic || o.restore):
		return usagef("--mnemonic and --restore are for a new key (--out)")
	case (o.csr == "") != (o.subject == ""):
		return usagef("--csr and --subject go together")
	case o.out == "" && o.key == "":
		return usagef("--out is required")
	case o.algorithm != keys.Ed25519 && o.algorithm != keys.ECDSAP256:
		return usagef("--algorithm %q: want %s or %s", o.algorithm, keys.ECDSAP256, keys.Ed25519)
	case o.mnemonic && o.restore:
		return usagef("--mnemonic and --restore exclude each other: the words restored from are the backup")
	}
	if o.subject != "" {
		// Checked before a key is made: a bad subject must not leave a
		// key without its request.
		if _, err := keys.ParseSubject(o.subject); err != nil {
			return usagef("--subject: %v", err)
		}
	}
	return nil
}

func runKeygen(stdin io.Reader, stdout, stderr io.Writer, o keygenOptions) error {
	if err := o.check(); err != nil {
		return err
	}
	if o.key != "" {
		return writeForExistingKey(stdout, o)
	}
	if !o.force {
		// Checked before asking anything; WritePrivate checks again.
		for _, p := range []string{o.out, o.out + ".pub", o.csr, o.exportPKCS8} {
			if p == "" {
				continue
			}
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
	if err := writeKeyExtras(stdout, key, pass, o); err != nil {
		return fmt.Errorf("the key %s was written: %w", o.out, err)
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

// writeForExistingKey writes --csr and --export-pkcs8 for the key at
// --key, under the passphrase it is opened with.
func writeForExistingKey(stdout io.Writer, o keygenOptions) error {
	var pass []byte
	ask := keys.PassphraseFromEnvOrTerminal("Passphrase for "+o.key+": ", false)
	signer, err := keys.Load(o.key, keys.LoadOptions{PKCS11Module: o.pkcs11Module, Passphrase: func() ([]byte, error) {
		p, err := ask()
		pass = p
		return p, err
	}})
	if err != nil {
		return err
	}
	return writeKeyExtras(stdout, signer.Key(), pass, o)
}

// writeKeyExtras writes what a CA (--csr) or openssl (--export-pkcs8)
// needs of key; neither file is overwritten unless --force.
func writeKeyExtras(stdout io.Writer, key crypto.Signer, pass []byte, o keygenOptions) error {
	if o.csr != "" {
		subject, _ := keys.ParseSubject(o.subject) // checked by check
		csr, err := keys.CertificateRequest(key, subject)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(o.csr, csr, 0o644, o.force); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "certificate request: %s (%s)\n", o.csr, subject)
	}
	if o.exportPKCS8 != "" {
		pk8, err := keys.MarshalEncryptedPKCS8(key, pass)
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(o.exportPKCS8, pk8, 0o600, o.force); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "PKCS#8 key: %s (encrypted, same passphrase)\n", o.exportPKCS8)
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
