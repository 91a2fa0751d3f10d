package intake

import (
	_ "embed"
	"fmt"
	"html/template"
	"net/http"

	"golang.org/x/text/language"

	"github.com/custody-toolkit/custody/internal/lang"
)

// texts are the page's words in each language it speaks; the consent
// sentence is sealed as it was shown (consentText).
var texts = map[string]map[string]string{
	"en": {
		"title":          "Send documents to %s",
		"asks":           "%s asks you to send documents or photos. They are sealed the moment they arrive: signed and timestamped, so that nobody can change them afterwards.",
		"for":            "For",
		"purpose":        "Purpose",
		"legal_basis":    "Legal basis",
		"expires":        "This link can be used once, until %s.",
		"consent":        "I, the person named below, consent to %s receiving these files for the purpose stated above, and to their being sealed and kept in my clinical record.",
		"name":           "Your full name",
		"note":           "A note (optional)",
		"files":          "Files: photos (JPEG, PNG, HEIC) or PDF documents, up to %d files of %d MB each",
		"send":           "Send",
		"received":       "Received and sealed",
		"received_at":    "Your files were received and sealed at %s. You may close this page.",
		"fingerprint":    "Seal fingerprint (SHA-256)",
		"refused":        "Not sent",
		"gone":           "This link is not valid: it was already used, it expired, or it never existed. Ask the practice for a new one.",
		"bad_request":    "The form could not be read. Open the link again and retry.",
		"csrf":           "The form expired or did not come from this page. Open the link again and retry.",
		"no_consent":     "Tick the consent box and write your name to send the files.",
		"no_files":       "Choose at least one file.",
		"too_many":       "Too many files: send at most %d.",
		"too_large":      "The upload is too large.",
		"file_too_large": "A file is too large.",
		"bad_type":       "Only photos (JPEG, PNG, HEIC) and PDF documents are accepted.",
		"busy":           "Too many requests. Wait a minute and retry.",
		"failed":         "Your files could not be sealed just now, and nothing was kept. Retry in a few minutes.",
		"retry":          "Back to the form",
	},
	"es": {
		"title":          "Enviar documentos a %s",
		"asks":           "%s le pide que envíe documentos o fotos. Se sellan en el momento en que llegan: firmados y con sello de tiempo, para que nadie pueda cambiarlos después.",
		"for":            "Para",
		"purpose":        "Finalidad",
		"legal_basis":    "Base jurídica",
		"expires":        "Este enlace puede usarse una vez, hasta el %s.",
		"consent":        "Yo, la persona cuyo nombre figura abajo, consiento que %s reciba estos archivos para la finalidad indicada y que se sellen y conserven en mi historia clínica.",
		"name":           "Su nombre completo",
		"note":           "Una nota (opcional)",
		"files":          "Archivos: fotos (JPEG, PNG, HEIC) o documentos PDF, hasta %d archivos de %d MB cada uno",
		"send":           "Enviar",
		"received":       "Recibido y sellado",
		"received_at":    "Sus archivos se recibieron y sellaron el %s. Puede cerrar esta página.",
		"fingerprint":    "Huella del sello (SHA-256)",
		"refused":        "No enviado",
		"gone":           "Este enlace no es válido: ya se usó, caducó o nunca existió. Pida uno nuevo a la consulta.",
		"bad_request":    "No se pudo leer el formulario. Abra el enlace de nuevo y vuelva a intentarlo.",
		"csrf":           "El formulario caducó o no procede de esta página. Abra el enlace de nuevo y vuelva a intentarlo.",
		"no_consent":     "Marque la casilla de consentimiento y escriba su nombre para enviar los archivos.",
		"no_files":       "Elija al menos un archivo.",
		"too_many":       "Demasiados archivos: envíe como máximo %d.",
		"too_large":      "El envío es demasiado grande.",
		"file_too_large": "Un archivo es demasiado grande.",
		"bad_type":       "Solo se aceptan fotos (JPEG, PNG, HEIC) y documentos PDF.",
		"busy":           "Demasiadas solicitudes. Espere un minuto y vuelva a intentarlo.",
		"failed":         "No se pudieron sellar sus archivos ahora y no se ha guardado nada. Vuelva a intentarlo en unos minutos.",
		"retry":          "Volver al formulario",
	},
}

