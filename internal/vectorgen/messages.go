package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/custody-toolkit/custody/conversation"
	"github.com/custody-toolkit/custody/manifest"
)

// entryVector changes message entries (and attachments) with edit, then
// recomputes every digest and seals again: what remains broken is only the
// rule under test.
func (g *generator) entryVector(name string, from *bundle, e expectation, edit func(b *bundle, m *manifest.Manifest)) {
	g.bundleVector(name, g.withEntries(from, edit), e.withSigner("signer.pub"))
}

// renameAttachment moves attachment old to new everywhere: the entry, the
// ZIP, the message entry's path.
func renameAttachment(b *bundle, entryName, old, new string) {
	b.entries[b.find(old)].name = new
	b.set(entryName, replaceOnce(b.get(entryName), `"path":"`+old+`"`, `"path":"`+new+`"`))
}

func (g *generator) messageEntries() {
	const rule = "bundle-format.md §3"
	// A rule of the format broken: FORMAT_FAILURE. An entry that cannot be
	// read as one (canonical JSON, members) is found while reading the
	// files; a record that contradicts another, under messages, is
	// HASH_FAILURE like any digest that does not match.
	msgFailed := func(desc string) expectation { return failed(rule, desc, "messages", "FORMAT_FAILURE") }
	entryFailed := func(desc string) expectation { return failed(rule, desc, "files", "FORMAT_FAILURE") }
	mismatch := func(desc string) expectation { return failed(rule, desc, "messages", "HASH_FAILURE") }
	entryRaw := func(name, desc string, entryName string, edit func(raw []byte) []byte, e expectation) {
		g.entryVector("messages/"+name, g.base, e, func(b *bundle, m *manifest.Manifest) { b.set(entryName, edit(b.get(entryName))) })
	}
	const m1, m2, m3 = "messages/000001.json", "messages/000002.json", "messages/000003.json"
	// Canonical JSON, as for the manifest.
	entryRaw("entry-spaces", "a message entry with a space after a colon", m1, func(r []byte) []byte { return replaceOnce(r, `"id":`, `"id": `) }, entryFailed("a message entry not in canonical JSON"))
	entryRaw("entry-newline", "a message entry ending in a newline", m1, func(r []byte) []byte { return append(r, '\n') }, entryFailed("a message entry not in canonical JSON"))
	entryRaw("entry-unknown-member", "an unknown member in a message entry", m1, func(r []byte) []byte { return replaceOnce(r, `{"from"`, `{"edited_by":"x","from"`) }, entryFailed("an unknown member in a message entry"))
	entryRaw("entry-duplicate-member", "text written twice", m1, func(r []byte) []byte { return replaceOnce(r, `"text":`, `"text":"x","text":`) }, entryFailed("a duplicate member in a message entry"))
	entryRaw("entry-escaped", "a non-ASCII letter escaped", m2, func(r []byte) []byte { return replaceOnce(r, `í`, `\u00ed`) }, entryFailed("an escape RFC 8785 does not write"))
	// Members.
	for _, k := range []string{"id", "time", "from", "text"} {
		entryRaw("entry-missing-"+k, "the required member "+k+" absent", m1, func(r []byte) []byte { return dropMember(r, k) }, entryFailed("a message entry without "+k))
	}
	entryRaw("entry-empty-labels", `labels [] written (optional, omitted when empty)`, m1, func(r []byte) []byte { return replaceOnce(r, `"id"`, `"labels":[],"id"`) }, entryFailed("an optional member written empty"))
	entryRaw("entry-empty-reply-to", `reply_to "" written`, m1, func(r []byte) []byte { return replaceOnce(r, `"text"`, `"reply_to":"","text"`) }, entryFailed("an optional member written empty"))
	entryRaw("entry-empty-attachments", `attachments [] written`, m1, func(r []byte) []byte { return replaceOnce(r, `{"from"`, `{"attachments":[],"from"`) }, entryFailed("an optional member written empty"))
	entryRaw("entry-id-mismatch", "the entry holds another id than the manifest's message", m1, func(r []byte) []byte { return replaceOnce(r, `"id":"m1"`, `"id":"m9"`) }, mismatch("the entry's id differs from the manifest's"))
	entryRaw("entry-sender-unknown", "the sender is not a listed participant", m1, func(r []byte) []byte { return replaceOnce(r, `"from":"pt"`, `"from":"zz"`) }, mismatch("a sender that is not a participant"))
	for _, t := range []string{"2026-11-30T09:00:00", "2026-11-30 09:00:00+01:00", "30/11/2026 9:00", ""} {
		entryRaw("entry-time-"+slug(strings.NewReplacer(":", "", " ", "_", "+", "p", "/", "-").Replace(t)), "time "+t+": not RFC 3339 with an offset", m1,
			func(r []byte) []byte { return replaceOnce(r, `"time":"2026-11-30T09:00:00+01:00"`, `"time":"`+t+`"`) }, msgFailed("an entry time that is not RFC 3339 with an offset"))
	}

	// Attachment records (the first point): what the exporter writes
	// is the rule, and a record written otherwise is refused.
	entryRaw("attachment-without-missing-false", `a present attachment without "missing":false`, m2,
		func(r []byte) []byte { return replaceOnce(r, `{"missing":false,`, `{`) }, entryFailed(`"missing" is required in every attachment record`))
	entryRaw("attachment-missing-without-size", `a missing attachment without "size":0`, m2,
		func(r []byte) []byte { return replaceOnce(r, `,"size":0}`, `}`) }, entryFailed(`"size" is required in every attachment record, 0 for a missing one`))
	entryRaw("attachment-missing-with-path", "a missing attachment with a path", m2,
		func(r []byte) []byte {
			return replaceOnce(r, `{"missing":true,`, `{"missing":true,"path":"attachments/000002-02.jpg",`)
		}, entryFailed("a missing attachment has no content"))
	entryRaw("attachment-missing-with-size", "a missing attachment with size 5", m2,
		func(r []byte) []byte { return replaceOnce(r, `"size":0}`, `"size":5}`) }, msgFailed("a missing attachment has size 0"))
	entryRaw("attachment-size-mismatch", "the entry's attachment size differs from files", m2,
		func(r []byte) []byte { return replaceOnce(r, `"size":22`, `"size":23`) }, mismatch("attachment size differs from its files record"))
	entryRaw("attachment-digest-mismatch", "the entry's attachment digest differs from files", m2,
		func(r []byte) []byte { return replaceOnce(r, `"sha256":"7`, `"sha256":"8`) }, mismatch("attachment digest differs from its files record"))
	entryRaw("attachment-empty-name", `an attachment's optional name "" written`, m2,
		func(r []byte) []byte { return replaceOnce(r, `"name":"foto.jpg"`, `"name":""`) }, entryFailed("an optional member written empty in a nested object"))
	const att = "attachments/000002-01.txt"
	for _, v := range []struct{ to, desc string }{
		{"attachments/000002-02.txt", "numbered 02 while it is the entry's first attachment"},
		{"attachments/000003-01.txt", "named after another message"},
		{"attachments/000002-1.txt", "JJ written with one digit"},
		{"attachments/000002-01.TXT", "an upper-case extension"},
		{"attachments/000002-01.textfile1", "an extension of 9 characters"},
		{"attachments/000002-01.t_t", "an extension with a character outside a-z 0-9"},
		{"attachments/analitica.txt", "the original name instead of NNNNNN-JJ"},
		{"attachments/x/000002-01.txt", "in a subfolder"},
	} {
		g.entryVector("messages/attachment-name-"+slug(strings.TrimPrefix(v.to, "attachments/")), g.base, msgFailed("an attachment entry "+v.desc+": not attachments/NNNNNN-JJ[.ext]"), func(b *bundle, m *manifest.Manifest) {
			renameAttachment(b, m2, att, v.to)
		})
	}
	for _, v := range []struct{ to, desc string }{
		{"attachments/000002-01", "without an extension"},
		{"attachments/000002-01.pdf", "with another extension than its name's (the extension comes from the source file's path, which a verifier never sees)"},
		{"attachments/000002-01.12345678", "with an extension of 8 digits"},
	} {
		g.entryVector("valid/attachment-name-"+slug(strings.TrimPrefix(v.to, "attachments/")), g.base, passed(rule, "an attachment entry "+v.desc), func(b *bundle, m *manifest.Manifest) {
			renameAttachment(b, m2, att, v.to)
		})
	}
	// Numbering after a missing attachment: JJ counts every record of the
	// entry's attachments, missing ones included.
	g.entryVector("valid/attachment-after-missing", g.base, passed(rule, "a present attachment after a missing one is numbered by its place among all the records (02)"), func(b *bundle, m *manifest.Manifest) {
		swapped := replaceOnce(b.get(m2), `"attachments":[`, `"attachments":[{"missing":true,"name":"foto.jpg","size":0},`)
		swapped = replaceOnce(swapped, `,{"missing":true,"name":"foto.jpg","size":0}]`, `]`)
		b.set(m2, swapped)
		renameAttachment(b, m2, att, "attachments/000002-02.txt")
	})
	g.entryVector("messages/attachment-after-missing-numbered-01", g.base, msgFailed("a present attachment after a missing one numbered 01: JJ counts the missing one too"), func(b *bundle, m *manifest.Manifest) {
		swapped := replaceOnce(b.get(m2), `"attachments":[`, `"attachments":[{"missing":true,"name":"foto.jpg","size":0},`)
		b.set(m2, replaceOnce(swapped, `,{"missing":true,"name":"foto.jpg","size":0}]`, `]`))
	})
	g.entryVector("messages/attachment-claimed-twice", g.base, msgFailed("message 3 claims message 2's attachment: its name is not message 3's (naming makes every claim unique)"), func(b *bundle, m *manifest.Manifest) {
		b.set(m3, replaceOnce(b.get(m3), `{"from"`, `{"attachments":`+attachmentRecord(b.get(m2))+`,"from"`))
	})
	g.entryVector("messages/file-unowned", g.base, mismatch("a listed file that belongs to no message"), func(b *bundle, m *manifest.Manifest) {
		b.insertBefore(m1, entry{"attachments/000001-01.txt", []byte("x")})
	})
	g.entryVector("messages/entry-outside-folders", g.base, failed("bundle-format.md §2.4", "a listed file outside messages/, attachments/, sources/ and record.pdf", "manifest", "FORMAT_FAILURE"), func(b *bundle, m *manifest.Manifest) {
		b.insertBefore(m1, entry{"notes/x.txt", []byte("x")})
	})

	// Sources travel only in whole exports.
	g.entryVector("messages/sources-in-partial", g.selective, failed("bundle-format.md §1", "sources/ in a bundle that withholds messages", "messages", "FORMAT_FAILURE"), func(b *bundle, m *manifest.Manifest) {
		b.insertBefore(b.entries[1].name, entry{"sources/01.txt", []byte("12/3/26, 9:00 - A: hola\n")})
		m.Conversation.Sources = []manifest.Source{{Path: "sources/01.txt", Type: "whatsapp-txt"}}
	})
	g.entryVector("messages/source-unlisted-in-sources", g.base, failed("bundle-format.md §2.4", "a file under sources/ that conversation.sources does not name: it belongs to no message or source", "messages", "HASH_FAILURE"), func(b *bundle, m *manifest.Manifest) {
		b.insertBefore(b.entries[1].name, entry{"sources/01.txt", []byte("x")})
	})
	g.entryVector("valid/sources", g.base, passed("bundle-format.md §1", "a whole export carrying its source file as sources/01.txt"), func(b *bundle, m *manifest.Manifest) {
		b.insertBefore(b.entries[1].name, entry{"sources/01.txt", []byte("12/3/26, 9:00 - A: hola\n")})
		m.Conversation.Sources = []manifest.Source{{Path: "sources/01.txt", Type: "whatsapp-txt"}}
	})
	future := g.p.export(g.dir("future"), exportOptions{conv: func(c *conversation.Conversation) { c.Messages[5].Time = "2026-12-05T09:31:00+01:00" }})
	g.bundleVector("messages/dated-after-timestamp", future, indeterminate("bundle-format.md §7", "the last message dated four days after the trusted genTime: a wrong clock at the source, or made-up dates", "message.times", "TIMESTAMP_ORDER_FAILURE").withSigner("signer.pub"))
	g.entryVector("messages/source-numbered-00", g.base, failed("bundle-format.md §1", "a source named sources/00.txt: sources are numbered from 01", "messages", "FORMAT_FAILURE"), func(b *bundle, m *manifest.Manifest) {
		b.insertBefore(b.entries[1].name, entry{"sources/00.txt", []byte("x")})
		m.Conversation.Sources = []manifest.Source{{Path: "sources/00.txt", Type: "whatsapp-txt"}}
	})
}

