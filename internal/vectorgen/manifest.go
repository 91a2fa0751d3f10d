package main

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/custody-toolkit/custody/manifest"
)

// manifestFailed is a vector whose manifest breaks a rule of §2: FAILED,
// check manifest, FORMAT_FAILURE.
func manifestFailed(rule, desc string) expectation {
	return failed(rule, desc, "manifest", "FORMAT_FAILURE").withSigner("signer.pub")
}

// replaceOnce replaces the first occurrence of old in raw, and panics
// when there is none (a vector that changes nothing would pass for the
// wrong reason).
func replaceOnce(raw []byte, old, new string) []byte {
	if !bytes.Contains(raw, []byte(old)) {
		panic("vectorgen: no " + old + " in " + string(raw[:min(len(raw), 80)]))
	}
	return bytes.Replace(raw, []byte(old), []byte(new), 1)
}

// edited decodes the manifest into generic JSON, lets edit change it, and
// encodes it canonically: a canonical manifest with a member added,
// removed or retyped.
func edited(raw []byte, edit func(obj map[string]any)) []byte {
	var obj map[string]any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	must(d.Decode(&obj))
	edit(obj)
	out, err := manifest.Marshal(obj)
	must(err)
	return out
}

func object(v any, path ...any) map[string]any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			v = v.(map[string]any)[k]
		case int:
			v = v.([]any)[k]
		}
	}
	return v.(map[string]any)
}

func (g *generator) canonicalJSON() {
	const rule = "bundle-format.md §2.1"
	raw := func(name, desc string, edit func(raw []byte) []byte) {
		g.bundleVector("json/"+name, g.sealedRaw(g.base, edit), manifestFailed(rule, desc))
	}
	raw("indented", "the manifest pretty-printed", func(r []byte) []byte {
		var out bytes.Buffer
		must(json.Indent(&out, r, "", "  "))
		return out.Bytes()
	})
	raw("trailing-newline", "a newline after the object", func(r []byte) []byte { return append(r, '\n') })
	raw("leading-space", "a space before the object", func(r []byte) []byte { return append([]byte(" "), r...) })
	raw("bom", "a UTF-8 byte order mark before the object", func(r []byte) []byte { return append([]byte("\xef\xbb\xbf"), r...) })
	raw("space-after-colon", "a space after a colon", func(r []byte) []byte { return replaceOnce(r, `"format":`, `"format": `) })
	raw("trailing-object", "a second JSON value after the object", func(r []byte) []byte { return append(r, []byte("{}")...) })
	raw("unsorted", "two members in the wrong order (custody_log before conversation)", func(r []byte) []byte {
		r = replaceOnce(r, `,"custody_log":true`, ``)
		return replaceOnce(r, `,"conversation":`, `,"custody_log":true,"conversation":`)
	})
	raw("duplicate-member", "the member exporter written twice", func(r []byte) []byte {
		return replaceOnce(r, `"exporter":"custody/0.1.0"`, `"exporter":"custody/0.1.0","exporter":"custody/0.1.0"`)
	})
	raw("duplicate-member-different", "the member exporter written twice, with two values", func(r []byte) []byte {
		return replaceOnce(r, `"exporter":"custody/0.1.0"`, `"exporter":"custody/0.1.0","exporter":"custody/9.9.9"`)
	})
	raw("escaped-solidus", `"/" written as "\/"`, func(r []byte) []byte { return replaceOnce(r, `custody/0.1.0`, `custody\/0.1.0`) })
	raw("escaped-letter", `an ASCII letter written as \u0063`, func(r []byte) []byte { return replaceOnce(r, `"custody/0.1.0"`, `"\u0063ustody/0.1.0"`) })
	raw("escaped-name", `a member name written with an escape`, func(r []byte) []byte { return replaceOnce(r, `"exporter"`, `"\u0065xporter"`) })
	raw("number-fraction", "the integer 6 written 6.0", func(r []byte) []byte { return replaceOnce(r, `"total":6`, `"total":6.0`) })
	raw("number-exponent", "the integer 6 written 6e0", func(r []byte) []byte { return replaceOnce(r, `"total":6`, `"total":6e0`) })
	raw("number-leading-zero", "the integer 6 written 06 (not JSON)", func(r []byte) []byte { return replaceOnce(r, `"total":6`, `"total":06`) })
	raw("number-plus", "the integer 6 written +6 (not JSON)", func(r []byte) []byte { return replaceOnce(r, `"total":6`, `"total":+6`) })
	raw("invalid-utf8", "a byte that is not UTF-8 in a string", func(r []byte) []byte { return replaceOnce(r, `Seguimiento`, "Seguimient\xff") })
	raw("lone-surrogate", `a lone surrogate escape \ud800`, func(r []byte) []byte { return replaceOnce(r, `Seguimiento`, `Seguimiento\ud800`) })
	raw("true-uppercase", "true written True (not JSON)", func(r []byte) []byte { return replaceOnce(r, `"custody_log":true`, `"custody_log":True`) })
	raw("truncated", "the manifest cut short", func(r []byte) []byte { return r[:len(r)-1] })
	raw("not-object", "the manifest an array", func(r []byte) []byte { return append(append([]byte("["), r...), ']') })

	// Strings the exporter writes with escapes: only the RFC 8785 form.
	titled := func(title string) *bundle {
		return g.sealed(g.base, func(m *manifest.Manifest) { m.Conversation.Title = title })
	}
	g.bundleVector("json/valid-escapes", titled("Año \"x\" \\ \n\t\u001f </script> & é 🙏"), passed(rule, "a title needing every kind of escape, written as RFC 8785 writes it"))
	esc := titled("Año \n\u001f")
	for _, v := range []struct{ name, old, new, desc string }{
		{"escaped-non-ascii", "ñ", `\u00f1`, "a non-ASCII letter written as an escape"},
		{"escaped-newline-u", `\n`, `\u000a`, `a newline written \u000a instead of \n`},
		{"escaped-control-upper", `\u001f`, `\u001F`, "a control character escaped with upper-case hex"},
	} {
		b := esc.clone()
		b.resealRaw(replaceOnce(b.get(manifest.ManifestName), v.old, v.new))
		g.bundleVector("json/"+v.name, b, manifestFailed(rule, v.desc))
	}
}

