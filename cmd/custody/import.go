package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/custody-toolkit/custody/importer"
	"github.com/custody-toolkit/custody/internal/progress"
)

func init() { subcommands = append(subcommands, newImportCmd) }

// importSteps name the steps of importer.Options.Progress on the bar, for
// import and for export --in of an export.
var importSteps = map[string]string{
	"reading":  "reading the export",
	"messages": "importing messages",
	"writing":  "writing the conversation",
}

func newImportCmd() *cobra.Command {
	var in, out string
	var quiet bool
	var opts *importer.Options
	cmd := &cobra.Command{
		Use:   "import --in SRC --out DIR",
		Short: "Convert a WhatsApp or Telegram export into a native conversation folder",
		Long: `Import reads a WhatsApp "Export chat" (.txt, .zip or the unzipped folder) or a
Telegram Desktop JSON export (result.json of a chat, or of the whole account
with --chat) and writes DIR/conversation.json, DIR/media/ (the files the
messages refer to) and DIR/sources/ (the original export, byte for byte; every
message records the lines it came from). DIR must not exist or be empty;
nothing is written there unless the import succeeds.

Exports carry no time zone: times are read in --tz (default: this machine's
zone). WhatsApp dates are read in the order the whole file allows; when no
date tells (no day above 12), pass --date-order. Times that run backwards are
reported, never re-sorted.

Participants are named by slugs of their names, or with --pseudonymize by
"p-" + 12 hex digits of HMAC-SHA-256(secret, name), and no name is written
(nor the sources, which are full of names). Roles are sealed for ever, so
they are never guessed: a participant named by --clinician or in --roles has
that role; everyone else is a patient when the chat has one person, and in
a chat of several people without a clinician the import refuses, listing
them, unless --default-role states everyone else's role. System notices
belong to the participant "system".

Import prints what to check before exporting: participants and roles,
messages, period, time zone, attachments included and missing (each missing
one is also warned of on stderr).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case in == "":
				return usagef("import: --in is required")
			case out == "":
				return usagef("import: --out is required")
			}
			if err := checkImportFlags(opts); err != nil {
				return err
			}
			opts.Warn = func(w string) { fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w) }
			bar := progress.New(cmd.ErrOrStderr(), quiet, importSteps)
			opts.Progress = bar.Hook()
			s, err := importer.ImportSummary(in, out, *opts)
			bar.Done()
			if err != nil {
				return err
			}
			if !quiet {
				fmt.Fprintln(cmd.OutOrStdout(), "wrote", out)
				fmt.Fprintf(cmd.OutOrStdout(), "  messages:     %d\n", s.Messages)
				printConversation(cmd.OutOrStdout(), s, opts.TimeZone == "")
			}
			warnMissing(cmd.ErrOrStderr(), "", s)
			return nil
		},
	}
	cmd.Flags().StringVar(&in, "in", "", "the export: WhatsApp .txt, .zip or folder; Telegram result.json or folder")
	cmd.Flags().StringVar(&out, "out", "", "the folder to write (must not exist, or be empty)")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "print no summary nor progress line (warnings and errors still go to stderr)")
	opts = addImportFlags(cmd)
	return cmd
}

// addImportFlags declares the flags that control reading an export, for
// import and for export --in of an export.
func addImportFlags(cmd *cobra.Command) *importer.Options {
	var o importer.Options
	fl := cmd.Flags()
	fl.StringVar(&o.Format, "format", "", "input format: whatsapp, telegram or native (default: detected)")
	fl.StringVar(&o.DateOrder, "date-order", "", "WhatsApp date order: dmy, mdy or ymd (default: inferred from the whole file)")
	fl.StringVar(&o.TimeZone, "tz", "", "IANA time zone the export's times are in, e.g. Europe/Madrid (default: this machine's)")
	fl.StringVar(&o.Chat, "chat", "", "Telegram full-account export: the chat to import, by name or id")
	fl.BoolVar(&o.Pseudonymize, "pseudonymize", false, "replace names by HMAC-SHA-256 pseudonyms under --secret-file; no name is written")
	fl.StringVar(&o.SecretFile, "secret-file", "", "the practice's secret for --pseudonymize (at least 16 bytes; the same file for every export)")
	fl.StringArrayVar(&o.Clinicians, "clinician", nil, "a participant (name or id) who is a clinician (repeatable)")
	fl.StringVar(&o.RolesFile, "roles", "", "file of \"name<TAB>role\" lines (roles: clinician, patient, colleague, lab, staff)")
	fl.StringVar(&o.DefaultRole, "default-role", "", "role of participants not named by --clinician or --roles (default: patient, but a chat of several people needs a clinician named or this flag)")
	return &o
}

// checkImportFlags reports flag values that are wrong whatever the input,
// as usage errors.
func checkImportFlags(o *importer.Options) error {
	switch o.Format {
	case "", importer.WhatsApp, importer.Telegram, importer.Native:
	default:
		return usagef("--format %q: want whatsapp, telegram or native", o.Format)
	}
	switch o.DateOrder {
	case "", "dmy", "mdy", "ymd":
	default:
		return usagef("--date-order %q: want dmy, mdy or ymd", o.DateOrder)
	}
	if o.Pseudonymize && o.SecretFile == "" {
		return usagef("--pseudonymize needs --secret-file")
	}
	if !o.Pseudonymize && o.SecretFile != "" {
		return usagef("--secret-file is only used with --pseudonymize")
	}
	return nil
}
