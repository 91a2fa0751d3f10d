package main

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/verify"
)

// disclosureFlags configure the proof of what a selective export leaves
// out (bundle format v2).
type disclosureFlags struct {
	saltSecret          string
	revealWithheldTimes bool
	extends             string
}

func (d *disclosureFlags) add(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&d.saltSecret, "salt-secret", "", "the practice's 32-byte secret (raw, or 64 hex digits) from which leaf salts derive, so that later exports of the conversation can be proven consistent with this one; without it the key file derives them (make one: head -c 32 /dev/urandom > salt.secret; keep it like the key)")
	fl.BoolVar(&d.revealWithheldTimes, "reveal-withheld-times", false, "list the time of each withheld message (its content, sender and attachments stay withheld)")
	fl.StringVar(&d.extends, "extends", "", "an earlier bundle of this conversation: fail unless the conversation still begins with exactly the messages it sealed, and seal a consistency proof to it")
}

func (d *disclosureFlags) options(insecurePerms bool) (custody.Disclosure, error) {
	out := custody.Disclosure{RevealWithheldTimes: d.revealWithheldTimes, Extends: d.extends}
	if d.extends != "" {
		out.CheckExtends = checkEarlierBundle
	}
	if d.saltSecret != "" {
		secret, err := readSaltSecret(d.saltSecret, insecurePerms)
		if err != nil {
			return out, err
		}
		out.SaltSecret = secret
	}
	return out, nil
}

// readSaltSecret reads 32 raw bytes, or 64 hex digits and an optional
// newline. Anyone holding it can test guesses of withheld messages against
// their leaves, so it gets the same file-permission rule as the key.
func readSaltSecret(path string, insecurePerms bool) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--salt-secret: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("--salt-secret: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 && !insecurePerms {
		return nil, fmt.Errorf("--salt-secret %s: readable by group or others (mode %v): chmod 600 it, or pass --insecure-key-permissions", path, st.Mode().Perm())
	}
	data, err := io.ReadAll(io.LimitReader(f, 100))
	if err != nil {
		return nil, fmt.Errorf("--salt-secret %s: %w", path, err)
	}
	if len(data) == 32 {
		return data, nil
	}
	if h := strings.TrimSuffix(string(data), "\n"); len(h) == 64 {
		if secret, err := hex.DecodeString(h); err == nil {
			return secret, nil
		}
	}
	return nil, fmt.Errorf("--salt-secret %s: %d bytes; want 32 raw bytes or 64 hex digits", path, len(data))
}

// checkEarlierBundle refuses to extend a bundle that does not verify.
// Without trust anchors its timestamps stay unestablished
// (INDETERMINATE): that is for the expert to judge, not a forgery.
func checkEarlierBundle(path string) error {
	rep, err := verify.BundleFile(path, verify.Options{})
	if err != nil {
		return err
	}
	if err := verify.FirstFailed(rep.Checks); err != nil {
		return fmt.Errorf("it does not verify: %w", err)
	}
	return nil
}

func printDisclosure(w io.Writer, res *custody.Result) {
	m := res.Manifest
	if d := verify.DisclosureOfRanges(m.Tree, m.Selection.Selected, res.WithheldRanges); d != nil {
		fmt.Fprintf(w, "  disclosure:  %s\n", d)
		fmt.Fprintf(w, "  tree root:   %s (%d messages)\n", m.Tree.Root, m.Tree.Size)
	}
	for _, c := range m.Consistency {
		fmt.Fprintf(w, "  extends:     the earlier export of %d messages, root %s (consistency proof sealed)\n", c.Size, c.Root)
	}
	if res.EphemeralSalts {
		fmt.Fprintln(w, "  note:        the leaf salts are random (the key cannot sign deterministically, no --salt-secret): later exports of this conversation cannot be proven consistent with this one")
	}
}
