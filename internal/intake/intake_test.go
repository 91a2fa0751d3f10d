package intake

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"log"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/verify"
)

// site is an intake server on loopback with a fresh key and TSA.
type site struct {
	fx  *testbundle.Fixture
	dir string
	srv *httptest.Server
	cfg Config
}

func newSite(t *testing.T, edit func(*Config)) *site {
	t.Helper()
	fx := testbundle.New(t, "ecdsa-p256")
	s := &site{fx: fx, dir: t.TempDir()}
	s.cfg = Config{Dir: s.dir, Signer: fx.Signer, TSA: fx, Practice: "Clínica Norte",
		Log: log.New(io.Discard, "", 0)}
	if edit != nil {
		edit(&s.cfg)
	}
	h, err := New(s.cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.srv = httptest.NewServer(h)
	t.Cleanup(s.srv.Close)
	return s
}

// link makes a link valid for d and returns its URL.
func (s *site) link(t *testing.T, d time.Duration) (string, *Link) {
	t.Helper()
	token, l, err := NewLink(s.dir, LinkOptions{For: "Paciente 7F3A", Purpose: "lab result for the follow-up",
		LegalBasis: "gdpr-9-2-h", Expires: d})
	if err != nil {
		t.Fatal(err)
	}
	return s.srv.URL + "/u/" + token, l
}

// patient is a browser without JavaScript: a cookie jar and forms.
type patient struct {
	c    *http.Client
	lang string
}

func newPatient(t *testing.T) *patient {
	jar, _ := cookiejar.New(nil)
	return &patient{c: &http.Client{Jar: jar}, lang: "es-ES,es;q=0.9,en;q=0.5"}
}

func (p *patient) get(t *testing.T, url string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept-Language", p.lang)
	return p.do(t, req)
}

func (p *patient) do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := p.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// file is one part of an upload.
type file struct {
	name string
	data []byte
}

// send opens the form and posts it with fields (csrf taken from the page
// unless fields sets it) and files.
func (p *patient) send(t *testing.T, url string, fields map[string]string, files ...file) (int, string) {
	t.Helper()
	status, page := p.get(t, url)
	csrf := ""
	if m := csrfField.FindStringSubmatch(page); status == http.StatusOK && m != nil {
		csrf = m[1]
	}
	return p.post(t, url, csrf, fields, files...)
}

func (p *patient) post(t *testing.T, url, csrf string, fields map[string]string, files ...file) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	all := map[string]string{"csrf": csrf, "consent": "yes", "name": "María López", "note": "the results"}
	for k, v := range fields {
		all[k] = v
	}
	for _, k := range []string{"csrf", "consent", "name", "note"} {
		if v, ok := all[k]; ok && v != "-" {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("files", f.name)
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", url, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept-Language", p.lang)
	return p.do(t, req)
}

func pngFile(t *testing.T) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var pdfFile = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

func twoFiles(t *testing.T) []file {
	return []file{{"análisis.png", pngFile(t)}, {"../../etc/informe.pdf", pdfFile}}
}

// bundles lists the sealed bundles in D.
func (s *site) bundles(t *testing.T) []string {
	t.Helper()
	b, err := filepath.Glob(filepath.Join(s.dir, "bundles", "*.custody"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tmpEmpty fails the test if an unsealed file stayed behind.
func (s *site) tmpEmpty(t *testing.T) {
	t.Helper()
	left, _ := os.ReadDir(filepath.Join(s.dir, "tmp"))
	if len(left) != 0 {
		t.Errorf("D/tmp holds %d entries after the request", len(left))
	}
}

func (s *site) verify(t *testing.T, path string) *verify.Report {
	t.Helper()
	rep, err := verify.BundleFile(path, verify.Options{Trust: s.fx.Roots, SignerKey: s.fx.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result != verify.Passed {
		t.Errorf("%s: %s, want PASSED: %+v", path, rep.Result, rep.Checks)
	}
	return rep
}

func TestUploadSealedOnce(t *testing.T) {
	s := newSite(t, nil)
	url, l := s.link(t, time.Hour)
	p := newPatient(t)
	status, page := p.send(t, url, nil, twoFiles(t)...)
	if status != http.StatusOK || !strings.Contains(page, "Recibido y sellado") {
		t.Fatalf("upload: %d\n%s", status, page)
	}
	bundles := s.bundles(t)
	if len(bundles) != 1 || filepath.Base(bundles[0]) != l.ID+".custody" {
		t.Fatalf("bundles: %v", bundles)
	}
	sum, _ := fileSHA256(bundles[0])
	if !strings.Contains(page, sum) {
		t.Errorf("the page does not show the bundle's SHA-256 %s", sum)
	}
	rep := s.verify(t, bundles[0])
	if rep.Attachments != 2 || rep.Intake == nil || rep.Intake.Purpose != "lab result for the follow-up" ||
		rep.Intake.LegalBasis != "gdpr-9-2-h" || rep.Intake.Consent == nil {
		t.Errorf("sealed: %d attachments, intake %+v", rep.Attachments, rep.Intake)
	}
	if n := len(rep.Custody); n != 2 || rep.Custody[1].Action != "received" {
		t.Errorf("custody log: %+v", rep.Custody)
	}
	s.tmpEmpty(t)
	if _, err := os.Stat(linkPath(s.dir, l.ID, spent)); err != nil {
		t.Errorf("the link is not spent: %v", err)
	}
	// The link is spent: the form and a second upload are refused alike.
	if status, _ := p.get(t, url); status != http.StatusNotFound {
		t.Errorf("spent link, GET: %d", status)
	}
	if status, _ := p.send(t, url, nil, twoFiles(t)...); status != http.StatusNotFound {
		t.Errorf("spent link, second upload: %d", status)
	}
	if len(s.bundles(t)) != 1 {
		t.Error("a spent link sealed a second bundle")
	}
}

func TestConsentSealed(t *testing.T) {
	s := newSite(t, nil)
	url, l := s.link(t, time.Hour)
	p := newPatient(t)
	p.lang = "en-GB"
	if status, page := p.send(t, url, nil, file{"photo.png", pngFile(t)}); status != http.StatusOK {
		t.Fatalf("upload: %d\n%s", status, page)
	}
	entries := testbundle.ReadEntries(t, s.bundles(t)[0])
	consent := entries[testbundle.Find(entries, "intake/consent.json")].Data
	for _, want := range []string{`"link":"` + l.ID, `"checked":true`, `"name":"María López"`, `"lang":"en"`,
		`I, the person named below, consent to Clínica Norte receiving`} {
		if !bytes.Contains(consent, []byte(want)) {
			t.Errorf("consent.json lacks %s:\n%s", want, consent)
		}
	}
	for _, e := range entries { // the upload's name is a label, never a path
		if strings.Contains(e.Name, "photo") || strings.Contains(e.Name, "..") {
			t.Errorf("entry %s named after the upload", e.Name)
		}
	}
}

func TestTokens(t *testing.T) {
	dir := t.TempDir()
	token, l, err := NewLink(dir, LinkOptions{For: "P1", Purpose: "x", LegalBasis: "gdpr-9-2-h", Expires: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if !tokenPattern.MatchString(token) {
		t.Errorf("token %q: not 256 bits in base64url", token)
	}
	data, _ := os.ReadFile(linkPath(dir, l.ID, open))
	if bytes.Contains(data, []byte(token)) {
		t.Error("D stores the token itself")
	}
	other, _, _ := NewLink(dir, LinkOptions{For: "P1", Purpose: "x", LegalBasis: "gdpr-9-2-h", Expires: time.Hour})
	if other == token {
		t.Error("two links, one token")
	}
	now := time.Now()
	if _, err := lookup(dir, token, now); err != nil {
		t.Errorf("lookup: %v", err)
	}
	for name, tok := range map[string]string{
		"unknown":  strings.Repeat("A", 43),
		"short":    token[:42],
		"path":     "../links/" + l.ID,
		"one off":  token[:42] + string(token[42]^1),
		"the hash": l.ID,
	} {
		if _, err := lookup(dir, tok, now); !errors.Is(err, errNoLink) {
			t.Errorf("%s token: %v", name, err)
		}
	}
	if _, err := lookup(dir, token, now.Add(2*time.Hour)); !errors.Is(err, errNoLink) {
		t.Errorf("expired: %v", err)
	}
	if err := claim(dir, l); err != nil {
		t.Fatal(err)
	}
	if err := claim(dir, l); !errors.Is(err, errNoLink) {
		t.Errorf("claimed twice: %v", err)
	}
	if _, err := lookup(dir, token, now); !errors.Is(err, errNoLink) {
		t.Errorf("a claimed link is looked up: %v", err)
	}
}

func TestLinkOptionsRefused(t *testing.T) {
	for _, o := range []LinkOptions{
		{Purpose: "x", LegalBasis: "gdpr-9-2-h", Expires: time.Hour},
		{For: "P", Purpose: "x", LegalBasis: "gdpr-9-9-z", Expires: time.Hour},
		{For: "P", Purpose: "", LegalBasis: "gdpr-9-2-h", Expires: time.Hour},
		{For: "P", Purpose: "x", LegalBasis: "gdpr-9-2-h"},
		{For: "P\nQ", Purpose: "x", LegalBasis: "gdpr-9-2-h", Expires: time.Hour},
		{For: "P", Purpose: "x", LegalBasis: "gdpr-9-2-h", Expires: MaxExpiry + time.Second},
	} {
		if _, _, err := NewLink(t.TempDir(), o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

// TestRefusals: each refused upload keeps nothing, and leaves the link
// open for a corrected retry.
func TestRefusals(t *testing.T) {
	s := newSite(t, func(c *Config) {
		c.Limits = Limits{MaxFileBytes: 4 << 10, MaxFiles: 2, MaxTotalBytes: 64 << 10}
		c.PerLink = Rate{PerSecond: 100, Burst: 100}
	})
	url, l := s.link(t, time.Hour)
	big := append(append([]byte{}, pdfFile...), make([]byte, 5<<10)...)
	for _, c := range []struct {
		name   string
		fields map[string]string
		files  []file
		status int
	}{
		{"no consent", map[string]string{"consent": "-"}, twoFiles(t), http.StatusBadRequest},
		{"no name", map[string]string{"name": ""}, twoFiles(t), http.StatusBadRequest},
		{"no csrf", map[string]string{"csrf": "-"}, twoFiles(t), http.StatusForbidden},
		{"forged csrf", map[string]string{"csrf": "AAAA"}, twoFiles(t), http.StatusForbidden},
		{"no file", nil, nil, http.StatusBadRequest},
		{"a text named .jpg", nil, []file{{"photo.jpg", []byte("<html><script>alert(1)</script>")}}, http.StatusUnsupportedMediaType},
		{"an executable named .pdf", nil, []file{{"x.pdf", []byte("\x7fELF\x02\x01\x01")}}, http.StatusUnsupportedMediaType},
		{"too many files", nil, append(twoFiles(t), file{"c.png", pngFile(t)}), http.StatusRequestEntityTooLarge},
		{"a file too large", nil, []file{{"big.pdf", big}}, http.StatusRequestEntityTooLarge},
		{"the body too large", nil, []file{{"a.pdf", big}, {"b.pdf", make([]byte, 70<<10)}}, http.StatusRequestEntityTooLarge},
	} {
		status, page := newPatient(t).send(t, url, c.fields, c.files...)
		if status != c.status || strings.Contains(page, "%!") || !strings.Contains(page, `href="/u/`) {
			t.Errorf("%s: status %d, want %d, and a link back to the form\n%s", c.name, status, c.status, page)
		}
		s.tmpEmpty(t)
		if _, err := os.Stat(linkPath(s.dir, l.ID, open)); err != nil {
			t.Errorf("%s: the link was not given back: %v", c.name, err)
		}
	}
	if b := s.bundles(t); len(b) != 0 {
		t.Errorf("refused uploads sealed %v", b)
	}
	// A corrected retry through the same link is sealed.
	if status, page := newPatient(t).send(t, url, nil, twoFiles(t)...); status != http.StatusOK {
		t.Errorf("retry: %d\n%s", status, page)
	}
}

// failingTSA refuses every request: nothing may be kept unsealed.
type failingTSA struct{}

func (failingTSA) Timestamp(context.Context, []byte) ([]byte, error) {
	return nil, errors.New("TSA unreachable")
}

func TestTSADownKeepsNothing(t *testing.T) {
	s := newSite(t, func(c *Config) { c.TSA = failingTSA{} })
	url, l := s.link(t, time.Hour)
	status, page := newPatient(t).send(t, url, nil, twoFiles(t)...)
	if status != http.StatusServiceUnavailable || !strings.Contains(page, "no se ha guardado nada") {
		t.Errorf("TSA down: %d\n%s", status, page)
	}
	s.tmpEmpty(t)
	if len(s.bundles(t)) != 0 {
		t.Error("a bundle without a timestamp")
	}
	if _, err := os.Stat(linkPath(s.dir, l.ID, open)); err != nil {
		t.Errorf("the link was not given back: %v", err)
	}
}

func TestExpiredLinkRefused(t *testing.T) {
	s := newSite(t, nil)
	token, _, err := NewLink(s.dir, LinkOptions{For: "P", Purpose: "x", LegalBasis: "gdpr-9-2-h",
		Expires: time.Hour, Now: time.Now().Add(-2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	p := newPatient(t)
	if status, _ := p.get(t, s.srv.URL+"/u/"+token); status != http.StatusNotFound {
		t.Errorf("expired link, GET: %d", status)
	}
	if status, _ := p.post(t, s.srv.URL+"/u/"+token, "", nil, twoFiles(t)...); status != http.StatusNotFound {
		t.Errorf("expired link, POST: %d", status)
	}
}

func TestRateLimits(t *testing.T) {
	s := newSite(t, func(c *Config) {
		c.Global = Rate{PerSecond: 0.001, Burst: 6}
		c.PerLink = Rate{PerSecond: 0.001, Burst: 3}
	})
	url, _ := s.link(t, time.Hour)
	p := newPatient(t)
	var got []int
	for range 4 {
		status, _ := p.get(t, url)
		got = append(got, status)
	}
	if fmt.Sprint(got) != "[200 200 200 429]" {
		t.Errorf("per link: %v", got)
	}
	got = nil
	for range 3 { // guesses count against the global bucket
		status, _ := p.get(t, s.srv.URL+"/u/"+strings.Repeat("B", 43))
		got = append(got, status)
	}
	if fmt.Sprint(got) != "[404 404 429]" {
		t.Errorf("global: %v", got)
	}
}

func TestNoListingAndHeaders(t *testing.T) {
	s := newSite(t, nil)
	s.link(t, time.Hour)
	p := newPatient(t)
	for _, path := range []string{"/", "/u/", "/links/", "/bundles/", "/tmp/", "/secret", "/u/../links"} {
		if status, _ := p.get(t, s.srv.URL+path); status != http.StatusNotFound && status != http.StatusMethodNotAllowed {
			t.Errorf("GET %s: %d", path, status)
		}
	}
	url, _ := s.link(t, time.Hour)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for name, want := range map[string]string{
		"Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"Cache-Control":           "no-store",
	} {
		if got := resp.Header.Get(name); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	c := resp.Cookies()
	if len(c) != 1 || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode {
		t.Errorf("CSRF cookie: %+v", c)
	}
}

func TestPageLanguages(t *testing.T) {
	s := newSite(t, nil)
	url, _ := s.link(t, time.Hour)
	for accept, want := range map[string]string{
		"es-ES,es;q=0.9": `<html lang="es">`, "en-US": `<html lang="en">`, "fr-FR": `<html lang="en">`, "": `<html lang="en">`,
		"fr;q=1, es;q=0.5": `<html lang="es">`,
	} {
		p := newPatient(t)
		p.lang = accept
		_, page := p.get(t, url)
		if !strings.Contains(page, want) || !strings.Contains(page, `<label for="consent">`) || strings.Contains(page, "<script") {
			t.Errorf("Accept-Language %q: want %s\n%s", accept, want, page)
		}
	}
}

func TestSniff(t *testing.T) {
	heic := append([]byte{0, 0, 0, 0x18}, []byte("ftypheic\x00\x00\x00\x00mif1heic")...)
	samsung := append([]byte{0, 0, 0, 0x18}, []byte("ftypmif1\x00\x00\x00\x00mif1heic")...)
	avif := append([]byte{0, 0, 0, 0x18}, []byte("ftypmif1\x00\x00\x00\x00mif1avif")...)
	// The brand list ends with the box: "heic" after it is not a brand.
	short := append([]byte{0, 0, 0, 0x10}, []byte("ftypmif1\x00\x00\x00\x00heic")...)
	for _, c := range []struct {
		data []byte
		want string
	}{
		{pngFile(t), "image/png"}, {pdfFile, "application/pdf"}, {[]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), "image/jpeg"},
		{heic, "image/heic"}, {samsung, "image/heic"}, {avif, ""}, {short, ""}, {[]byte("GIF89a"), ""}, {[]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), ""}, {nil, ""},
	} {
		if got, _ := sniff(c.data); got != c.want {
			t.Errorf("sniff(%q): %q, want %q", c.data[:min(len(c.data), 12)], got, c.want)
		}
	}
}

func TestLabel(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd": "passwd", `C:\Users\x\scan.pdf`: "scan.pdf", "a\x00b\nc.png": "abc.png", "": "file 3", "dir/": "file 3",
	} {
		if got := label(in, 3); got != want {
			t.Errorf("label(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRecoverDir(t *testing.T) {
	dir := t.TempDir()
	_, l, err := NewLink(dir, LinkOptions{For: "P", Purpose: "x", LegalBasis: "gdpr-9-2-h", Expires: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	claim(dir, l)
	os.MkdirAll(filepath.Join(dir, "tmp", l.ID, "files"), 0o700)
	os.WriteFile(filepath.Join(dir, "tmp", l.ID, "files", "1.png"), []byte("unsealed"), 0o600)
	if err := recoverDir(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(filepath.Join(dir, "tmp")); len(left) != 0 {
		t.Errorf("a crash's unsealed files survive the restart: %v", left)
	}
	if _, err := os.Stat(linkPath(dir, l.ID, open)); err != nil {
		t.Errorf("the crashed upload's link is not open again: %v", err)
	}
	// A crash after the bundle was sealed, before the link was spent.
	claim(dir, l)
	os.WriteFile(filepath.Join(dir, "bundles", l.ID+".custody"), []byte("sealed"), 0o600)
	if err := recoverDir(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(linkPath(dir, l.ID, spent)); err != nil {
		t.Errorf("a sealed link is not spent after the restart: %v", err)
	}
}

// TestBodyCapWithoutLength: a body sent chunked, without a length to
// refuse it up front, is cut by MaxBytesReader as it streams.
func TestBodyCapWithoutLength(t *testing.T) {
	s := newSite(t, func(c *Config) {
		c.Limits = Limits{MaxFileBytes: 1 << 20, MaxFiles: 2, MaxTotalBytes: 64 << 10}
	})
	url, l := s.link(t, time.Hour)
	p := newPatient(t)
	_, page := p.get(t, url)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", csrfField.FindStringSubmatch(page)[1])
	mw.WriteField("consent", "yes")
	mw.WriteField("name", "M")
	w, _ := mw.CreateFormFile("files", "big.pdf")
	w.Write(append(append([]byte{}, pdfFile...), make([]byte, 200<<10)...))
	mw.Close()
	req, _ := http.NewRequest("POST", url, io.MultiReader(&body)) // no length
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if req.ContentLength != 0 {
		t.Fatal("the request has a length")
	}
	if status, page := p.do(t, req); status != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d\n%s", status, page)
	}
	s.tmpEmpty(t)
	if _, err := os.Stat(linkPath(s.dir, l.ID, open)); err != nil {
		t.Errorf("the link was not given back: %v", err)
	}
}

// TestOddImageSealed: a file that starts as a PNG but is not one is
// still the patient's evidence: it is sealed as it came, whatever the
// rendering makes of it.
func TestOddImageSealed(t *testing.T) {
	s := newSite(t, nil)
	url, _ := s.link(t, time.Hour)
	odd := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte("garbage"), 100)...)
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{0}, 100)...)
	if status, page := newPatient(t).send(t, url, nil, file{"odd.png", odd}, file{"odd.jpg", jpeg}); status != http.StatusOK {
		t.Fatalf("status %d\n%s", status, page)
	}
	s.verify(t, s.bundles(t)[0])
}
