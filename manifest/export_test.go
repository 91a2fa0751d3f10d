package manifest

// Held is m with its messages, withheld list and files held (read
// through EachMessage, withheldAt and EachFile), as Parse returns it: for comparing a
// manifest from ParseStreamed with Parse's.
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
	if m.files != nil {
		c.Files, c.files = make([]File, 0, m.FileCount()), nil
		for _, f := range m.EachFile() {
			c.Files = append(c.Files, f)
		}
	}
	if m.withheld != nil {
		c.Withheld, c.withheld = nil, nil
		for i := range m.WithheldCount() {
			c.Withheld = append(c.Withheld, m.withheldAt(i))
		}
	}
	return &c, nil
}
