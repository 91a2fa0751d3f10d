package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/custody-toolkit/custody/internal/rekortest"
	"github.com/custody-toolkit/custody/internal/verifycli"
	"github.com/custody-toolkit/custody/keys/pkcs11"
	"github.com/custody-toolkit/custody/translog/logserver"
)

// The CLI tests are testscript files in testdata/script: each runs the real
// commands, custody and custody-verify, as a user would.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"custody":        func() { os.Exit(run(os.Args[1:])) },
		"custody-verify": func() { os.Exit(verifycli.Main()) },
	})
}

func TestScripts(t *testing.T) {
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			// TSA and TSA2: two local TSAs, for exports with two --tsa.
			// INTAKE: an intake server's address.
			for _, name := range []string{"TSA", "TSA2", "INTAKE"} {
				port, err := freePort()
				if err != nil {
					return err
				}
				env.Setenv(name, "127.0.0.1:"+strconv.Itoa(port))
			}
			env.Setenv("SAMPLE", filepath.Join(repo, "testdata", "sample"))
			env.Setenv("CORPUS", filepath.Join(repo, "..", "shared", "corpus"))
			env.Setenv("CUSTODY_PASSPHRASE", "test passphrase")
			// REKOR: a free address for custody log-server, and
			// REKOR_SERVER the rekor-tiles binary it runs ([rekor]).
			rekorAddr, err := logserver.FreeAddr("127.0.0.1")
			if err != nil {
				return err
			}
			env.Setenv("REKOR", rekorAddr)
			if bin, err := rekortest.Binary(); err == nil {
				env.Setenv("REKOR_SERVER", bin)
			}
			return nil
		},
		// [rekor]: the rekor-tiles binary custody log-server runs;
		// [cgo]: this custody can open a PKCS#11 module (keys/pkcs11);
		// [exists:PATH]: a file outside the script's directory is there
		// (a PKCS#11 module).
		Condition: func(cond string) (bool, error) {
			if path, ok := strings.CutPrefix(cond, "exists:"); ok {
				_, err := os.Stat(path)
				return err == nil, nil
			}
			switch cond {
			case "rekor":
				_, err := rekortest.Binary()
				return err == nil, nil
			case "cgo":
				return pkcs11.Available, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"waitport":     waitPort,
			"intakeupload": intakeUpload,
		},
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// waitport ADDR waits until something listens on ADDR (a background
// custody tsa serve).
func waitPort(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: waitport ADDR")
	}
	for range 100 {
		if c, err := net.Dial("tcp", args[0]); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	ts.Fatalf("nothing listens on %s", args[0])
}
