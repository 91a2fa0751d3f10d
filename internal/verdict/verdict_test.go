package verdict

import "testing"

// Every kind of check in the table has a reason for FAILED and for
// INDETERMINATE.
func TestUsualSubIndicationsComplete(t *testing.T) {
	for id, subs := range usualSubIndications {
		if subs.failed == "" || subs.indeterminate == "" {
			t.Errorf("check %s: a reason is missing from the table", id)
		}
	}
}
