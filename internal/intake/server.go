package intake

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/keys"
)

// Config is what the server needs: the folder D, the practice's intake
// key and TSA, and its bounds.
type Config struct {
	Dir      string
	Signer   *keys.Signer
	TSA      custody.Timestamper
	Practice string // named on the page, in the consent and in the custody log
	// CheckToken, when set, checks the TSA's answer before it is sealed
	// (the CLI wires verify.VerifyToken here).
	CheckToken func(resp, signature []byte) error
	Limits     Limits
	// Global bounds all requests to links, found or not (a guesser's
	// volume); PerLink bounds the requests to one link (a page reloaded
	// or a form resent in a loop).
	Global, PerLink Rate
	// Sealing is how many uploads are sealed at once; the others wait
	// their turn (each export holds a rendering in memory).
	Sealing int
	// Secure marks the CSRF cookie Secure and sends HSTS: the server is
	// reached over TLS.
	Secure bool
	Log    *log.Logger
}

// Rate is a token bucket: Burst requests at once, then PerSecond.
type Rate struct {
	PerSecond float64
	Burst     int
}

// Defaults for Config's zero fields.
var (
	DefaultGlobal  = Rate{PerSecond: 20, Burst: 40}
	DefaultPerLink = Rate{PerSecond: 0.2, Burst: 10}
)

// Server receives uploads through links and seals them. It serves
// nothing else: no listing, no file ever served back.
type Server struct {
	cfg     Config
	secret  []byte // keys the CSRF tokens; kept in D/secret
	global  *rate.Limiter
	mu      sync.Mutex
	perLink map[string]*rate.Limiter
	sealing chan struct{}
	mux     *http.ServeMux
}

// New opens D: makes its folders, removes what a crash left unsealed in
// D/tmp/, gives claimed links back, and loads (or makes) the CSRF secret.
func New(cfg Config) (*Server, error) {
	if cfg.Signer == nil || cfg.TSA == nil {
		return nil, errors.New("intake: a key and a TSA are needed to seal")
	}
	if !oneLine(cfg.Practice) {
		return nil, errors.New("intake: the practice's name must be one line of at most 200 bytes")
	}
	cfg = withDefaults(cfg)
	if err := recoverDir(cfg.Dir, time.Now()); err != nil {
		return nil, err
	}
	secret, err := loadSecret(filepath.Join(cfg.Dir, "secret"))
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, secret: secret, perLink: map[string]*rate.Limiter{},
		global:  rate.NewLimiter(rate.Limit(cfg.Global.PerSecond), cfg.Global.Burst),
		sealing: make(chan struct{}, cfg.Sealing), mux: http.NewServeMux()}
	s.mux.HandleFunc("GET /u/{token}", s.showForm)
	s.mux.HandleFunc("POST /u/{token}", s.receive)
	s.mux.HandleFunc("GET /style.css", serveStyle)
	return s, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Limits == (Limits{}) {
		cfg.Limits = DefaultLimits
	}
	if cfg.Global == (Rate{}) {
		cfg.Global = DefaultGlobal
	}
	if cfg.PerLink == (Rate{}) {
		cfg.PerLink = DefaultPerLink
	}
	if cfg.Sealing <= 0 {
		cfg.Sealing = 2
	}
	if cfg.Log == nil {
		cfg.Log = log.New(os.Stderr, "custody intake: ", log.LstdFlags)
	}
	return cfg
}

// recoverDir undoes what a crash left: unsealed files are removed, and
// links claimed by an upload that never finished are open again (an
// expired one is refused by its expiry, as ever); a link whose bundle
// was sealed is spent.
func recoverDir(dir string, now time.Time) error {
	if err := ensureLayout(dir); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "tmp")
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return err
	}
	stale, err := filepath.Glob(filepath.Join(dir, "links", "*"+claimed))
	if err != nil {
		return err
	}
	for _, p := range stale {
		l := &Link{ID: strings.TrimSuffix(filepath.Base(p), claimed), Expires: now.Add(time.Hour)}
		// Sealed, but the crash came before the link was spent: spend it.
		if err := recoverLink(dir, l, now); err != nil {
			return err
		}
	}
	return nil
}

func loadSecret(path string) ([]byte, error) {
	secret, err := os.ReadFile(path)
	if err == nil && len(secret) == 32 {
		return secret, nil
	}
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	secret = make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	return secret, os.WriteFile(path, secret, 0o600)
}

