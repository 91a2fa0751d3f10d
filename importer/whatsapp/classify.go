package whatsapp

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// The patterns below are matched against text with invisible marks removed
// and no-break spaces made plain; they cover English, Spanish, German,
// French, Dutch, Portuguese and Italian exports.

// systemPattern recognises notices the export writes in the system's
// voice, even where iOS gives them a sender (the chat's name) and no
// invisible mark tells them apart. Start-anchored, so that a person who
// writes about encryption stays a person.
var systemPattern = regexp.MustCompile(`(?i)^(?:` +
	`messages (?:and calls )?(?:(?:to|in) this (?:group|chat) )?(?:are|were) (?:now )?(?:secured with |protected with )?end-to-end encrypt` +
	`|(?:los )?mensajes y (?:las )?llamadas (?:están|son) cifrad` +
	`|nachrichten und anrufe sind ende-zu-ende` +
	`|les messages et (?:les )?appels sont chiffrés de bout en bout` +
	`|berichten en (?:gesprekken|oproepen) (?:zijn|worden) end-to-end` +
	`|as mensagens e (?:as )?(?:chamadas|ligações) (?:são|estão) protegidas com a criptografia de ponta a ponta` +
	`|i messaggi e le chiamate sono crittografati end-to-end` +
	`|your security code with .{1,80} changed|.{1,80}'s security code changed` +
	`|tu código de seguridad con .{1,80} cambió|el código de seguridad de .{1,80} cambió` +
	`|.{1,80} added you$|.{1,80} removed you$|you were added$|you joined using this group's invite link$|you're now an admin$` +
	`|.*(?:tap to learn more|tap for more info|toca para obtener más información|toca para más información)\.?$` +
	`)`)

// actorPattern recognises group events written as "Name: Name did X", the
// actor's name repeated as the sender (iOS); only checked when the body
// starts with the sender's name.
var actorPattern = regexp.MustCompile(`(?i)^(?:` +
	`created (?:this )?group|created group ".*"|changed (?:the subject|this group's icon|the group description|the group settings|the group name|their phone number)` +
	`|joined using this group's invite link|left|added .{1,200}|removed .{1,200}|(?:turned (?:on|off)|changed) disappearing messages` +
	`|creó (?:este )?grupo|creó el grupo|cambió (?:el asunto|el nombre|la descripción|el ícono)|añadió a .{1,200}|salió|eliminó a .{1,200}` +
	`)`)

// userMarker recognises bodies that iOS also starts with an invisible mark
// but that are a person's doing: media, deletions, polls, locations, calls.
var userMarker = regexp.MustCompile(`(?i)(?:^<[^<>]+>$|<attached: |\(file attached\)|omitted$|omitida$|omitido$|weggelassen$|weggelaten$|absente$|ocultad[ao]$|omess[ao]$` +
	`|^(?:poll|encuesta|umfrage|sondage|enquete|sondaggio|peiling):` +
	`|^(?:location|ubicación|standort|position|localização|posizione|locatie): ` +
	`|live location|ubicación en tiempo real` +
	`|call|llamada|anruf|appel|chamada|chiamata|oproep` +
	`|waiting for this message|esperando el mensaje` +
	`|deleted this message|message was deleted|mensaje|nachricht|message a été|bericht is|mensagem|messaggio)`)

var (
	attachedPattern     = regexp.MustCompile(`<(?:attached|adjunto|Anhang|pièce jointe|anexado|allegato|bijlage|مرفق): ([^<>\n]+)>`)
	fileAttachedPattern = regexp.MustCompile(`(?im)^\s*(\S(?:.*?\S)?\.[A-Za-z0-9]{1,5}) \((?:file attached|archivo adjunto|Datei angehängt|fichier joint|arquivo anexado|file allegato|bestand bijgevoegd)\)`)
	mediaOmittedPattern = regexp.MustCompile(`(?i)^\s*<(?:media omitted|multimedia omitido|archivo omitido|medien ausgeschlossen|médias omis|mídia oculta|media omessi|media weggelaten)>\s*$`)
	kindOmittedPattern  = regexp.MustCompile(`(?i)(?:^|\s)(image|video|audio|sticker|gif|document|contact card|imagen|vídeo|documento|tarjeta de contacto|bild|dokument|kontaktkarte|afbeelding|vidéo|imagem|immagine)\s+(?:omitted|omitida|omitido|weggelassen|weggelaten|absente|omise|ocultad[oa]|omess[oa])\s*$`)
	deletedPattern      = regexp.MustCompile(`(?i)^\s*(?:this message was deleted|you deleted this message|se eliminó este mensaje|eliminaste este mensaje|este mensaje fue eliminado|diese nachricht wurde gelöscht|du hast diese nachricht gelöscht|ce message a été supprimé|vous avez supprimé ce message|dit bericht is verwijderd|je hebt dit bericht verwijderd|essa mensagem foi apagada|você apagou esta mensagem|questo messaggio è stato eliminato|hai eliminato questo messaggio)\.?\s*$`)
	editedPattern       = regexp.MustCompile(`(?i)<(?:this message was edited|se editó este mensaje\.?|mensaje editado|diese nachricht wurde bearbeitet|ce message a été modifié|dit bericht is bewerkt|esta mensagem foi editada|questo messaggio è stato modificato)>\s*$`)
)

