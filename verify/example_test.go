package verify_test

import (
	"fmt"

	"github.com/custody-toolkit/custody/verify"
)

// Verify a published test vector with its TSA's root as trust anchor.
// Without an expected signer (Options.SignerFingerprint), the report says
// that the signer's identity was not checked (INFO).
func ExampleFile() {
	anchors, err := verify.ReadCertificateFiles([]string{"../testdata/vectors/v2/tsa-root.pem"})
	if err != nil {
		fmt.Println(err)
		return
	}
	rep, err := verify.File("../testdata/vectors/v2/sample.custody", verify.Options{Trust: anchors})
	if err != nil {
		fmt.Println(err) // unreadable, or not a custody file: no verdict
		return
	}
	fmt.Println(rep.Result, rep.Format)
	fmt.Printf("%d of %d messages, %d attachments\n", rep.Messages, rep.Total, rep.Attachments)
	for _, c := range rep.Checks {
		if c.Status != verify.Passed {
			fmt.Println(c.Status, c.Name)
		}
	}
	// Output:
	// PASSED custody.bundle/v2
	// 4 of 7 messages, 2 attachments
	// INFO signer
	// INFO custody actors
}

// A file that is not a custody file gets no verdict.
func ExampleFile_notCustody() {
	_, err := verify.File("../README.md", verify.Options{})
	fmt.Println(err)
	// Output: ../README.md: not a custody bundle: a text file
}