// ServeHTTP sets the security headers on every answer, then routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No script at all, no third party, no framing; the token is in the
	// URL, so no Referer may carry it away, and no cache may keep it.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	if s.cfg.Secure {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(w, r)
}

func serveStyle(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(styleCSS)
}

// admit applies the global rate limit to every request to a link and
// looks the link up; false means the answer was already written.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, lng string) (*Link, bool) {
	if !s.global.Allow() {
		s.refused(w, lng, http.StatusTooManyRequests, "busy", "")
		return nil, false
	}
	l, err := lookup(s.cfg.Dir, r.PathValue("token"), time.Now())
	if err != nil {
		if !errors.Is(err, errNoLink) {
			s.cfg.Log.Print(err)
		}
		s.refused(w, lng, http.StatusNotFound, "gone", "")
		return nil, false
	}
	if !s.linkLimiter(l.ID).Allow() {
		s.refused(w, lng, http.StatusTooManyRequests, "busy", "")
		return nil, false
	}
	return l, true
}

func (s *Server) linkLimiter(id string) *rate.Limiter {
	s.mu.Lock()
	defer s.mu.Unlock()
	l, ok := s.perLink[id]
	if !ok {
		l = rate.NewLimiter(rate.Limit(s.cfg.PerLink.PerSecond), s.cfg.PerLink.Burst)
		s.perLink[id] = l
	}
	return l
}

// forgetLimiter drops a spent link's bucket: the map holds open links
// only.
func (s *Server) forgetLimiter(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.perLink, id)
}

// showForm answers GET /u/TOKEN: who asks, why, and the form.
func (s *Server) showForm(w http.ResponseWriter, r *http.Request) {
	lng := pageLang(r)
	l, ok := s.admit(w, r, lng)
	if !ok {
		return
	}
	s.renderForm(w, lng, l)
}

func (s *Server) renderForm(w http.ResponseWriter, lng string, l *Link) {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: base64.RawURLEncoding.EncodeToString(nonce),
		Path: "/u/", HttpOnly: true, Secure: s.cfg.Secure, SameSite: http.SameSiteStrictMode})
	practice := practiceName(lng, s.cfg.Practice)
	lim := s.cfg.Limits
	page := formPage{
		Lang: lng, Title: say(lng, "title", practice), Asks: say(lng, "asks", practice),
		ForLabel: say(lng, "for"), For: l.For, PurposeLabel: say(lng, "purpose"), Purpose: l.Purpose,
		BasisLabel: say(lng, "legal_basis"), Basis: basisWords(lng, l.LegalBasis),
		Expires: say(lng, "expires", l.Expires.Local().Format("2006-01-02 15:04 MST")),
		Consent: consentText(lng, s.cfg.Practice), NameLabel: say(lng, "name"), NoteLabel: say(lng, "note"),
		FileLabel: say(lng, "files", lim.MaxFiles, lim.MaxFileBytes>>20), Send: say(lng, "send"),
		CSRF: s.csrfToken(l.ID, nonce),
	}
	s.render(w, http.StatusOK, pages, page)
}

func (s *Server) render(w http.ResponseWriter, status int, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := t.Execute(w, data); err != nil {
		s.cfg.Log.Print(err)
	}
}

// refused answers with a page saying why, in lng; back, when set, is the
// form's URL (the link is still open: the patient may retry).
func (s *Server) refused(w http.ResponseWriter, lng string, status int, key, back string) {
	var args []any
	if key == "too_many" {
		args = append(args, s.cfg.Limits.MaxFiles)
	}
	s.render(w, status, result, resultPage{Lang: lng, Title: say(lng, "refused"),
		Message: say(lng, key, args...), Back: back, BackLabel: say(lng, "retry")})
}

const csrfCookie = "intake_csrf"

