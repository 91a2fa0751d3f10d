package manifest

// Held is m with its messages held (read through EachMessage), as Parse
// returns it: for comparing a manifest from ParseStreamed with Parse's.
func Held(m *Manifest) (*Manifest, error) {
	var msgs []Message
	if err := m.EachMessage(func(_ int, msg *Message) error { msgs = append(msgs, *msg); return nil }); err != nil {
		return nil, err
	}
	c := *m
	c.Messages, c.src = msgs, nil
	if msgs == nil && m.src == nil {
		c.Messages = m.Messages
	}
	return &c, nil
}
