package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/internal/graceful"
	"github.com/custody-toolkit/custody/internal/intake"
	"github.com/custody-toolkit/custody/manifest"
	"github.com/custody-toolkit/custody/tsa"
)

func init() { subcommands = append(subcommands, newIntakeCmd) }

func newIntakeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "intake",
		Short: "One-time upload links for patients, sealed at receipt (docs/intake.md)",
		Long: `The practice makes a one-time link (intake link) and sends it to a patient,
who opens it in a browser, consents, and uploads photos or documents. The
server (intake serve) seals each upload into a bundle the moment it arrives,
into DIR/bundles/, and the link is spent.`,
	}
	cmd.AddCommand(newIntakeLinkCmd(), newIntakeServeCmd())
	return cmd
}

type intakeLinkFlags struct {
	dir, baseURL string
	link         intake.LinkOptions
}

func newIntakeLinkCmd() *cobra.Command {
	var f intakeLinkFlags
	cmd := &cobra.Command{
		Use:   "link --dir DIR --for PSEUDONYM --purpose TEXT --legal-basis CODE [--expires 72h] --base-url URL",
		Short: "Make a one-time upload link and print its URL",
		Long: `Link prints a URL holding an unguessable token (256 random bits). DIR keeps
only the token's SHA-256: the printed URL is the one copy. Send it to the
patient by another channel than the chat it replaces (SMS, e-mail).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runIntakeLink(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", "", "the intake server's folder (intake serve --dir)")
	fl.StringVar(&f.link.For, "for", "", "the patient, as a pseudonym: shown on the page and sealed")
	fl.StringVar(&f.link.Purpose, "purpose", "", "why the files are asked for, in words (shown and sealed)")
	fl.StringVar(&f.link.LegalBasis, "legal-basis", "", "the legal basis: "+strings.Join(manifest.LegalBases, ", ")+" (docs/bundle-format.md §2.5)")
	fl.DurationVar(&f.link.Expires, "expires", 72*time.Hour, "the link is refused after this long")
	fl.StringVar(&f.baseURL, "base-url", "", "where patients reach intake serve, e.g. https://intake.example.org")
	return cmd
}

func runIntakeLink(cmd *cobra.Command, f *intakeLinkFlags) error {
	switch {
	case f.dir == "":
		return usagef("intake link: --dir is required")
	case f.baseURL == "":
		return usagef("intake link: --base-url is required (where patients reach intake serve)")
	}
	base, err := url.Parse(f.baseURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return usagef("intake link: --base-url %q: want https://HOST[:PORT]", f.baseURL)
	}
	token, l, err := intake.NewLink(f.dir, f.link)
	if err != nil {
		return usagef("intake link: %v", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s/u/%s\n", strings.TrimSuffix(base.String(), "/"), token)
	fmt.Fprintf(cmd.ErrOrStderr(), "custody intake: link %s for %s, valid until %s\n", l.ID[:16], l.For, l.Expires.Format(time.RFC3339))
	return nil
}

type intakeServeFlags struct {
	dir, key, tsaURL, addr, cert, tlsKey, practice string
	tsaTimeout                                     time.Duration
	pkcs11Module                                   string
	insecureKeyPerms                               bool
}

func newIntakeServeCmd() *cobra.Command {
	var f intakeServeFlags
	cmd := &cobra.Command{
		Use:   "serve --dir DIR --key FILE --tsa URL --addr HOST:PORT [--tls-cert C --tls-key K]",
		Short: "Serve the upload page; seal every upload at receipt into DIR/bundles/",
		Long: `Serve runs the patients' upload page over HTTPS, from --tls-cert and --tls-key;
plain HTTP is allowed only on a loopback address (behind a TLS proxy on the
same machine, or for a test). Each upload is sealed by --key (the intake
server's own key, role "intake server"), timestamped by --tsa, and logged
"received" in the bundle's custody log.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runIntakeServe(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.dir, "dir", "", "the intake folder: links/, bundles/ (collect them here), tmp/")
	fl.StringVar(&f.key, "key", "", "the intake server's private key; passphrase from CUSTODY_PASSPHRASE or the terminal")
	fl.StringVar(&f.tsaURL, "tsa", "", "RFC 3161 TSA URL")
	fl.DurationVar(&f.tsaTimeout, "tsa-timeout", 30*time.Second, "give up on the TSA after this long (the patient waits)")
	fl.StringVar(&f.addr, "addr", "127.0.0.1:8443", "address to listen on")
	fl.StringVar(&f.cert, "tls-cert", "", "PEM certificate chain for HTTPS")
	fl.StringVar(&f.tlsKey, "tls-key", "", "PEM private key of --tls-cert")
	fl.StringVar(&f.practice, "practice", "", "the practice's name, shown to the patient and sealed")
	fl.StringVar(&f.pkcs11Module, "pkcs11-module", "", pkcs11ModuleUsage)
	fl.BoolVar(&f.insecureKeyPerms, "insecure-key-permissions", false, "accept a private key file readable by group or others")
	return cmd
}

func runIntakeServe(cmd *cobra.Command, f *intakeServeFlags) error {
	switch {
	case f.dir == "" || f.key == "" || f.tsaURL == "":
		return usagef("intake serve: --dir, --key and --tsa are required")
	case (f.cert == "") != (f.tlsKey == ""):
		return usagef("intake serve: --tls-cert and --tls-key go together")
	}
	var tlsConfig *tls.Config
	if f.cert != "" {
		pair, err := tls.LoadX509KeyPair(f.cert, f.tlsKey)
		if err != nil {
			return usagef("intake serve: --tls-cert/--tls-key: %v", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	} else if !loopback(f.addr) {
		return usagef("intake serve: plain HTTP only on a loopback address; give --tls-cert and --tls-key to serve %s", f.addr)
	}
	signer, err := loadSigner(f.key, f.pkcs11Module, f.insecureKeyPerms)
	if err != nil {
		return err
	}
	srv, err := intake.New(intake.Config{Dir: f.dir, Signer: signer, Practice: f.practice,
		TSA: &tsa.Client{URL: f.tsaURL, Timeout: f.tsaTimeout}, CheckToken: checkToken, Secure: tlsConfig != nil})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if tlsConfig != nil {
		ln, scheme = tls.NewListener(ln, tlsConfig), "https"
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "custody intake: serving %s://%s/, sealing into %s/bundles/\n", scheme, ln.Addr(), f.dir)
	return serveUntilSignal(&http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 15 * time.Minute, WriteTimeout: 16 * time.Minute, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10}, ln)
}

// loopback reports whether addr's host is a loopback address, where
// plain HTTP never crosses a network.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveUntilSignal serves until SIGINT or SIGTERM, then gives uploads in
// progress a minute to finish sealing.
func serveUntilSignal(srv *http.Server, ln net.Listener) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return graceful.Serve(ctx, srv, ln, time.Minute)
}
