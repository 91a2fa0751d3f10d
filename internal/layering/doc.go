// Package layering holds no code: its test enforces the layers of the
// module (docs/architecture.md), so that a dependency against them fails
// `go test ./...` instead of waiting for a review.
//
// From the bottom: leaves (import nothing of the module), primitives
// (CMS, PDF reading, the token check, the algorithm table), the formats
// (bundle, custody log, conversation, keys), the rendering, the two use
// cases side by side (sealing; verification), the programs, and the
// test support that only tests import. A package imports packages of
// lower layers only, and of its own layer only along the edges the test
// lists, each with its reason.
package layering
