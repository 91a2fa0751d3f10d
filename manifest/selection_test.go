package manifest

import "testing"

func TestSelectionDescribe(t *testing.T) {
	for _, tc := range []struct {
		sel  Selection
		want string
	}{
		{Selection{Total: 15, Selected: 15}, "all 15 messages"},
		{Selection{Total: 15, Selected: 4, Criteria: []string{"messages=m6,m9-m11"}},
			"4 of 15 messages, chosen by the clinician: messages m6, m9–m11"},
		{Selection{Total: 15, Selected: 3, Criteria: []string{"label=neumonía", "from=2026-04-01"}},
			"3 of 15 messages, chosen by the clinician: label neumonía; from 2026-04-01"},
		{Selection{Total: 9, Selected: 2, Criteria: []string{"participant=ana", "messages=msg-1-msg-3"}},
			"2 of 9 messages, chosen by the clinician: sent by ana; messages msg-1-msg-3"},
		{Selection{Total: 9, Selected: 2, Criteria: []string{"label=a\u202eb", "colour=red"}},
			"2 of 9 messages, chosen by the clinician: label \"a\\u202eb\"; colour=red"},
	} {
		if got := tc.sel.Describe(); got != tc.want {
			t.Errorf("%v:\n got %s\nwant %s", tc.sel.Criteria, got, tc.want)
		}
	}
}
