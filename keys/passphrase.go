package keys

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"golang.org/x/term"
)

// PassphraseEnv names the environment variable that, when set, supplies the
// passphrase without asking (for scripts and tests).
const PassphraseEnv = "CUSTODY_PASSPHRASE"

// PassphraseFromEnvOrTerminal returns a passphrase source for the command
// line: the CUSTODY_PASSPHRASE environment variable if it is set, else the
// terminal, with echo off, showing prompt (on the terminal itself, so that
// standard input and output stay free for data). With confirm, for a new
// key, the passphrase is asked twice and must not be empty. Without a
// terminal and without the variable it fails. The passphrase is never
// logged or echoed.
func PassphraseFromEnvOrTerminal(prompt string, confirm bool) func() ([]byte, error) {
	return func() ([]byte, error) {
		if p, ok := os.LookupEnv(PassphraseEnv); ok {
			return []byte(p), nil
		}
		tty, err := openTerminal()
		if err != nil {
			return nil, fmt.Errorf("no terminal to ask for the passphrase (%v); set %s", err, PassphraseEnv)
		}
		defer tty.close()
		return askPassphrase(tty.prompts, tty.readPassword, prompt, confirm)
	}
}

// terminal is where a passphrase is asked: prompts are written to prompts,
// and readPassword reads a line without echo.
type terminal struct {
	prompts      io.Writer
	readPassword func() ([]byte, error)
	close        func() error
}

// openTerminal finds the user's terminal: standard input if it is one, else
// the controlling terminal (so `... | custody keygen --restore` can still ask).
// A variable so that tests can simulate the absence of a terminal.
var openTerminal = func() (*terminal, error) {
	if fd := int(os.Stdin.Fd()); term.IsTerminal(fd) {
		return &terminal{
			prompts:      os.Stderr,
			readPassword: func() ([]byte, error) { return term.ReadPassword(fd) },
			close:        func() error { return nil },
		}, nil
	}
	if runtime.GOOS == "windows" {
		return nil, errors.New("standard input is not a terminal")
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	if !term.IsTerminal(int(tty.Fd())) {
		tty.Close()
		return nil, errors.New("/dev/tty is not a terminal")
	}
	return &terminal{
		prompts:      tty,
		readPassword: func() ([]byte, error) { return term.ReadPassword(int(tty.Fd())) },
		close:        tty.Close,
	}, nil
}

func askPassphrase(w io.Writer, read func() ([]byte, error), prompt string, confirm bool) ([]byte, error) {
	fmt.Fprint(w, prompt)
	p, err := read()
	fmt.Fprintln(w)
	if err != nil {
		return nil, fmt.Errorf("reading passphrase: %w", err)
	}
	if !confirm {
		return p, nil
	}
	if len(p) == 0 {
		return nil, errors.New("empty passphrase")
	}
	fmt.Fprint(w, "Repeat the passphrase: ")
	again, err := read()
	fmt.Fprintln(w)
	if err != nil {
		return nil, fmt.Errorf("reading passphrase: %w", err)
	}
	if subtle.ConstantTimeCompare(p, again) != 1 {
		return nil, errors.New("the two passphrases differ")
	}
	return p, nil
}
