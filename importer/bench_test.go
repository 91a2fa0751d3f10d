package importer

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/custody-toolkit/custody/internal/peakrss"
)

// writeLargeExport writes an iOS-style export of n messages: three
// speakers, every fifth message on two lines, every tenth an attachment.
func writeLargeExport(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	names := []string{"Dra. Lucía Ferrer", "Tomás Ibarra", "~\u202fMarta Solé"}
	t := time.Date(2023, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		t = t.Add(37 * time.Second)
		h := t.Hour() % 12
		if h == 0 {
			h = 12
		}
		ampm := "AM"
		if t.Hour() >= 12 {
			ampm = "PM"
		}
		fmt.Fprintf(w, "[%d/%d/%02d, %d:%02d:%02d\u202f%s] %s: ", t.Month(), t.Day(), t.Year()%100, h, t.Minute(), t.Second(), ampm, names[i%3])
		switch {
		case i%10 == 9:
			fmt.Fprintf(w, "\u200e<attached: %08d-PHOTO-2023.jpg>\n", i)
		case i%5 == 4:
			fmt.Fprintf(w, "Mensaje %d con dos líneas,\nla segunda aquí.\n", i)
		default:
			fmt.Fprintf(w, "Mensaje número %d sobre la analítica de ayer\n", i)
		}
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
}

func TestLargeExport(t *testing.T) {
	if testing.Short() {
		t.Skip("large export")
	}
	src := filepath.Join(t.TempDir(), "_chat.txt")
	writeLargeExport(t, src, 100_000)
	c, _ := importTo(t, src, Options{})
	if len(c.Messages) != 100_000 || c.Messages[99_999].ID != "m100000" || len(c.Participants) != 3 {
		t.Errorf("%d messages, %d participants", len(c.Messages), len(c.Participants))
	}
	if c.Messages[4].Origin.FirstLine != 5 || c.Messages[5].Origin.FirstLine != 7 {
		t.Errorf("origins %+v %+v", c.Messages[4].Origin, c.Messages[5].Origin)
	}
}

// BenchmarkWhatsApp100k imports a 100,000-message export, writing the
// conversation folder (the target is under one second).
func BenchmarkWhatsApp100k(b *testing.B) {
	benchmarkImport(b, "_chat.txt", writeLargeExport, Options{TimeZone: "Europe/Madrid", DefaultRole: "patient"})
}

// BenchmarkTelegramAccount100k imports the chat of 100,000 messages of a
// full-account Telegram export holding three such chats (80 MB).
func BenchmarkTelegramAccount100k(b *testing.B) {
	benchmarkImport(b, "result.json", writeLargeTelegramAccount, Options{TimeZone: "UTC", DefaultRole: "patient", Chat: "Marta Solé"})
}

// benchmarkImport imports an export of 100,000 messages that write makes.
func benchmarkImport(b *testing.B, name string, write func(testing.TB, string, int), opts Options) {
	dir := b.TempDir()
	src := filepath.Join(dir, name)
	write(b, src, 100_000)
	st, _ := os.Stat(src)
	b.SetBytes(st.Size())
	// CPU time is reported beside wall time: on a shared machine the wall
	// time measures the neighbours as much as the import.
	cpu0 := cpuTime()
	reset := peakrss.Reset()
	i := 0
	for b.Loop() {
		i++
		if err := Import(src, filepath.Join(dir, fmt.Sprint("out", i)), opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(i)/1e9, "cpu-s/op")
	peakrss.Report(b, reset)
}

// TestImportHoldsOneMessage: an import's live heap does not grow with the
// chat. 100,000 WhatsApp messages (9 MB of chat, 30 MB of
// conversation.json) held as values, as imports did until 2026-12-03,
// kept about 70 MB live; written out as they are read, a few MB. A
// Telegram result.json of 100,000 messages (27 MB) parsed whole kept
// about 80 MB live; a full-account export holding it among two other
// chats of that size (80 MB), read whole to take the chat out, about
// 100 MB. The live heap is read after each collection
// (runtime/metrics), so garbage does not count.
func TestImportHoldsOneMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("large export")
	}
	for name, write := range map[string]func(testing.TB, string, int){
		"_chat.txt":    writeLargeExport,
		"result.json":  writeLargeTelegramExport,
		"account.json": writeLargeTelegramAccount,
	} {
		t.Run(name, func(t *testing.T) {
			src := filepath.Join(t.TempDir(), name)
			write(t, src, 100_000)
			runtime.GC()
			peak := peakrss.SampleLiveHeap()
			opts := Options{TimeZone: "UTC", DateOrder: "mdy", DefaultRole: "patient"}
			if name == "account.json" {
				opts.Chat = "4400112233"
			}
			err := Import(src, filepath.Join(t.TempDir(), "case"), opts)
			live := peak()
			if err != nil {
				t.Fatal(err)
			}
			const bound = 24 << 20
			peakrss.AtMost(t, live, bound, "the import holds the chat, not one message")
		})
	}
}