// matcher picks the page's language from Accept-Language; English when
// the browser asks for neither.
var matcher = language.NewMatcher([]language.Tag{language.English, language.Spanish})

func pageLang(r *http.Request) string {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	_, i, conf := matcher.Match(tags...)
	if conf == language.No || i == 0 {
		return "en"
	}
	return "es"
}

func say(lng, key string, args ...any) string {
	return fmt.Sprintf(texts[lng][key], args...)
}

// consentText is the consent sentence shown in lng, as it is sealed.
func consentText(lng, practice string) string {
	return say(lng, "consent", practiceName(lng, practice))
}

// practiceName is the practice's name, or words for it when the server
// was given none.
func practiceName(lng, practice string) string {
	switch {
	case practice != "":
		return practice
	case lng == "es":
		return "la consulta"
	}
	return "the practice"
}

// formPage is the data of the upload form.
type formPage struct {
	Lang, Title, Asks                        string
	ForLabel, For, PurposeLabel, Purpose     string
	BasisLabel, Basis, Expires               string
	Consent, NameLabel, NoteLabel, FileLabel string
	Send, CSRF                               string
}

// resultPage is the data of every other page: received, refused, gone.
type resultPage struct {
	Lang, Title, Message string
	FingerprintLabel     string
	Fingerprint          string
	Back                 string // the form's URL, when retrying makes sense
	BackLabel            string
}

//go:embed style.css
var styleCSS []byte

// The pages hold no script and no inline style: the CSP forbids both.
// head is the pages' common head.
const head = `{{define "head"}}<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}}</title><link rel="stylesheet" href="/style.css"></head>{{end}}`

var pages = template.Must(template.Must(template.New("form").Parse(head)).Parse(`{{template "head" .}}
<body><main>
<h1>{{.Title}}</h1>
<p>{{.Asks}}</p>
<dl>
<dt>{{.ForLabel}}</dt><dd id="for">{{.For}}</dd>
<dt>{{.PurposeLabel}}</dt><dd id="purpose">{{.Purpose}}</dd>
<dt>{{.BasisLabel}}</dt><dd id="basis">{{.Basis}}</dd>
</dl>
<p>{{.Expires}}</p>
<form method="post" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="{{.CSRF}}">
<p><input type="checkbox" id="consent" name="consent" value="yes" required>
<label for="consent">{{.Consent}}</label></p>
<p><label for="name">{{.NameLabel}}</label><br>
<input type="text" id="name" name="name" required maxlength="200" autocomplete="name"></p>
<p><label for="note">{{.NoteLabel}}</label><br>
<textarea id="note" name="note" maxlength="2000" rows="3"></textarea></p>
<p><label for="files">{{.FileLabel}}</label><br>
<input type="file" id="files" name="files" multiple required accept="image/jpeg,image/png,image/heic,application/pdf"></p>
<p><button type="submit" id="send">{{.Send}}</button></p>
</form>
</main></body></html>
`))

var result = template.Must(template.Must(template.New("result").Parse(head)).Parse(`{{template "head" .}}
<body><main>
<h1 id="result">{{.Title}}</h1>
<p id="message" role="status">{{.Message}}</p>
{{if .Fingerprint}}<p>{{.FingerprintLabel}}:<br><code id="fingerprint">{{.Fingerprint}}</code></p>{{end}}
{{if .Back}}<p><a href="{{.Back}}">{{.BackLabel}}</a></p>{{end}}
</main></body></html>
`))

// basisWords shows a legal basis code with its meaning in lng.
func basisWords(lng, code string) string {
	t, err := lang.Lookup(lng)
	if err != nil {
		return code
	}
	return t.DescribeLegalBasis(code)
}