var kinds = map[string]string{
	"image": "image", "imagen": "image", "bild": "image", "afbeelding": "image", "imagem": "image", "immagine": "image",
	"video": "video", "vídeo": "video", "vidéo": "video",
	"audio": "audio", "sticker": "sticker", "gif": "gif",
	"document": "document", "documento": "document", "dokument": "document",
	"contact card": "contact", "tarjeta de contacto": "contact", "kontaktkarte": "contact",
}

// classify turns a raw message into a Message: author or system, media,
// flags. The text itself is never altered.
func classify(raw *rawMessage, t time.Time) Message {
	m := Message{Time: t, FirstLine: raw.firstLine, LastLine: raw.lastLine}
	first := raw.rest[0]
	author, body, ok := splitAuthor(first)
	var cleanBody string
	if ok {
		cleanBody = strings.TrimSpace(string(stripInvisible([]byte(body))))
	}
	switch {
	case !ok,
		author == "",
		raw.h.ios && startsWithLRM(body) && !userMarker.MatchString(cleanBody),
		hasHint(cleanBody, systemHints) && systemPattern.MatchString(cleanBody),
		actorEvent(author, cleanBody):
		m.System = true
		m.Text = joinLines(first, raw.rest[1:])
		return m
	}
	m.Author = author
	m.Text = joinLines(body, raw.rest[1:])
	clean := string(stripInvisible([]byte(m.Text)))
	m.Media = findMedia(clean)
	if len(clean) < 80 && deletedPattern.MatchString(clean) {
		m.Flags = append(m.Flags, "deleted")
	}
	if strings.HasSuffix(strings.TrimSpace(clean), ">") && editedPattern.MatchString(clean) {
		m.Flags = append(m.Flags, "edited")
	}
	return m
}

// systemHints are words that every systemPattern alternative contains: a
// cheap test that spares ordinary messages the regular expression.
var systemHints = []string{
	"encrypt", "cifrad", "ende-zu-ende", "bout en bout", "end-to-end", "ponta a ponta",
	"security code", "código de seguridad", "added you", "removed you", "you were added",
	"invite link", "admin", "tap to", "tap for", "toca para",
}

// omittedHints are the stems of every "… omitted" wording kindOmittedPattern knows.
var omittedHints = []string{"omit", "weggel", "absente", "omise", "ocultad", "omess"}

func hasHint(s string, hints []string) bool {
	lower := lowerASCII(s)
	for _, h := range hints {
		if strings.Contains(lower, h) {
			return true
		}
	}
	return false
}

// lowerASCII lower-cases s, cheaply when it is short ASCII (most messages):
// hasHint runs on every message.
func lowerASCII(s string) string {
	var buf [256]byte
	if len(s) > len(buf) {
		return strings.ToLower(s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return strings.ToLower(s)
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return string(buf[:len(s)])
}

// actorEvent reports "Name: Name created this group" and the like.
func actorEvent(author, body string) bool {
	rest, found := strings.CutPrefix(body, author+" ")
	return found && actorPattern.MatchString(rest)
}

// splitAuthor splits "Name: body" at the first ": " (or a final ":").
func splitAuthor(rest string) (author, body string, ok bool) {
	i := strings.Index(rest, ": ")
	switch {
	case i >= 0:
		author, body = rest[:i], rest[i+2:]
	case strings.HasSuffix(rest, ":"):
		author = rest[:len(rest)-1]
	default:
		return "", "", false
	}
	return cleanAuthor(author), body, true
}

// cleanAuthor removes invisible marks, surrounding spaces and the "~" iOS
// puts before a sender who is not in the phone's contacts.
func cleanAuthor(s string) string {
	s = strings.TrimSpace(string(stripInvisible([]byte(s))))
	if rest, found := strings.CutPrefix(s, "~"); found {
		s = strings.TrimSpace(rest)
	}
	return s
}

// startsWithLRM reports the U+200E iOS puts before system notices, media
// markers and other lines it writes itself.
func startsWithLRM(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return r == 0x200E
}

func joinLines(first string, more []string) string {
	if len(more) == 0 {
		return first
	}
	return first + "\n" + strings.Join(more, "\n")
}

// findMedia lists the attachments a message names or says were omitted.
func findMedia(clean string) []Media {
	var media []Media
	if strings.Contains(clean, "<") {
		for _, m := range attachedPattern.FindAllStringSubmatch(clean, -1) {
			media = append(media, Media{Name: strings.TrimSpace(m[1])})
		}
	}
	if strings.Contains(clean, " (") {
		for _, m := range fileAttachedPattern.FindAllStringSubmatch(clean, -1) {
			media = append(media, Media{Name: strings.TrimSpace(m[1])})
		}
	}
	trimmed := strings.TrimSpace(clean)
	switch {
	case len(media) > 0:
		return media
	case len(trimmed) > 80: // markers are short; spare long texts the patterns
		return nil
	case mediaOmittedPattern.MatchString(trimmed):
		return []Media{{}}
	}
	if !hasHint(trimmed, omittedHints) {
		return nil
	}
	if m := kindOmittedPattern.FindStringSubmatch(trimmed); m != nil {
		return []Media{{Kind: kinds[strings.ToLower(m[1])]}}
	}
	return nil
}
