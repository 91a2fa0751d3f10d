package verify

// StreamingManifest returns opts set to stream the manifest whatever its
// size, as a manifest of more than heldManifestMax bytes is: each check
// that walks its messages reads them again from the bundle.
func StreamingManifest(opts Options) Options {
	opts.streamManifest = true
	return opts
}
