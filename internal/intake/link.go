package intake

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/manifest"
)

// Link is what the practice asked for when it made a link: stored in
// D/links/ID.json, where ID is the hex SHA-256 of the token. The token
// itself is printed once and stored nowhere.
type Link struct {
	ID         string    `json:"id"`  // hex SHA-256 of the token
	For        string    `json:"for"` // the patient's pseudonym
	Purpose    string    `json:"purpose"`
	LegalBasis string    `json:"legal_basis"`
	Created    time.Time `json:"created"`
	Expires    time.Time `json:"expires"`
}

// LinkOptions are the practice's choices for a new link.
type LinkOptions struct {
	For, Purpose, LegalBasis string
	Expires                  time.Duration
	Now                      time.Time // zero: the current time
}

// MaxExpiry bounds a link's life: it is a bearer credential, and the
// harm of one read in a forwarded message lasts as long as it does.
const MaxExpiry = 30 * 24 * time.Hour

// tokenBytes: 256 random bits, as many as a key; unguessable however
// many requests an attacker sends.
const tokenBytes = 32

// The states of a link are its file's suffix in D/links/; a rename moves
// a link from one to the next, which the file system does atomically.
const (
	open    = ".json"    // waiting for the patient
	claimed = ".claimed" // an upload is being received and sealed
	spent   = ".spent"   // sealed: never usable again
)

var tokenPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// NewLink makes a link in dir and returns its token, the secret part of
// the URL.
func NewLink(dir string, o LinkOptions) (string, *Link, error) {
	if err := o.check(); err != nil {
		return "", nil, err
	}
	if err := ensureLayout(dir); err != nil {
		return "", nil, err
	}
	raw := make([]byte, tokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	now = now.UTC().Truncate(time.Second)
	l := &Link{ID: tokenID(token), For: o.For, Purpose: o.Purpose, LegalBasis: o.LegalBasis,
		Created: now, Expires: now.Add(o.Expires)}
	data, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return "", nil, err
	}
	if err := atomicfile.WriteFile(linkPath(dir, l.ID, open), append(data, '\n'), 0o600, false); err != nil {
		return "", nil, err
	}
	return token, l, nil
}

func (o *LinkOptions) check() error {
	switch {
	case strings.TrimSpace(o.For) == "":
		return errors.New("--for: name the patient (a pseudonym)")
	case !oneLine(o.For):
		return errors.New("--for: one line of at most 200 bytes")
	case o.Expires <= 0 || o.Expires > MaxExpiry:
		return fmt.Errorf("--expires: give a positive duration of at most %s, e.g. 72h", MaxExpiry)
	case !manifest.KnownLegalBasis(o.LegalBasis):
		return fmt.Errorf("--legal-basis %q is not one of %s", o.LegalBasis, strings.Join(manifest.LegalBases, ", "))
	}
	if err := manifest.CheckPurpose(o.Purpose); err != nil {
		return fmt.Errorf("--purpose: %w", err)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// oneLine: a name as the page shows it and the custody log records it.
func oneLine(s string) bool { return len(s) <= 200 && !strings.ContainsFunc(s, isControl) }

// tokenID names a link by its token's hash: D never holds a usable token.
func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func linkPath(dir, id, state string) string {
	return filepath.Join(dir, "links", id+state)
}

// ensureLayout makes D's folders, readable by the server's user only.
func ensureLayout(dir string) error {
	for _, sub := range []string{"links", "bundles", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return err
		}
	}
	return nil
}

// errNoLink is every refusal of a token: unknown, spent, claimed or
// expired look the same to the requester, so that a guess learns nothing.
var errNoLink = errors.New("no such link")

// lookup returns the open link of token, or errNoLink. The file is found
// by the token's hash, then the stored hash is compared in constant time
// with the token's: no comparison on a secret is ever short-circuited.
func lookup(dir, token string, now time.Time) (*Link, error) {
	if !tokenPattern.MatchString(token) {
		return nil, errNoLink
	}
	id := tokenID(token)
	data, err := os.ReadFile(linkPath(dir, id, open))
	if err != nil {
		return nil, errNoLink
	}
	var l Link
	if err := json.Unmarshal(data, &l); err != nil {
		return nil, fmt.Errorf("link %s: %w", id, err)
	}
	if subtle.ConstantTimeCompare([]byte(l.ID), []byte(id)) != 1 || !now.Before(l.Expires) {
		return nil, errNoLink
	}
	return &l, nil
}

// claim takes the link for one upload: of two concurrent uploads, one
// rename succeeds and the other finds no link.
func claim(dir string, l *Link) error {
	if err := os.Rename(linkPath(dir, l.ID, open), linkPath(dir, l.ID, claimed)); err != nil {
		return errNoLink
	}
	return nil
}

// release gives a claimed link back after a failed upload, so that the
// patient may try again, unless it expired meanwhile (then it is spent).
func release(dir string, l *Link, now time.Time) error {
	state := open
	if !now.Before(l.Expires) {
		state = spent
	}
	return os.Rename(linkPath(dir, l.ID, claimed), linkPath(dir, l.ID, state))
}

// spend marks a claimed link as used: its bundle is sealed.
func spend(dir string, l *Link) error {
	return os.Rename(linkPath(dir, l.ID, claimed), linkPath(dir, l.ID, spent))
}
