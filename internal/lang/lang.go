// Package lang holds the words custody shows people, in the languages a
// report can be asked in (custody-verify --lang): one table, so that every
// report says the same thing the same way, and a later PDF renderer can
// take its labels from here too.
//
//	t, err := lang.Lookup("es")
//	fmt.Println(t.Label.Signer, t.DescribeSelection(sel.Selected, sel.Total, sel.Criteria))
//
// Only what a person reads is translated. Verdicts (PASSED, FAILED,
// INDETERMINATE), check names and sub-indications are ETSI and custody
// identifiers, the same in every language and in the JSON report, so that
// a translated report can be held against the JSON one; a translation
// glosses the verdict instead.
package lang

import (
	"fmt"
	"slices"
	"strings"
)

// Terms are the words of one language.
type Terms struct {
	Code  string
	Label Labels
	// Verdict glosses each verdict in plain words, by its ETSI name.
	Verdict map[string]string
	// SelectionWords word the sealed selection criteria.
	SelectionWords SelectionWords
	// IntakeWords word the intake statement (intake.go).
	IntakeWords IntakeWords
	// Record labels the PDF record (record.go).
	Record RecordLabels
	// Dates word dates and times (dates.go): the text report's, and
	// from custody-pdf/5 on the record's.
	Dates DateWords
}

// Labels name the lines of a report, and the phrases on them.
type Labels struct {
	Signer, Timestamp, Messages, Selection, Export, Manifest, Disclosure string
	Counts                                                               string // "%d of %d, %d attachments": messages in the bundle, in the conversation, attachments
	At, By                                                               string // "EXPORT-ID at TIME", "TIME by TSA"
	IdentityChecked, IdentityNotChecked                                  string
	Trusted, NotTrusted                                                  string
	CustodyLog                                                           string // "custody log, %d events:"
	Note                                                                 string // why details stay in English
}

// English is the default, and the language of the JSON report.
var English = Terms{
	Code: "en",
	Label: Labels{
		Signer: "signer", Timestamp: "timestamp", Messages: "messages", Selection: "selection",
		Export: "export", Manifest: "manifest", Disclosure: "disclosure",
		Counts: "%d of %d, %d attachments", At: "at", By: "by",
		IdentityChecked: "identity checked: the expected key", IdentityNotChecked: "identity NOT checked (no --signer)",
		Trusted: "trusted", NotTrusted: "NOT trusted",
		CustodyLog: "custody log, %d events:",
	},
	SelectionWords: SelectionWords{
		All: "all %[2]d messages", Some: "%d of %d messages", Chosen: "%d of %d messages, chosen by the clinician: %s",
		Sep:  "; ",
		Keys: map[string]string{"from": "from", "to": "to", "label": "label", "participant": "sent by", "messages": "messages"},
	},
	IntakeWords: englishIntake,
	Record:      englishRecord,
	Dates:       englishDates,
}

// Spanish (es).
var Spanish = Terms{
	Code: "es",
	Label: Labels{
		Signer: "firmante", Timestamp: "sello de tiempo", Messages: "mensajes", Selection: "selección",
		Export: "exportación", Manifest: "manifiesto", Disclosure: "revelación",
		Counts: "%d de %d, %d adjuntos", At: "el", By: "por",
		IdentityChecked: "identidad comprobada: la clave esperada", IdentityNotChecked: "identidad NO comprobada (sin --signer)",
		Trusted: "de confianza", NotTrusted: "NO de confianza",
		CustodyLog: "registro de custodia, %d eventos:",
		Note:       "Las comprobaciones se detallan en inglés, como en el informe JSON (--json).",
	},
	Verdict: map[string]string{
		"PASSED":        "VÁLIDO: íntegro, sellado por la clave indicada y con fecha cierta",
		"FAILED":        "NO VÁLIDO: se ha probado que algo sellado fue alterado, falsificado, añadido, eliminado o reordenado, o que el firmante no es el esperado",
		"INDETERMINATE": "INDETERMINADO: nada se ha probado alterado, pero alguna comprobación no pudo hacerse (ver abajo)",
	},
	SelectionWords: SelectionWords{
		All: "los %[2]d mensajes", Some: "%d de %d mensajes", Chosen: "%d de %d mensajes, elegidos por el profesional sanitario: %s",
		Sep:  "; ",
		Keys: map[string]string{"from": "desde", "to": "hasta", "label": "etiqueta", "participant": "enviados por", "messages": "mensajes"},
	},
	IntakeWords: spanishIntake,
	Record:      spanishRecord,
	Dates:       spanishDates,
}

var all = []Terms{English, Spanish}

// Lookup returns the terms of a language by its code ("en", "es").
func Lookup(code string) (Terms, error) {
	i := slices.IndexFunc(all, func(t Terms) bool { return t.Code == code })
	if i < 0 {
		return Terms{}, fmt.Errorf("language %q: want one of %s", code, strings.Join(Codes(), ", "))
	}
	return all[i], nil
}

// Codes lists the languages there are terms for.
func Codes() []string {
	codes := make([]string, len(all))
	for i, t := range all {
		codes[i] = t.Code
	}
	return codes
}
