// Package buildinfo is the version of custody's programs (custody,
// custody-verify, the web verifier): what `version` prints and what a
// verification report cites. Release builds (scripts/release,
// scripts/build-web) set it with -ldflags "-X …buildinfo.Version=…" to the
// tag and commit they build, since they build with -buildvcs=false for
// reproducible bytes; other builds fall back to what the go command
// recorded.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Version is set by release builds: "v0.2.0 (commit 1a2b3c4)".
var Version = ""

// String is the version line of a program: its name, the version and
// revision, and the Go release that built it.
func String(program string) string {
	return program + " " + Current() + " " + runtime.Version()
}

// Current is Version, else the module version and VCS revision that the
// go command recorded, else "devel".
func Current() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "devel"
	}
	v := info.Main.Version
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			v += " (commit " + s.Value + ")"
		}
		if s.Key == "vcs.modified" && s.Value == "true" {
			v += " (modified)"
		}
	}
	return v
}
