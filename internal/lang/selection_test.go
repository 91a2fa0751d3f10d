package lang

import "testing"

// sel is a manifest's selection: selected of total, and the criteria.
type sel struct {
	selected, total int
	criteria        []string
}

func TestDescribeSelection(t *testing.T) {
	for _, tc := range []struct {
		sel  sel
		want string
	}{
		{sel{15, 15, nil}, "all 15 messages"},
		{sel{4, 15, []string{"messages=m6,m9-m11"}},
			"4 of 15 messages, chosen by the clinician: messages m6, m9–m11"},
		{sel{3, 15, []string{"label=neumonía", "from=2026-04-01"}},
			"3 of 15 messages, chosen by the clinician: label neumonía; from 2026-04-01"},
		{sel{2, 9, []string{"participant=ana", "messages=msg-1-msg-3"}},
			"2 of 9 messages, chosen by the clinician: sent by ana; messages msg-1-msg-3"},
		{sel{2, 9, []string{"label=a\u202eb", "colour=red"}},
			"2 of 9 messages, chosen by the clinician: label \"a\\u202eb\"; colour=red"},
	} {
		if got := English.DescribeSelection(tc.sel.selected, tc.sel.total, tc.sel.criteria); got != tc.want {
			t.Errorf("%v:\n got %s\nwant %s", tc.sel.criteria, got, tc.want)
		}
	}
}
