package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
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
			"genchats":     genChats,
			"verifyall":    verifyAll,
			"cpcorpus":     cpCorpus,
			"testkey":      testKey,
		},
	})
}

func freePort() (int, error) {
	for range portSpan {
		port := portBase + int(nextPort.Add(1))%portSpan
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			continue // taken: try the next
		}
		l.Close()
		return port, nil
	}
	return 0, fmt.Errorf("no free port in %d-%d", portBase, portBase+portSpan-1)
}

// The scripts' servers listen on ports below Linux's ephemeral range
// (32768-60999), given out in turn from an offset of this process's: a
// port the kernel handed out (":0") and that was closed again can be
// handed to any outgoing connection before the script's server binds it,
// which failed an export_intake run with "address already in use" on a
// busy machine; in this range only another explicit bind can take it, and
// two test processes start far apart.
const (
	portBase = 20000
	portSpan = 12000
)

var nextPort atomic.Int64

func init() { nextPort.Store(int64(os.Getpid()*97) % portSpan) }

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

// genchats N DIR writes N small WhatsApp exports into DIR (writeChats).
func genChats(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: genchats N DIR")
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	ts.Check(writeChats(ts.MkAbs(args[1]), n))
}

// writeChats writes n small WhatsApp exports (zips of an Android
// _chat.txt, dd/mm/yyyy), each different, into dir, for export-batch.
func writeChats(dir string, n int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i := range n {
		chat := fmt.Sprintf("24/04/2026, 09:%02d - Paciente %d: Buenos días, doctora (%d).\n"+
			"24/04/2026, 09:%02d - Dra García: ¿Sigue con fiebre? Consulta %d.\n", i%59, i, i, i%59+1, i)
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		w, err := zw.Create("_chat.txt")
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, chat); err != nil {
			return err
		}
		if err := zw.Close(); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("chat-%03d.zip", i)), b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// verifyall TRUST SIGNER SUMMARY runs custody-verify on every bundle an
// export-batch summary.json lists and fails unless each is PASSED.
func verifyAll(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: verifyall TRUST SIGNER SUMMARY")
	}
	var rows []struct{ Bundle string }
	ts.Check(json.Unmarshal([]byte(ts.ReadFile(args[2])), &rows))
	verified := 0
	for _, row := range rows {
		if row.Bundle == "" {
			continue
		}
		var out, errOut strings.Builder
		code := verifycli.Run([]string{"--trust", ts.MkAbs(args[0]), "--signer", ts.MkAbs(args[1]), ts.MkAbs(row.Bundle)}, &out, &errOut)
		if code != 0 || !strings.HasPrefix(out.String(), "PASSED") {
			ts.Fatalf("%s: exit %d\n%s%s", row.Bundle, code, out.String(), errOut.String())
		}
		verified++
	}
	fmt.Fprintf(ts.Stdout(), "%d bundles PASSED\n", verified)
}

// cpcorpus FILE DST copies FILE of the shared corpus ($CORPUS) to DST,
// making DST's folder; without the corpus it copies nothing.
func cpCorpus(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: cpcorpus FILE DST")
	}
	data, err := os.ReadFile(filepath.Join(ts.Getenv("CORPUS"), args[0]))
	if os.IsNotExist(err) {
		ts.Logf("no corpus: %s left out", args[0])
		return
	}
	ts.Check(err)
	dst := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(filepath.Dir(dst), 0o755))
	ts.Check(os.WriteFile(dst, data, 0o644))
}