// writeLargeTelegramExport writes a Telegram Desktop result.json of n
// messages, laid out as Desktop writes it: three speakers, every fifth
// message a reply, every tenth a photo not downloaded, every seventh
// text an array of entities.
func writeLargeTelegramExport(tb testing.TB, path string, n int) {
	writeJSONFile(tb, path, func(w *bufio.Writer) {
		writeTelegramChat(w, "Marta Solé", 4400112233, n)
		fmt.Fprint(w, "\n")
	})
}

// writeLargeTelegramAccount writes the result.json of a full-account
// export ("Export Telegram data") whose chats.list holds the chat of
// writeLargeTelegramExport, id 4400112233, between two other chats of n
// messages each.
func writeLargeTelegramAccount(tb testing.TB, path string, n int) {
	writeJSONFile(tb, path, func(w *bufio.Writer) {
		fmt.Fprint(w, "{\n \"about\": \"Here is the data you requested.\",\n \"chats\": {\n  \"about\": \"This page lists all chats from this export.\",\n  \"list\": [\n")
		writeTelegramChat(w, "Jorge Vidal", 5500, n)
		fmt.Fprint(w, ",\n")
		writeTelegramChat(w, "Marta Solé", 4400112233, n)
		fmt.Fprint(w, ",\n")
		writeTelegramChat(w, "Ana Ruiz", 6600, n)
		fmt.Fprint(w, "\n  ]\n }\n}\n")
	})
}

func writeJSONFile(tb testing.TB, path string, write func(w *bufio.Writer)) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	write(w)
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
}

func writeTelegramChat(w *bufio.Writer, name string, id int64, n int) {
	names := []string{"Dra. Lucía Ferrer", "Tomás Ibarra", name}
	fmt.Fprintf(w, "{\n \"name\": %q,\n \"type\": \"private_group\",\n \"id\": %d,\n \"messages\": [", name, id)
	t := time.Date(2023, 1, 1, 8, 0, 0, 0, time.UTC)
	for i := range n {
		t = t.Add(37 * time.Second)
		if i > 0 {
			fmt.Fprint(w, ",")
		}
		fmt.Fprintf(w, "\n  {\n   \"id\": %d,\n   \"type\": \"message\",\n   \"date\": %q,\n   \"date_unixtime\": \"%d\",\n   \"from\": %q,\n   \"from_id\": \"user%d\",\n",
			i+1, t.Format("2006-01-02T15:04:05"), t.Unix(), names[i%3], 100+i%3)
		if i%5 == 4 {
			fmt.Fprintf(w, "   \"reply_to_message_id\": %d,\n", i-1)
		}
		if i%10 == 9 {
			fmt.Fprint(w, "   \"photo\": \"(File not included. Change data exporting settings to download.)\",\n   \"width\": 1280,\n   \"height\": 960,\n")
		}
		switch {
		case i%7 == 6:
			fmt.Fprintf(w, "   \"text\": [\n    \"Mensaje número %d sobre la \",\n    {\n     \"type\": \"bold\",\n     \"text\": \"analítica\"\n    },\n    \" de ayer\"\n   ]\n  }", i)
		default:
			fmt.Fprintf(w, "   \"text\": \"Mensaje número %d sobre la analítica de ayer\"\n  }", i)
		}
	}
	fmt.Fprint(w, "\n ]\n}")
}

// TestChatTooLarge: a chat whose conversation.json would exceed what
// conversation.Load reads is refused by the import, naming the limit; it
// used to be imported and then reported as "an invalid conversation (a
// bug)" (a 93 MB WhatsApp chat makes about 320 MB of JSON).
func TestChatTooLarge(t *testing.T) {
	defer func(n int) { maxConversationSize = n }(maxConversationSize)
	maxConversationSize = 64 << 10
	src := filepath.Join(t.TempDir(), "_chat.txt")
	writeLargeExport(t, src, 2000)
	opts := Options{TimeZone: "UTC", DateOrder: "mdy", DefaultRole: "patient"} // not about roles
	err := Import(src, filepath.Join(t.TempDir(), "case"), opts)
	if err == nil || !strings.Contains(err.Error(), "too large") || !strings.Contains(err.Error(), "more than 65536 bytes") {
		t.Errorf("Import: err = %v, want one naming the size limit", err)
	}
	_, _, err = Open(src, opts)
	if err == nil || !strings.Contains(err.Error(), "too large") || strings.Contains(err.Error(), "a bug") {
		t.Errorf("Open: err = %v, want one naming the size limit, not a bug", err)
	}
}
