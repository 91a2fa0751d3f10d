package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/custody-toolkit/custody/internal/verifycli"
)

// The CLI tests are testscript files in testdata/script. The first runs
// custody-verify, built from this tree, over every vector: CI proves that
// our verifier agrees with all of them.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"custody-conformance": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
		"custody-verify":      func() { os.Exit(verifycli.Main()) },
	})
}

func TestScripts(t *testing.T) {
	vectors, err := filepath.Abs(filepath.Join("..", "..", "testdata", "vectors"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("VECTORS", vectors)
			return nil
		},
	})
}
