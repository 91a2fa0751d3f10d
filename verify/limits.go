package verify

import "github.com/custody-toolkit/custody/manifest"

// Reader limits (bundle-format.md §1.6, custody-log.md, Reader limits).
// A verifier holds some entries whole in memory to parse them, and reads
// at most so much of each: a timestamp token, a custody event, a key or
// signature file, a revocation entry 1 MiB (manifest.MaxMetaEntrySize,
// MaxTokenSize), a message entry 16 MiB (manifest.MaxMessageSize). The
// exporter writes none larger, so a larger entry was written by someone
// else, or altered. Which of the two is decided as for any other entry:
//
//   - where a signature covers a digest of the entry (the manifest's
//     files, the token seal, an event's revocation list, the next event's
//     prev and prev_token), the entry is hashed as a stream, whatever its
//     size: a digest that differs is proof of alteration (FAILED, as for
//     any other edit); one that matches names bytes a signer sealed,
//     which this reader will not parse: INDETERMINATE
//     FORMAT_NOT_IMPLEMENTED, a reader's limit as the manifest's 64 MiB is;
//   - where nothing covers it (a token of a bundle sealed before the token
//     seal, the last event of a log), nothing proves it altered either:
//     the same INDETERMINATE;
//   - where the format bounds the entry far below the limit (signer.pem,
//     manifest.sig, an event's .pem and .sig: a key or signature of the
//     format is at most a few hundred bytes), a larger entry is not one
//     the format allows: FAILED FORMAT_FAILURE, as any other malformed
//     key or signature (checkSignature, verifySeal).

// tooLarge is the reason entry name is not read, or nil when it is within
// limit: a reader's limit, not proof of anything (FORMAT_NOT_IMPLEMENTED).
func (v *bundleVerifier) tooLarge(name string, limit int64) error {
	size, _ := v.b.Size(name)
	if size <= limit {
		return nil
	}
	return because(FormatNotImplemented, "%s is %d bytes, more than the %d this verifier reads of it", name, size, limit)
}

// tooLargeForFormat is the reason entry name, a key or signature file, is
// no entry of the format, or nil when it is within limit.
func (v *bundleVerifier) tooLargeForFormat(name string) error {
	size, _ := v.b.Size(name)
	if size <= manifest.MaxMetaEntrySize {
		return nil
	}
	return because(FormatFailure, "%s is %d bytes: no key or signature of the format comes near %d", name, size, manifest.MaxMetaEntrySize)
}

// unparsedToken words why a stored token over the limit proves nothing
// either way (tooLarge's reason err): under the token seal its bytes are
// those the signer stored (checkTokenSeal hashed them as a stream);
// without it no signature covers them.
func unparsedToken(err error, sealed bool) string {
	if sealed {
		return err.Error() + ": its bytes are those the signer sealed (token seal), so nothing is shown altered, and the token proves no time"
	}
	return err.Error() + ": no signature covers its bytes, nothing shows them altered, and the token proves no time"
}
