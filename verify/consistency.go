package verify

import (
	"errors"
	"fmt"
	"io"

	"github.com/custody-toolkit/custody/manifest"
)

// Consistency is the outcome of proving that a newer export of a
// conversation extends an older one unchanged (Report.Consistency).
type Consistency struct {
	// Older is the full report on the older bundle.
	Older  *Report `json:"older"`
	Status Status  `json:"status"`
	// FirstDifference is the first position (0-based, as in the manifest)
	// where the two exports' leaves differ, or where the newer one ends.
	FirstDifference *int   `json:"first_difference,omitempty"`
	Detail          string `json:"detail"`
}

// Consistent verifies both bundles, then proves that the conversation
// sealed in newer begins with exactly the messages sealed in older: the
// consistency proof newer carries, or one computed from the leaves both
// list (a v2 bundle lists every leaf: computed for a disclosed message,
// given for a withheld one). The report is newer's, with the checks
// "older bundle" and "consistency" added and Consistency set.
//
// olderOpts verify the older bundle; they differ from opts only in the
// expected signer (custody-verify --older-signer). Two bundles sealed by
// different keys prove nothing about each other unless both keys are
// expected ones: the consistency is then INDETERMINATE, not PASSED, since
// anyone can seal a conversation that begins like another.
func Consistent(olderPath, newerPath string, opts, olderOpts Options) (*Report, error) {
	olderOpts.keepLeaves, opts.keepLeaves = true, true
	older, err := BundleFile(olderPath, olderOpts)
	if err != nil {
		return nil, err
	}
	if older.leaves != nil && older.parsed != nil {
		// Kept while the newer bundle is verified, the older report needs
		// its leaves, not its manifest's way back to the messages: that
		// holds the older bundle's index (about 9 MB at 158,000 entries),
		// and its file is closed. Without it the newer verification ran
		// at the memory limit, collecting all the time (114 s of CPU for
		// two bundles of 150,000 messages, 56 s for each alone).
		older.parsed = older.parsed.ReadingFrom(func() (io.ReadCloser, error) {
			return nil, errors.New("the older bundle's messages are not kept (its leaves are)")
		})
	}
	newer, err := BundleFile(newerPath, opts)
	if err != nil {
		return nil, err
	}
	c := &Consistency{Older: older}
	newer.Consistency = c
	newer.Checks = append(newer.Checks, Check{Name: "older bundle", Status: older.Result,
		Detail: fmt.Sprintf("%s verifies %s (its report: consistency.older)", olderPath, older.Result)})
	c.Status, c.Detail = Indeterminate, "not checked"
	var sub SubIndication
	switch {
	case older.Result == Failed || newer.Result == Failed:
		c.Status, c.Detail = Failed, "not checked: a bundle failed verification"
	case older.parsed == nil || newer.parsed == nil:
	case older.Signer.Fingerprint != newer.Signer.Fingerprint && !(older.Signer.Checked && newer.Signer.Checked):
		c.Detail = fmt.Sprintf("not proven: the bundles were sealed by different keys, %s (older) and %s (newer), not both expected; "+
			"name each signer (--older-signer and --signer) to prove one extends the other", older.Signer.Fingerprint, newer.Signer.Fingerprint)
		sub = SigConstraintsFailure // ETSI: the signers do not meet the constraint of being the expected ones
	default:
		c.prove(older, newer)
		c.nameSigners(older.Signer, newer.Signer)
	}
	newer.Checks = append(newer.Checks, Check{Name: "consistency", Status: c.Status, Detail: c.Detail, Sub: sub})
	newer.Result = Verdict(newer.Checks)
	return newer, nil
}

// nameSigners says in the detail who sealed the two bundles.
func (c *Consistency) nameSigners(older, newer Signer) {
	checked := func(s Signer) string {
		if s.Checked {
			return "the expected key"
		}
		return "identity NOT checked"
	}
	if older.Fingerprint == newer.Fingerprint {
		c.Detail += fmt.Sprintf("; both sealed by key %s (%s)", newer.Fingerprint, checked(newer))
		return
	}
	c.Detail += fmt.Sprintf("; sealed by different keys, both expected: %s (older) and %s (newer)", older.Fingerprint, newer.Fingerprint)
}

func (c *Consistency) prove(older, newer *Report) {
	om, nm := older.parsed, newer.parsed
	fail := func(pos int, format string, args ...any) {
		c.Status, c.Detail, c.FirstDifference = Failed, fmt.Sprintf(format, args...), &pos
	}
	if !om.HasTree() || !nm.HasTree() {
		c.Status, c.Detail = Indeterminate, "cannot be proven: a "+manifest.FormatV1+" bundle commits to no Merkle tree"
		return
	}
	// The conversation ids are not compared on their own: since 2026-12-03
	// an export keys its id with the salt key, so an older export of the
	// same conversation carries its plain id. The leaves decide: equal
	// leaves need the same messages under the same salts.
	sameID := om.Conversation.ID == nm.Conversation.ID
	// Both bundles' roots were recomputed from these leaves (disclosure).
	oldLeaves, err1 := leavesOf(older)
	newLeaves, err2 := leavesOf(newer)
	if err1 != nil || err2 != nil {
		c.Status, c.Detail = Failed, fmt.Sprintf("leaves unreadable: %v %v", err1, err2)
		return
	}
	for i := range oldLeaves {
		if i >= len(newLeaves) {
			fail(i, "the older export seals %d messages, the newer only %d: messages from position %d (counted from 1) on were dropped", len(oldLeaves), len(newLeaves), i+1)
			return
		}
		if oldLeaves[i] != newLeaves[i] {
			why := "changed, dropped or inserted in between (or the exports used different salts)"
			if !sameID {
				why = fmt.Sprintf("the bundles name different conversations, %q and %q, or used different salts", om.Conversation.ID, nm.Conversation.ID)
			}
			fail(i, "the message at position %d (counted from 1) differs between the exports: %s", i+1, why)
			return
		}
	}
	oldRoot, newRoot := manifest.TreeRoot(oldLeaves), manifest.TreeRoot(newLeaves)
	how := "computed from the leaves both bundles list"
	for _, carried := range nm.Consistency {
		if carried.Size == len(oldLeaves) && carried.Root == om.Tree.Root {
			_, proof := carried.DecodeProof()
			if err := manifest.VerifyConsistency(len(oldLeaves), len(newLeaves), oldRoot, newRoot, proof); err != nil {
				c.Status, c.Detail = Failed, "the consistency proof carried in the newer bundle does not verify: "+err.Error()
				return
			}
			how = "the proof carried in the newer bundle verified, and one " + how
		}
	}
	proof, err := manifest.ConsistencyProof(newLeaves, len(oldLeaves))
	if err == nil {
		err = manifest.VerifyConsistency(len(oldLeaves), len(newLeaves), oldRoot, newRoot, proof)
	}
	if err != nil {
		c.Status, c.Detail = Failed, "RFC 6962 consistency proof: "+err.Error()
		return
	}
	c.Status = Passed
	c.Detail = fmt.Sprintf("the newer export's %d messages begin with exactly the %d the older one sealed (RFC 6962 consistency proof from root %s to %s: %s)",
		len(newLeaves), len(oldLeaves), om.Tree.Root, nm.Tree.Root, how)
}

// leavesOf returns the leaves of the tree of rep's bundle: as its
// disclosure check kept them (Options.keepLeaves), else computed from its
// manifest when that holds its messages.
func leavesOf(rep *Report) ([][32]byte, error) {
	if rep.leaves != nil {
		return rep.leaves, nil
	}
	return rep.parsed.Leaves()
}
