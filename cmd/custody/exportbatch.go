package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/semaphore"

	"github.com/custody-toolkit/custody/custody"
	"github.com/custody-toolkit/custody/custodylog"
	"github.com/custody-toolkit/custody/importer"
	"github.com/custody-toolkit/custody/internal/atomicfile"
	"github.com/custody-toolkit/custody/internal/memlimit"
	"github.com/custody-toolkit/custody/keys"
	"github.com/custody-toolkit/custody/translog"
	"github.com/custody-toolkit/custody/tsa"
)

func init() { subcommands = append(subcommands, newExportBatchCmd) }

// batchFlags are export's flags that make sense for many conversations at
// once; the per-conversation ones (--out, --from, --messages, --pdf,
// --consent, disclosure) do not.
type batchFlags struct {
	in, out, key     string
	jobs             int
	tsaURLs          []string
	rekorURLs        []string
	tsaTimeout       time.Duration
	insecureKeyPerms bool
	renderingFlags
	imp   *importer.Options
	actor custodylog.Actor
	quiet bool
}

func newExportBatchCmd() *cobra.Command {
	var f batchFlags
	cmd := &cobra.Command{
		Use:   "export-batch --in DIR --out OUTDIR --key FILE --tsa URL",
		Short: "Seal every conversation in a folder, in parallel, one bundle each",
		Long: `Export-batch exports every conversation found directly in --in (WhatsApp
zips, folders and .txt files, Telegram exports, custody's own folders),
recognised as export recognises them, into one bundle each in --out, named
after its input (never replacing a file: NAME-2.custody when NAME.custody
exists). A WhatsApp .txt lying directly in --in has its media looked up
beside it, as export does: give each chat its zip or its own folder.
--jobs exports run at once (default: one per core), with one key,
unlocked once, and one HTTP client per TSA and log, whose connections are
kept alive and reused. RFC 3161 stamps one imprint per request, so each
bundle still costs one round trip per --tsa; what is shared is the
connection, and --jobs bounds how many requests a TSA sees at once.
Memory stays that of one export: conversations run at once only while
their messages add up to at most 160,000 (the largest export), so a very
large one runs alone.

A failed input fails alone: the others go on, nothing is written at its
bundle's path, and the command exits 1 at the end. summary.csv and
summary.json in --out list each input: its bundle, messages, the SHA-256 of
its signed manifest, its transparency log index (with --rekor) or its error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runExportBatch(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.in, "in", "", "the folder of conversations (each entry is one)")
	fl.StringVar(&f.out, "out", "", "the folder for the bundles and the summary (created if missing)")
	fl.IntVar(&f.jobs, "jobs", runtime.GOMAXPROCS(0), "exports run at once")
	fl.StringVar(&f.key, "key", "", "the signer's private key (from custody keygen); passphrase from CUSTODY_PASSPHRASE or the terminal")
	fl.StringArrayVar(&f.tsaURLs, "tsa", nil, "RFC 3161 TSA URL (repeatable: each TSA adds a token)")
	fl.StringArrayVar(&f.rekorURLs, "rekor", nil, "Rekor v2 transparency log URL (repeatable), as for export")
	fl.DurationVar(&f.tsaTimeout, "tsa-timeout", tsa.DefaultTimeout, "give up on a TSA after this long")
	fl.BoolVar(&f.insecureKeyPerms, "insecure-key-permissions", false, "accept a private key file readable by group or others")
	f.renderingFlags.add(cmd)
	addActorFlags(cmd, &f.actor)
	fl.BoolVar(&f.quiet, "quiet", false, "print nothing but errors (the summary files are still written)")
	f.imp = addImportFlags(cmd)
	return cmd
}

func (f *batchFlags) check() error {
	switch {
	case f.in == "" || f.out == "":
		return usagef("export-batch: --in and --out are required")
	case f.key == "":
		return usagef("export-batch: --key is required")
	case len(f.tsaURLs) == 0:
		return usagef("export-batch: at least one --tsa URL is required")
	case f.jobs < 1:
		return usagef("export-batch: --jobs must be at least 1")
	}
	if err := f.renderingFlags.check("export-batch"); err != nil {
		return err
	}
	return checkImportFlags(f.imp)
}

// A batchItem is one input and what became of it: a row of the summary.
type batchItem struct {
	Input    string `json:"input"`
	Bundle   string `json:"bundle,omitempty"`
	Messages int    `json:"messages"`
	// Digest is the SHA-256 of the signed manifest.json: what the
	// timestamps and the log entry are over.
	Digest   string `json:"digest,omitempty"`
	LogIndex *int64 `json:"log_index,omitempty"`
	Error    string `json:"error,omitempty"`
}

func runExportBatch(cmd *cobra.Command, f *batchFlags) error {
	// export's limit: within the message budget, the exports of a batch
	// hold together about what the largest single export holds.
	memlimit.Apply(memlimit.Export)
	if err := f.check(); err != nil {
		return err
	}
	items, err := batchInputs(f.in, f.out)
	if err != nil {
		return err
	}
	signer, err := loadSigner(f.key, "", f.insecureKeyPerms)
	if err != nil {
		return err
	}
	opts := f.exportOptions(signer)
	var warnMu sync.Mutex
	budget := newMessageBudget(batchMessageBudget)
	exportAll(cmd.Context(), items, f.jobs, func(it *batchItem) {
		imp := *f.imp
		imp.Name = f.actor.Name // as export: a participant of that name is a clinician
		imp.Warn = func(msg string) {
			warnMu.Lock()
			defer warnMu.Unlock()
			fmt.Fprintf(cmd.ErrOrStderr(), "custody: warning: %s: %s\n", it.Input, msg)
		}
		exportOne(cmd.Context(), it, imp, opts, budget)
	})
	return reportBatch(cmd, f, items)
}

// exportOptions are the options every export of the batch shares: one
// signer and one client per TSA, whose transport keeps --jobs
// connections alive to each host (Go's default keeps 2).
func (f *batchFlags) exportOptions(signer *keys.Signer) custody.Options {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = f.jobs
	httpClient := &http.Client{Transport: transport}
	var stampers []custody.Timestamper
	for _, u := range f.tsaURLs {
		stampers = append(stampers, &tsa.Client{URL: u, Timeout: f.tsaTimeout, HTTPClient: httpClient})
	}
	return custody.Options{
		Signer: signer, Timestampers: stampers, CheckToken: checkToken,
		TransparencyLogs: transparencyLogs(f.rekorURLs),
		Practice:         f.practice, NoRecord: f.noRecord, Actor: f.actor,
		Lang: f.lang, VerifierURL: f.verifierURL,
	}
}

// batchInputs lists the entries of dir (hidden ones aside) with the
// bundle each is to be written to, named after it and never an existing
// file nor another input's: nothing of the batch replaces anything.
func batchInputs(dir, out string) ([]*batchItem, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, usagef("export-batch: --in: %v", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	var items []*batchItem
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		items = append(items, &batchItem{
			Input:  filepath.Join(dir, e.Name()),
			Bundle: freeBundleName(out, e.Name(), taken),
		})
	}
	if len(items) == 0 {
		return nil, usagef("export-batch: --in %s holds no conversation", dir)
	}
	return items, nil
}

// freeBundleName: OUT/NAME.custody (NAME the input's without its
// extension), or NAME-2, NAME-3… when that is taken on disk or in the batch.
func freeBundleName(out, input string, taken map[string]bool) string {
	base := strings.TrimSuffix(input, filepath.Ext(input))
	for n := 1; ; n++ {
		name := base
		if n > 1 {
			name += "-" + strconv.Itoa(n)
		}
		path := filepath.Join(out, name+".custody")
		if _, err := os.Lstat(path); os.IsNotExist(err) && !taken[path] {
			taken[path] = true
			return path
		}
	}
}

// exportAll runs export on every item, at most jobs at once: memory is
// bounded by jobs exports, whatever the number of items (and, by
// exportOne's messageBudget, by what the largest export holds).
func exportAll(ctx context.Context, items []*batchItem, jobs int, export func(*batchItem)) {
	work := make(chan *batchItem)
	var wg sync.WaitGroup
	for range min(jobs, len(items)) {
		wg.Go(func() {
			for it := range work {
				export(it)
			}
		})
	}
	for _, it := range items {
		if ctx.Err() != nil {
			it.Error = ctx.Err().Error()
			continue
		}
		work <- it
	}
	close(work)
	wg.Wait()
}

// batchMessageBudget is how many messages the exports of a batch hold at
// once: what an export keeps live grows with its messages (its ZIP
// directory, its file list, its leaves: about 42 MB at the 158,000 of the
// largest manifest accepted), so --jobs exports of that size would hold
// --jobs times as much. Within the budget, the exports of a batch hold
// about what the largest single export holds, plus what each export
// holds whatever its size (a few MB).
const batchMessageBudget = 160_000

// messageBudget lets an export start when the messages of the exports
// running, its own added, stay within the budget; one larger than the
// whole budget runs alone. First come, first served: a large conversation
// waits for the exports before it to end, and those after it wait for it.
type messageBudget struct {
	sem    *semaphore.Weighted
	budget int64
}

func newMessageBudget(budget int64) *messageBudget {
	return &messageBudget{sem: semaphore.NewWeighted(budget), budget: budget}
}

// acquire waits until an export of that many messages may run, and
// returns what ends its share.
func (b *messageBudget) acquire(ctx context.Context, messages int) (release func(), err error) {
	n := min(max(int64(messages), 1), b.budget)
	if err := b.sem.Acquire(ctx, n); err != nil {
		return nil, err
	}
	return func() { b.sem.Release(n) }, nil
}

// exportOne imports and exports one item, recording its outcome in it.
// custody.Export writes nothing at the bundle's path unless it succeeded.
// The import holds one message at a time; the export waits for its share
// of the budget, once the import has counted the messages.
func exportOne(ctx context.Context, it *batchItem, imp importer.Options, opts custody.Options, budget *messageBudget) {
	bundle := it.Bundle
	it.Bundle = ""
	conv, cleanup, err := importer.Open(it.Input, imp)
	if err != nil {
		it.Error = err.Error()
		return
	}
	defer cleanup()
	release, err := budget.acquire(ctx, conv.Len())
	if err != nil {
		it.Error = err.Error()
		return
	}
	defer release()
	opts.Out = bundle
	res, err := custody.Export(ctx, conv, opts)
	if err != nil {
		it.Error = err.Error()
		return
	}
	it.Bundle, it.Messages, it.Digest = bundle, res.Manifest.Selection.Selected, res.ManifestSHA256
	for _, entry := range res.LogEntries {
		if index, _, err := translog.Where(entry); err == nil {
			it.LogIndex = &index
			break // the first log's, as the CSV has one column
		}
	}
}

// reportBatch writes summary.csv and summary.json in --out, prints one
// line per input, and fails when any input did.
func reportBatch(cmd *cobra.Command, f *batchFlags, items []*batchItem) error {
	failed := 0
	for _, it := range items {
		if it.Error != "" {
			failed++
			fmt.Fprintf(cmd.ErrOrStderr(), "custody: %s: %s\n", it.Input, it.Error)
		} else if !f.quiet {
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (%d messages)\n", it.Bundle, it.Messages)
		}
	}
	if err := writeSummaries(f.out, items); err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(cmd.OutOrStdout(), "%d exported, %d failed; summary in %s\n",
			len(items)-failed, failed, filepath.Join(f.out, "summary.csv"))
	}
	if failed > 0 {
		return fmt.Errorf("export-batch: %d of %d inputs failed", failed, len(items))
	}
	return nil
}

func writeSummaries(out string, items []*batchItem) error {
	js, err := json.MarshalIndent(items, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(out, "summary.json"), append(js, '\n'), 0o644, true); err != nil {
		return err
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"input", "bundle", "messages", "digest", "log_index", "error"})
	for _, it := range items {
		index := ""
		if it.LogIndex != nil {
			index = strconv.FormatInt(*it.LogIndex, 10)
		}
		w.Write([]string{it.Input, it.Bundle, strconv.Itoa(it.Messages), it.Digest, index, it.Error})
	}
	w.Flush()
	return atomicfile.WriteFile(filepath.Join(out, "summary.csv"), []byte(b.String()), 0o644, true)
}
