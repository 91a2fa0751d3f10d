package verify_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/custodylog/logwriter"
	"github.com/custody-toolkit/custody/internal/testbundle"
	"github.com/custody-toolkit/custody/internal/testpki"
	"github.com/custody-toolkit/custody/verify"
)

// opensslCA issues revocation data with openssl itself (openssl ca
// -gencrl, openssl ocsp), as a real CA's tools would, for certificates a
// test made.
type opensslCA struct {
	t   *testing.T
	dir string
	ca  *testpki.Cert
}

func newOpenSSLCA(t *testing.T, ca *testpki.Cert) *opensslCA {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	o := &opensslCA{t: t, dir: t.TempDir(), ca: ca}
	key, err := x509.MarshalPKCS8PrivateKey(ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	o.write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}))
	o.write("ca.key", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: key}))
	o.write("crlnumber", []byte("01\n"))
	o.write("ca.cnf", []byte("[ca]\ndefault_ca = CA_default\n[CA_default]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\n"))
	return o
}

func (o *opensslCA) write(name string, data []byte) {
	if err := os.WriteFile(filepath.Join(o.dir, name), data, 0o600); err != nil {
		o.t.Fatal(err)
	}
}

func (o *opensslCA) run(args ...string) {
	cmd := exec.Command("openssl", args...)
	cmd.Dir = o.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		o.t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func opensslTime(t time.Time) string { return t.UTC().Format("20060102150405Z") }

// index writes the CA database: cert, valid or revoked at revokedAt.
func (o *opensslCA) index(cert *x509.Certificate, revokedAt time.Time) {
	expiry := cert.NotAfter.UTC().Format("060102150405Z")
	status, when := "V", ""
	if !revokedAt.IsZero() {
		status, when = "R", revokedAt.UTC().Format("060102150405Z")
	}
	o.write("index.txt", fmt.Appendf(nil, "%s\t%s\t%s\t%X\tunknown\t/CN=%s\n", status, expiry, when, cert.SerialNumber, cert.Subject.CommonName))
	o.write("index.txt.attr", []byte("unique_subject = no\n"))
}

// crl is a DER CRL current from lastUpdate to nextUpdate.
func (o *opensslCA) crl(lastUpdate, nextUpdate time.Time) []byte {
	o.run("ca", "-gencrl", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-out", "crl.pem",
		"-crl_lastupdate", opensslTime(lastUpdate), "-crl_nextupdate", opensslTime(nextUpdate))
	o.run("crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der")
	return o.read("crl.der")
}

// ocsp is a DER OCSP response for cert, signed by the CA, current for a
// week.
func (o *opensslCA) ocsp(cert *x509.Certificate) []byte {
	o.write("cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	o.run("ocsp", "-issuer", "ca.pem", "-cert", "cert.pem", "-no_nonce", "-reqout", "req.der")
	o.run("ocsp", "-index", "index.txt", "-rsigner", "ca.pem", "-rkey", "ca.key", "-CA", "ca.pem", "-reqin", "req.der", "-ndays", "7", "-respout", "resp.der")
	return o.read("resp.der")
}

func (o *opensslCA) read(name string) []byte {
	data, err := os.ReadFile(filepath.Join(o.dir, name))
	if err != nil {
		o.t.Fatal(err)
	}
	return data
}

func checkNamed(rep *verify.Report, name string) (verify.Check, bool) {
	for _, c := range rep.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return verify.Check{}, false
}

// TestSignerRevocation: the signer's certificate against openssl-made CRLs
// and OCSP responses carried by the custody log's first event.
func TestSignerRevocation(t *testing.T) {
	f := testbundle.New(t, "ecdsa-p256")
	now := time.Now().UTC().Truncate(time.Second)
	ca := testpki.Issue(t, now, testpki.CA("Colegio de Médicos CA"), testpki.P256Key(t), nil)
	leaf := testpki.Issue(t, now, testpki.Leaf("Dra. Núñez"), f.Key, ca)
	signer := f.SignerWith(t, []*x509.Certificate{leaf.Cert, ca.Cert})
	o := newOpenSSLCA(t, ca)

	cases := []struct {
		name       string
		revocation func() []logwriter.Revocation
		at         time.Time
		result     verify.Status
		status     verify.Status
		sub        verify.SubIndication
		detail     string
	}{
		{"revoked before", func() []logwriter.Revocation {
			o.index(leaf.Cert, now.Add(-time.Hour))
			return crlOf(o.crl(now.Add(-time.Minute), now.AddDate(0, 0, 7)))
		}, time.Time{}, verify.Failed, verify.Failed, verify.Revoked, "before the proven signing time"},
		{"revoked after", func() []logwriter.Revocation {
			o.index(leaf.Cert, now.AddDate(0, 0, 1))
			return crlOf(o.crl(now.AddDate(0, 0, 2), now.AddDate(0, 0, 9)))
		}, now.AddDate(0, 0, 3), verify.Passed, verify.Info, "", "after the proven signing time"},
		{"good by OCSP", func() []logwriter.Revocation {
			o.index(leaf.Cert, time.Time{})
			return []logwriter.Revocation{{Kind: custodylog.RevocationOCSP, DER: o.ocsp(leaf.Cert)}}
		}, time.Time{}, verify.Passed, verify.Passed, "", "was not revoked at the proven signing time"},
		{"CRL too old", func() []logwriter.Revocation {
			o.index(leaf.Cert, time.Time{})
			return crlOf(o.crl(now.AddDate(0, 0, -10), now.AddDate(0, 0, -3)))
		}, time.Time{}, verify.Indeterminate, verify.Indeterminate, verify.TryLater, "does not cover the proven signing time"},
		{"no data", func() []logwriter.Revocation { return nil },
			time.Time{}, verify.Passed, verify.Info, "", "no revocation data"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := f.ExportWith(t, testbundle.Sample(), custody.Options{Signer: signer, Revocation: tc.revocation()})
			rep, err := verify.BundleFile(path, verify.Options{Trust: f.Roots, At: tc.at})
			if err != nil {
				t.Fatal(err)
			}
			c, ok := checkNamed(rep, verify.CheckSignerRevocation)
			if !ok || rep.Result != tc.result || c.Status != tc.status || c.Sub != tc.sub || !strings.Contains(c.Detail, tc.detail) {
				t.Errorf("%s: result %s, %s %s %s %q; want %s, %s %s %q\n%+v", tc.name, rep.Result, c.Name, c.Status, c.Sub, c.Detail, tc.result, tc.status, tc.sub, tc.detail, rep.Checks)
			}
		})
	}
}

func crlOf(der []byte) []logwriter.Revocation {
	return []logwriter.Revocation{{Kind: custodylog.RevocationCRL, DER: der}}
}

// TestTSARevocationEndsProof: a TSA certificate revoked before the
// validation time ends its token's proof as expiry does; a renewal made
// before the revocation keeps the seal's time proven. The CRL comes in a
// later custody event, as a revocation update.
func TestTSARevocationEndsProof(t *testing.T) {
	c := newChainedTSAs(t)
	o := newOpenSSLCA(t, c.root)
	o.index(c.tsas[0].Cert, c.day(250))
	crl := o.crl(c.day(251), c.day(280))
	for _, renewed := range []bool{false, true} {
		f := testbundle.New(t, "ed25519").WithTSA(t, c.tsas[0].Cert, c.tsas[0].Key, c.root.Cert, nil)
		path := f.Export(t, testbundle.Sample(), custody.Selection{})
		if renewed {
			c.renew(t, f, path, 1, 220) // TSA B, before TSA A's revocation
		}
		_, err := logwriter.Append(context.Background(), path, custodylog.Event{Action: custodylog.Other, Note: "revocation update"},
			logwriter.Signer{Key: f.Signer}, logwriter.AppendOptions{Now: c.day(260), Revocation: crlOf(crl)})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := verify.BundleFile(path, verify.Options{Trust: f.Roots, At: c.day(300)})
		if err != nil {
			t.Fatal(err)
		}
		ev := evidenceCheck(t, rep)
		t.Log(ev.Detail)
		if renewed && (rep.Result != verify.Passed || !strings.Contains(ev.Detail, "renewed "+c.day(220).Format(time.DateOnly))) {
			t.Errorf("renewed before the revocation: %s, evidence %s %q", rep.Result, ev.Status, ev.Detail)
		}
		if !renewed && (rep.Result != verify.Indeterminate || ev.Sub != verify.OutOfBoundsNoPOE || !strings.Contains(ev.Detail, "revoked")) {
			t.Errorf("not renewed: %s, evidence %s %s %q", rep.Result, ev.Status, ev.Sub, ev.Detail)
		}
	}
}

// TestRevocationEntriesSealed: the revocation data an event carries is
// covered by its signature: removed, altered or added entries are FAILED
// at that event; carried data no one can read is INDETERMINATE, never
// ignored.
func TestRevocationEntriesSealed(t *testing.T) {
	f := testbundle.New(t, "ed25519")
	path := f.ExportWith(t, testbundle.Sample(), custody.Options{Revocation: []logwriter.Revocation{{Kind: custodylog.RevocationCRL, DER: []byte("not a CRL")}}})
	entries := testbundle.ReadEntries(t, path)
	crl := custodylog.RevocationEntryName(1, 1, custodylog.RevocationCRL)
	i := testbundle.Find(entries, crl)
	if i < 0 {
		t.Fatalf("no %s in the export", crl)
	}
	rep, err := verify.BundleFile(path, verify.Options{Trust: f.Roots})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := checkNamed(rep, verify.CheckRevocation); rep.Result != verify.Indeterminate || c.Status != verify.Indeterminate || !strings.Contains(c.Detail, crl) {
		t.Errorf("unreadable CRL: %s, %s %q; want INDETERMINATE naming %s", rep.Result, c.Status, c.Detail, crl)
	}
	altered := slices.Clone(entries)
	altered[i].Data = []byte("not a CRL either")
	added := slices.Insert(slices.Clone(entries), i+1, testbundle.Entry{Name: custodylog.RevocationEntryName(1, 2, custodylog.RevocationOCSP), Data: []byte("x")})
	for name, tc := range map[string]struct {
		entries []testbundle.Entry
		sub     verify.SubIndication
	}{
		"removed": {slices.Delete(slices.Clone(entries), i, i+1), verify.SignedDataNotFound},
		"altered": {altered, verify.HashFailure},
		"added":   {added, verify.HashFailure},
	} {
		p := filepath.Join(t.TempDir(), name+".custody")
		if err := os.WriteFile(p, testbundle.WriteEntries(t, tc.entries), 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := verify.BundleFile(p, verify.Options{Trust: f.Roots})
		if err != nil {
			t.Fatal(err)
		}
		c := rep.Checks[len(rep.Checks)-1]
		if rep.Result != verify.Failed || c.Name != "custody 1" || c.Sub != tc.sub {
			t.Errorf("%s: %s, last check %s %s %s %q; want FAILED custody 1 %s", name, rep.Result, c.Name, c.Status, c.Sub, c.Detail, tc.sub)
		}
	}
}