func (g *generator) manifestMembers() {
	const rule = "bundle-format.md §2.2"
	obj := func(name, desc string, from *bundle, edit func(o map[string]any)) {
		g.bundleVector("manifest/"+name, g.sealedRaw(from, func(r []byte) []byte { return edited(r, edit) }), manifestFailed(rule, desc))
	}
	// Unknown members, at every level.
	obj("unknown-member", "an unknown member at the top", g.base, func(o map[string]any) { o["comment"] = "x" })
	obj("unknown-in-signer", "an unknown member in signer", g.base, func(o map[string]any) { object(o, "signer")["key_id"] = "x" })
	obj("unknown-in-conversation", "an unknown member in conversation", g.base, func(o map[string]any) { object(o, "conversation")["lang"] = "es" })
	obj("unknown-in-participant", "an unknown member in a participant", g.base, func(o map[string]any) { object(o, "conversation", "participants", 0)["phone"] = "x" })
	obj("unknown-in-selection", "an unknown member in selection", g.base, func(o map[string]any) { object(o, "selection")["x"] = "y" })
	obj("unknown-in-message", "an unknown member in messages[0]", g.base, func(o map[string]any) { object(o, "messages", 0)["x"] = "y" })
	obj("unknown-in-chain", "an unknown member in chain", g.base, func(o map[string]any) { object(o, "chain")["x"] = "y" })
	obj("unknown-in-file", "an unknown member in files[0]", g.base, func(o map[string]any) { object(o, "files", 0)["mtime"] = "x" })
	obj("unknown-in-tree", "an unknown member in tree", g.base, func(o map[string]any) { object(o, "tree")["x"] = "y" })
	obj("unknown-in-withheld", "an unknown member in withheld[0]", g.selective, func(o map[string]any) { object(o, "withheld", 0)["x"] = "y" })

	// Required members missing.
	for _, path := range [][]string{
		{"exporter"}, {"export_id"}, {"exported_at"}, {"signer"}, {"conversation"}, {"selection"}, {"messages"}, {"chain"}, {"files"},
		{"signer", "algorithm"}, {"signer", "fingerprint"}, {"conversation", "id"}, {"conversation", "title"}, {"conversation", "participants"},
		{"selection", "total"}, {"selection", "selected"}, {"selection", "criteria"}, {"chain", "algorithm"}, {"chain", "length"}, {"chain", "head"},
		{"tree"}, {"tree", "root"}, {"tree", "size"}, {"tree", "algorithm"},
	} {
		obj("missing-"+strings.Join(path, "-"), "the required member "+strings.Join(path, ".")+" absent", g.base, func(o map[string]any) {
			parent := o
			for _, p := range path[:len(path)-1] {
				parent = object(parent, p)
			}
			delete(parent, path[len(path)-1])
		})
	}
	for _, k := range []string{"id", "entry", "sha256", "attachments", "link", "position", "salt"} {
		obj("missing-messages-"+k, "messages[0]."+k+" absent", g.base, func(o map[string]any) { delete(object(o, "messages", 0), k) })
	}
	for _, k := range []string{"path", "sha256", "size"} {
		obj("missing-files-"+k, "files[0]."+k+" absent", g.base, func(o map[string]any) { delete(object(o, "files", 0), k) })
	}
	obj("missing-participant-role", "a participant without role", g.base, func(o map[string]any) { delete(object(o, "conversation", "participants", 0), "role") })

	// Wrong types and values.
	for _, v := range []struct {
		name, desc string
		edit       func(o map[string]any)
	}{
		{"title-number", "conversation.title a number", func(o map[string]any) { object(o, "conversation")["title"] = 5 }},
		{"title-null", "conversation.title null", func(o map[string]any) { object(o, "conversation")["title"] = nil }},
		{"total-string", "selection.total a string", func(o map[string]any) { object(o, "selection")["total"] = "6" }},
		{"total-negative", "selection.total negative", func(o map[string]any) { object(o, "selection")["total"] = -1 }},
		{"total-fraction", "selection.total 6.5", func(o map[string]any) { object(o, "selection")["total"] = 6.5 }},
		{"size-negative", "files[0].size negative", func(o map[string]any) { object(o, "files", 0)["size"] = -22 }},
		{"position-negative", "messages[0].position negative", func(o map[string]any) { object(o, "messages", 0)["position"] = -1 }},
		{"messages-object", "messages an object", func(o map[string]any) { o["messages"] = map[string]any{} }},
		{"criteria-number", "selection.criteria holding a number", func(o map[string]any) { object(o, "selection")["criteria"] = []any{1} }},
		{"custody-log-string", "custody_log a string", func(o map[string]any) { o["custody_log"] = "true" }},
	} {
		obj("type-"+v.name, v.desc, g.base, v.edit)
	}
	big := func(name, desc, old, new string) {
		g.bundleVector("manifest/"+name, g.sealedRaw(g.base, func(r []byte) []byte { return replaceOnce(r, old, new) }), manifestFailed(rule, desc))
	}
	big("total-2-53", "selection.total 2^53, past the integers version 1 uses (0…2^53−1)", `"total":6`, `"total":9007199254740992`)
	big("total-huge", "selection.total 10^30", `"total":6`, `"total":1000000000000000000000000000000`)
	big("size-2-53", "files[0].size 2^53", `"size":22`, `"size":9007199254740992`)

	// The empty-value rule: an optional member is omitted, never written empty.
	for _, v := range []struct {
		name, desc string
		from       *bundle
		edit       func(o map[string]any)
	}{
		{"empty-practice", `practice ""`, g.base, func(o map[string]any) { o["practice"] = "" }},
		{"empty-time-zone", `conversation.time_zone ""`, g.base, func(o map[string]any) { object(o, "conversation")["time_zone"] = "" }},
		{"empty-sources", "conversation.sources []", g.base, func(o map[string]any) { object(o, "conversation")["sources"] = []any{} }},
		{"custody-log-false", "custody_log false", g.base, func(o map[string]any) { o["custody_log"] = false }},
		{"empty-withheld", "withheld []", g.base, func(o map[string]any) { o["withheld"] = []any{} }},
		{"empty-consistency", "consistency []", g.base, func(o map[string]any) { o["consistency"] = []any{} }},
		{"null-rendering", "rendering null", g.base, func(o map[string]any) { o["rendering"] = nil }},
		{"empty-participant-name", `a participant's optional name "" (the rule holds in nested objects)`, g.base, func(o map[string]any) {
			object(o, "conversation", "participants", 0)["name"] = ""
		}},
		{"empty-withheld-time", `withheld[0].time "" (nested)`, g.selective, func(o map[string]any) { object(o, "withheld", 0)["time"] = "" }},
	} {
		obj(v.name, "the optional member "+v.desc+" written with its empty value", v.from, v.edit)
	}

	// Values that break a rule of §2.2 on their own.
	sealedM := func(name, desc string, from *bundle, edit func(m *manifest.Manifest)) {
		g.bundleVector("manifest/"+name, g.sealed(from, edit), manifestFailed(rule, desc))
	}
	sealedM("selected-mismatch", "selection.selected 5 with six messages", g.base, func(m *manifest.Manifest) { m.Selection.Selected = 5 })
	sealedM("chain-length-mismatch", "chain.length 5 with six messages", g.base, func(m *manifest.Manifest) { m.Chain.Length = 5 })
	sealedM("total-below-selected", "selection.total 5, below selected", g.base, func(m *manifest.Manifest) { m.Selection.Total = 5 })
	for _, at := range []string{"2026-12-01T10:00:00+00:00", "2026-12-01T10:00:00.5Z", "2026-12-01 10:00:00Z", "2026-12-01T11:00:00+01:00", "01/12/2026"} {
		sealedM("exported-at-"+slug(strings.NewReplacer(":", "", " ", "_", "+", "p").Replace(at)), "exported_at "+at+": not RFC 3339 UTC whole seconds with Z", g.base, func(m *manifest.Manifest) { m.ExportedAt = at })
	}
	sealedM("chain-algorithm", "chain.algorithm another name", g.base, func(m *manifest.Manifest) { m.Chain.Algorithm = "custody-chain-sha512/v1" })
	sealedM("tree-algorithm", "tree.algorithm another name", g.base, func(m *manifest.Manifest) { m.Tree.Algorithm = "rfc6962-sha512" })
	sealedM("tree-size", "tree.size not selection.total", g.base, func(m *manifest.Manifest) { m.Tree.Size = 7 })
	g.bundleVector("manifest/signer-algorithm-mismatch", g.sealed(g.base, func(m *manifest.Manifest) { m.Signer.Algorithm = "ecdsa-p256-sha256" }),
		failed("bundle-format.md §5", "signer.algorithm ecdsa-p256-sha256 for the Ed25519 key of signer.pem: the key decides, and the manifest contradicts it", "signature", "SIG_CRYPTO_FAILURE").withSigner("signer.pub"))
	g.bundleVector("manifest/signer-algorithm-unknown", g.sealed(g.base, func(m *manifest.Manifest) { m.Signer.Algorithm = "rsa-pss-sha256" }),
		failed("bundle-format.md §5", "signer.algorithm a name version 2 does not define, for an Ed25519 key", "signature", "SIG_CRYPTO_FAILURE").withSigner("signer.pub"))
	sealedM("fingerprint-upper", "signer.fingerprint in upper-case hex", g.base, func(m *manifest.Manifest) { m.Signer.Fingerprint = strings.ToUpper(m.Signer.Fingerprint) })
	sealedM("files-unsorted", "files not sorted by path", g.base, func(m *manifest.Manifest) { m.Files[0], m.Files[1] = m.Files[1], m.Files[0] })
	sealedM("files-duplicate", "a files record twice", g.base, func(m *manifest.Manifest) { m.Files = append(m.Files[:1], m.Files...) })
	sealedM("files-meta-inf", "files lists an entry under META-INF/", g.base, func(m *manifest.Manifest) {
		m.Files = append(m.Files, manifest.File{Path: "META-INF/x", SHA256: m.Files[0].SHA256, Size: 1})
	})
	sealedM("files-dot-dot", "files lists a path with ..", g.base, func(m *manifest.Manifest) { m.Files[0].Path = "attachments/../x.txt" })
	sealedM("sha-upper", "a files digest in upper-case hex", g.base, func(m *manifest.Manifest) { m.Files[0].SHA256 = strings.ToUpper(m.Files[0].SHA256) })
	sealedM("sha-short", "a files digest of 63 hex digits", g.base, func(m *manifest.Manifest) { m.Files[0].SHA256 = m.Files[0].SHA256[:63] })
	sealedM("entry-name-position", "messages[0].entry not its position", g.base, func(m *manifest.Manifest) { m.Messages[0].Entry = "messages/000009.json" })
	sealedM("salt-short", "messages[0].salt of 31 bytes", g.base, func(m *manifest.Manifest) { m.Messages[0].Salt = m.Messages[0].Salt[:62] })
	sealedM("position-duplicate", "two messages at position 0", g.base, func(m *manifest.Manifest) { p := 0; m.Messages[1].Position = &p })
	sealedM("rendering-path", "rendering.path another name than record.pdf", g.base, func(m *manifest.Manifest) {
		m.Rendering = &manifest.Rendering{Path: "messages/000001.json", Renderer: "custody-pdf/3"}
	})
	sealedM("participant-duplicate", "a participant listed twice", g.base, func(m *manifest.Manifest) {
		m.Conversation.Participants = append(m.Conversation.Participants, m.Conversation.Participants[0])
	})
	g.bundleVector("manifest/participant-silent", g.sealed(g.base, func(m *manifest.Manifest) {
		m.Conversation.Participants = append(m.Conversation.Participants, manifest.Participant{ID: "zz", Role: "colleague"})
	}), failed(rule, "a participant who sent none of the sealed messages (participants: the senders, \"and no one else\")", "messages", "FORMAT_FAILURE").withSigner("signer.pub"))
	sealedM("v1-with-tree", "format custody.bundle/v1 carrying v2 members", g.base, func(m *manifest.Manifest) { m.Format = manifest.FormatV1 })

	g.bundleVector("manifest/format-unknown", g.sealed(g.base, func(m *manifest.Manifest) { m.Format = "custody.bundle/v99" }),
		indeterminate("bundle-format.md §8", "a format this version does not know: not proof of an alteration", "manifest", "FORMAT_NOT_IMPLEMENTED").withSigner("signer.pub"))
}