// attachmentRecord is the first attachment record of an entry, as JSON.
func attachmentRecord(entry []byte) string {
	s := string(entry)
	i := strings.Index(s, `"attachments":[`) + len(`"attachments":[`)
	j := strings.Index(s[i:], "}") + i + 1
	return "[" + s[i:j] + "]"
}

// dropMember removes "key":"value" (a string member) from a canonical
// object.
func dropMember(raw []byte, key string) []byte {
	s := string(raw)
	i := strings.Index(s, `"`+key+`":"`)
	if i < 0 {
		panic("vectorgen: no member " + key)
	}
	j := i + len(key) + 4
	for s[j] != '"' || s[j-1] == '\\' {
		j++
	}
	j++
	if s[j] == ',' {
		j++
	} else if s[i-1] == ',' {
		i--
	}
	return []byte(s[:i] + s[j:])
}

func (g *generator) chainAndTree() {
	chainFailed := func(desc string) expectation {
		return failed("bundle-format.md §4", desc, "chain", "HASH_FAILURE").withSigner("signer.pub")
	}
	// Entries changed without their digests: files catches them.
	for _, name := range []string{"messages/000001.json", "messages/000006.json", "attachments/000002-01.txt", "attachments/000005-01.bin"} {
		b := g.base.clone()
		data := append([]byte(nil), b.get(name)...)
		data[len(data)/2] ^= 0x01
		b.set(name, data)
		g.bundleVector("chain/edited-"+slug(name), b, failed("bundle-format.md §2.4", "one bit of "+name+" changed", "files", "HASH_FAILURE").withSigner("signer.pub"))
	}
	// The chain itself.
	g.bundleVector("chain/link-wrong", g.sealed(g.base, func(m *manifest.Manifest) { m.Messages[2].Link = m.Messages[1].Link }), chainFailed("messages[2].link not the link after message 3"))
	g.bundleVector("chain/head-wrong", g.sealed(g.base, func(m *manifest.Manifest) { m.Chain.Head = m.Messages[4].Link }), chainFailed("chain.head not the last link"))
	g.bundleVector("chain/head-zero", g.sealed(g.base, func(m *manifest.Manifest) { m.Chain.Head = strings.Repeat("0", 64) }), chainFailed("chain.head the zero link"))
	g.bundleVector("chain/prefix-wrong", g.sealed(g.base, func(m *manifest.Manifest) {
		var link [32]byte
		for i := range m.Messages {
			d, _ := manifest.ParseDigest(m.Messages[i].SHA256)
			h := sha256.New()
			h.Write([]byte("custody-chain-v2\x00"))
			h.Write(link[:])
			h.Write(d[:])
			copy(link[:], h.Sum(nil))
			m.Messages[i].Link = hex.EncodeToString(link[:])
		}
		m.Chain.Head = m.Messages[len(m.Messages)-1].Link
	}), chainFailed("every link computed with another domain prefix"))
	g.entryVector("chain/messages-swapped", g.base, failed("bundle-format.md §10.3", "messages 1 and 2 swapped in the manifest: their positions are then out of order", "manifest", "FORMAT_FAILURE"), func(b *bundle, m *manifest.Manifest) {
		m.Messages[0], m.Messages[1] = m.Messages[1], m.Messages[0]
	})

	// The tree (v2, §10).
	treeFailed := func(desc string) expectation {
		return failed("bundle-format.md §10.5", desc, "disclosure", "HASH_FAILURE").withSigner("signer.pub")
	}
	g.bundleVector("tree/root-wrong", g.sealed(g.base, func(m *manifest.Manifest) { m.Tree.Root = m.Messages[0].Link }), treeFailed("tree.root not the root of the leaves"))
	g.bundleVector("tree/salt-changed", g.sealed(g.base, func(m *manifest.Manifest) { m.Messages[3].Salt = m.Messages[2].Salt }), treeFailed("a disclosed message's salt changed"))
	g.bundleVector("tree/withheld-leaf", g.sealed(g.selective, func(m *manifest.Manifest) { m.Withheld[0].Leaf = m.Withheld[1].Leaf }), treeFailed("a withheld leaf changed"))
	g.bundleVector("tree/withheld-swapped", g.sealed(g.selective, func(m *manifest.Manifest) {
		m.Withheld[0].Leaf, m.Withheld[1].Leaf = m.Withheld[1].Leaf, m.Withheld[0].Leaf
	}), treeFailed("two withheld leaves swapped"))
	mf := func(name, desc string, from *bundle, edit func(m *manifest.Manifest)) {
		g.bundleVector("tree/"+name, g.sealed(from, edit), manifestFailed("bundle-format.md §10.3", desc))
	}
	mf("withheld-duplicate", "a position both disclosed and withheld", g.selective, func(m *manifest.Manifest) { m.Withheld[0].Position = *m.Messages[0].Position })
	mf("withheld-gap", "a position neither disclosed nor withheld", g.selective, func(m *manifest.Manifest) { m.Withheld = m.Withheld[1:] })
	mf("withheld-unsorted", "withheld not ascending (the positions, read in order, do not cover 0…N−1)", g.selective, func(m *manifest.Manifest) { m.Withheld[0], m.Withheld[1] = m.Withheld[1], m.Withheld[0] })
	mf("withheld-leaf-short", "a withheld leaf of 31 bytes", g.selective, func(m *manifest.Manifest) { m.Withheld[0].Leaf = m.Withheld[0].Leaf[:62] })
	mf("position-past-size", "a disclosed position past tree.size", g.selective, func(m *manifest.Manifest) { p := 6; m.Messages[len(m.Messages)-1].Position = &p })
	mf("missing-position", "a v2 message without position", g.base, func(m *manifest.Manifest) { m.Messages[0].Position = nil })
	mf("entry-name-not-position", "a v2 entry named by its place in the bundle instead of its position", g.selective, func(m *manifest.Manifest) { m.Messages[0].Entry = "messages/000001.json" })
	g.entryVector("tree/recomputed-after-edit", g.base, failed("bundle-format.md §10.5", "a disclosed message edited, its digests, chain and root recomputed and resealed by the same key: verifies (the signer may seal anything); shown here only to pin that recompute is sound", "", ""), func(b *bundle, m *manifest.Manifest) {})
	g.vectors = g.vectors[:len(g.vectors)-1] // recompute's own sanity check, not a vector
}
