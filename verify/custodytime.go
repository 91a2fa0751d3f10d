package verify

import (
	"fmt"
	"time"

	"github.com/custody-toolkit/custody/internal/verdict"
)

// eventTime is what the log says and proves of one event's time.
type eventTime struct {
	seq     int
	claimed time.Time // the event's time member
	after   time.Time // the latest proven time of what came before it (zero: none)
	proven  time.Time // its own trusted token's genTime (zero: none)
}

// checkTimes places every event's claimed time between the proofs around
// it (docs/custody-log.md, Time), once the whole log is read. An event
// was signed after the events before it (it commits to them) and before
// any later event's trusted token (which commits to it through the
// chain), so its claim must not lie, by more than clockSkew:
//   - before the latest proven time of what came before it (backdated);
//   - before the time the event before it claims (the claims run
//     backwards against the chain);
//   - after its own token's genTime or a later event's (the claim lies in
//     the future of a proof that it already existed).
//
// Each is INDETERMINATE (check "custody N time"): every byte is as its
// signer wrote it, but the timeline cannot be established as stated.
func (lv *logVerifier) checkTimes() {
	bounds := lv.earliestLaterProofs()
	for i, et := range lv.times {
		var why string
		switch b := bounds[i]; {
		case !et.after.IsZero() && et.claimed.Before(et.after.Add(-clockSkew)):
			why = fmt.Sprintf("earlier than the proven time %s of what came before it: backdated, or the actor's clock was wrong", stamp(et.after))
		case i > 0 && et.claimed.Before(lv.times[i-1].claimed.Add(-clockSkew)):
			why = fmt.Sprintf("earlier than event %d claims (%s), though it was signed after that event (it commits to it): one of the two claims is false, or a clock was wrong", lv.times[i-1].seq, stamp(lv.times[i-1].claimed))
		case !b.at.IsZero() && et.claimed.After(b.at.Add(clockSkew)):
			why = fmt.Sprintf("later than %s, when the timestamp of event %d proves it already existed: post-dated, or the actor's clock was ahead", stamp(b.at), b.seq)
		default:
			continue
		}
		lv.v.addID(verdict.CustodyCheckID(et.seq, "custody.time"), Indeterminate, "the event claims %s, %s", stamp(et.claimed), why)
	}
}

// provenAt is a proven time and the event whose token proves it.
type provenAt struct {
	at  time.Time
	seq int
}

// earliestLaterProofs returns, for each event, the earliest trusted
// genTime among its own token and the later events' tokens: the latest
// time by which it is proven to have existed.
func (lv *logVerifier) earliestLaterProofs() []provenAt {
	bounds := make([]provenAt, len(lv.times))
	var earliest provenAt
	for i := len(lv.times) - 1; i >= 0; i-- {
		if p := lv.times[i].proven; !p.IsZero() && (earliest.at.IsZero() || p.Before(earliest.at)) {
			earliest = provenAt{p, lv.times[i].seq}
		}
		bounds[i] = earliest
	}
	return bounds
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
