package main

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// intakeupload URLFILE FILE... is a patient's browser without script:
// it opens the link written in URLFILE (the stdout of intake link),
// ticks consent, types a name, uploads the files, and prints the page
// the server answers. Negated, it expects a refusal.
func intakeUpload(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: intakeupload URLFILE FILE...")
	}
	url := strings.TrimSpace(ts.ReadFile(args[0]))
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(url)
	ts.Check(err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	csrf := ""
	if m := csrfInput.FindSubmatch(page); m != nil {
		csrf = string(m[1])
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, f := range [][2]string{{"csrf", csrf}, {"consent", "yes"}, {"name", "María López"}} {
		ts.Check(mw.WriteField(f[0], f[1]))
	}
	for _, name := range args[1:] {
		w, err := mw.CreateFormFile("files", filepath.Base(name))
		ts.Check(err)
		data, err := os.ReadFile(ts.MkAbs(name))
		ts.Check(err)
		w.Write(data)
	}
	ts.Check(mw.Close())
	resp, err = client.Post(url, mw.FormDataContentType(), &body)
	ts.Check(err)
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	ts.Stdout().Write(answer)
	if (resp.StatusCode == http.StatusOK) == neg {
		ts.Fatalf("upload: %s", resp.Status)
	}
}