// csrfToken binds the form to the link and to this rendering of it (the
// nonce in the SameSite=Strict cookie): a page on another site can
// neither read the token nor make the browser send the cookie.
func (s *Server) csrfToken(id string, nonce []byte) string {
	mac := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(mac, "intake csrf\x00%s\x00", id)
	mac.Write(nonce)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (s *Server) checkCSRF(r *http.Request, id, token string) bool {
	c, err := r.Cookie(csrfCookie)
	if err != nil {
		return false
	}
	nonce, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(nonce) != 16 {
		return false
	}
	return hmac.Equal([]byte(s.csrfToken(id, nonce)), []byte(token))
}

// receive answers POST /u/TOKEN: the link is claimed, the files streamed
// into D/tmp/ID/, sealed, and the link spent. Whatever happens, D/tmp/ID/
// is removed before the answer: no unsealed file outlives the request.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) {
	lng := pageLang(r)
	lim := s.cfg.Limits
	if r.ContentLength > lim.MaxTotalBytes {
		s.refused(w, lng, http.StatusRequestEntityTooLarge, "too_large", r.URL.Path)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, lim.MaxTotalBytes)
	l, ok := s.admit(w, r, lng)
	if !ok {
		return
	}
	if err := claim(s.cfg.Dir, l); err != nil {
		s.refused(w, lng, http.StatusNotFound, "gone", "")
		return
	}
	dir := filepath.Join(s.cfg.Dir, "tmp", l.ID)
	defer os.RemoveAll(dir) // a panic's path too
	path, sum, at, err := s.receiveClaimed(r, l, dir, lng)
	// Before the answer: the patient never sees a page while a file of
	// theirs lies unsealed.
	if rerr := os.RemoveAll(dir); rerr != nil {
		s.cfg.Log.Printf("link %s: %v", l.ID, rerr)
	}
	if err != nil {
		if rerr := release(s.cfg.Dir, l, time.Now()); rerr != nil {
			s.cfg.Log.Printf("link %s: %v", l.ID, rerr)
		}
		s.answerError(w, r, lng, l, err)
		return
	}
	s.forgetLimiter(l.ID)
	if err := spend(s.cfg.Dir, l); err != nil {
		s.cfg.Log.Printf("link %s: sealed as %s, but not marked spent: %v", l.ID, path, err)
	}
	s.cfg.Log.Printf("link %s: sealed %s", l.ID, path)
	s.render(w, http.StatusOK, result, resultPage{Lang: lng, Title: say(lng, "received"),
		Message:          say(lng, "received_at", at.Format("2006-01-02 15:04:05 -07:00")),
		FingerprintLabel: say(lng, "fingerprint"), Fingerprint: sum})
}

// receiveClaimed reads the upload into dir and seals it.
func (s *Server) receiveClaimed(r *http.Request, l *Link, dir, lng string) (string, string, time.Time, error) {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", "", time.Time{}, err
	}
	f, files, err := readUpload(r, dir, s.cfg.Limits, func(f *form) error {
		if !s.checkCSRF(r, l.ID, f.CSRF) {
			return refuse(http.StatusForbidden, "csrf", "CSRF token missing or wrong")
		}
		if f.Consent != "yes" || f.Name == "" || !oneLine(f.Name) {
			return refuse(http.StatusBadRequest, "no_consent", "consent not given or no name")
		}
		return nil
	})
	if err != nil {
		return "", "", time.Time{}, err
	}
	select {
	case s.sealing <- struct{}{}:
		defer func() { <-s.sealing }()
	case <-r.Context().Done():
		return "", "", time.Time{}, r.Context().Err()
	}
	u := &upload{link: l, dir: dir, lang: lng, form: f, files: files, at: time.Now().Truncate(time.Second)}
	path, sum, err := s.seal(r.Context(), u)
	return path, sum, u.at, err
}

// answerError tells the patient why nothing was kept: a refusal names
// what to change; a failure of the server (the TSA down) says retry.
func (s *Server) answerError(w http.ResponseWriter, r *http.Request, lng string, l *Link, err error) {
	var ref *refusal
	if errors.As(err, &ref) {
		s.cfg.Log.Printf("link %s: refused: %v", l.ID, ref)
		s.refused(w, lng, ref.status, ref.key, r.URL.Path)
		return
	}
	s.cfg.Log.Printf("link %s: not sealed: %v", l.ID, err)
	s.refused(w, lng, http.StatusServiceUnavailable, "failed", r.URL.Path)
}

// recoverLink settles a link a crash left claimed: spent when its bundle
// was sealed, given back otherwise.
func recoverLink(dir string, l *Link, now time.Time) error {
	if _, err := os.Stat(filepath.Join(dir, "bundles", l.ID+".custody")); err == nil {
		return spend(dir, l)
	}
	return release(dir, l, now)
}
