// Package intake is the patient upload link of issue 19: a practice makes
// a one-time link (NewLink), sends it to a patient, and the server (New)
// shows who asks and why, takes the patient's consent and files, and
// seals them into a bundle the moment they arrive, with the same exporter
// as `custody export` (docs/intake.md).
//
// The folder D holds everything:
//
//	D/links/ID.json     an open link (ID = hex SHA-256 of its token)
//	D/links/ID.claimed  an upload is being received; ID.spent once sealed
//	D/bundles/ID.custody  the sealed bundles, for the practice to collect
//	D/tmp/ID/           an upload being received: removed on every path
//	D/secret            the key of the form's CSRF tokens
//
// The token is a bearer credential printed once: D stores its hash only,
// and every refusal of a token (unknown, spent, expired) looks the same.
// A link moves from state to state by a rename, which the file system
// does atomically, so two concurrent uploads cannot both claim it.
//
// The server is written here rather than taken from a framework: it is a
// few handlers on net/http, whose MaxBytesReader and MultipartReader
// already stream and bound the body, and golang.org/x/time/rate's token
// buckets for the rate limits. The threat model is in
// docs/threat-model.md (The intake server).
package intake
