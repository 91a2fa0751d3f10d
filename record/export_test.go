package record

// SetHeldEntriesMax sets how much of a bundle's entries FromParsed holds
// parsed, for a test of the rendering that reads them again in each pass;
// it returns a function that restores it.
func SetHeldEntriesMax(n int) (restore func()) {
	old := heldEntriesMax
	heldEntriesMax = n
	return func() { heldEntriesMax = old }
}
