package lang

import (
	"strconv"
	"strings"
	"unicode"
)

// RecordLabels are the words of the PDF record (renderer custody-pdf/4 and
// later). The English ones are also those custody-pdf/1 to /3 printed, so
// that one table serves every version; a format takes its numbers in the
// order its comment gives.
type RecordLabels struct {
	PatientID, Period, ExportID, Messages, Attachments, TimeZone string
	WithheldOne, WithheldMany                                    string // "%d messages withheld by the exporter"
	Export, Page                                                 string // footer: "Export ID", "page %d of "
	Labels, InReplyTo, NotInExport, Continued                    string
	Attachment, Unnamed, ImageNotShown, NotIncluded              string
	TooManyImages                                                string // "%d MB of images"
	NotEmbedded                                                  string
	IntegrityTitle, IntegrityIntro                               string
	ManifestSHA256, ChainHead, SignerFingerprint                 string
	Timestamps, None, TimestampN, By, ToVerify                   string // TimestampN: "RFC 3161 timestamp %d"
	TSACertificate                                               string // "TSA certificate SHA-256"
	GetVerifier                                                  string // "%s": where the practice offers the verifier
	Releases                                                     string // the release binaries
	ZoneOffsets                                                  string // no zone sealed: each time has its offset
	AttachmentsAll, AttachmentsSome                              string // "%d included"; "%d referenced, %d included"
	SealedInside, CarriesBundle, OrExtract                       string // the verification steps' prose; "%s" the bundle's name
	QRCaption, QRCaptionManifest                                 string // the QR code's payload: with the chain head; with the manifest digest
	FooterChain, FooterManifest                                  string // a page's footer ends with "%s", a digest's first 16 hex digits
	Span                                                         string // a period: "%s to %s"
	// Roles word the roles custody's importers and exporter give (the
	// sealed role is shown as it is when it has no word here).
	Roles map[string]string
}

var englishRecord = RecordLabels{
	PatientID: "Patient (pseudonymous ID)", Period: "Period covered", ExportID: "Export ID",
	Messages: "Messages", Attachments: "Attachments", TimeZone: "Time zone",
	WithheldOne: "1 message withheld by the exporter", WithheldMany: "%d messages withheld by the exporter",
	Export: "Export ", Page: "page %d of ",
	Labels: "Labels: ", InReplyTo: "In reply to ", NotInExport: " (not in this export)", Continued: " (continued)",
	Attachment: "Attachment: ", Unnamed: "(unnamed attachment)", ImageNotShown: "Image not shown: ",
	NotIncluded:   "Not included in the source export: the chat refers to this file, which the export did not carry",
	TooManyImages: "not embedded: the record already holds %d MB of images", NotEmbedded: "could not be embedded",
	IntegrityTitle: "Integrity and verification",
	IntegrityIntro: "This record was rendered from a sealed evidence bundle. The values below identify " +
		"that bundle; anyone holding it can check them offline with the commands listed, without trusting this document.",
	ManifestSHA256: "Manifest SHA-256", ChainHead: "Hash-chain head", SignerFingerprint: "Signer key fingerprint",
	Timestamps: "Timestamps", None: "none", TimestampN: "RFC 3161 timestamp %d", By: "by ", ToVerify: "To verify the bundle",
	TSACertificate: "TSA certificate SHA-256",
	GetVerifier:    "Get the verifier (custody-verify) at %s",
	Releases:       "or the release binaries of custody-verify for Linux, Windows and macOS (they check everything offline)",
	ZoneOffsets:    "not named by the source: each time is shown with its UTC offset",
	AttachmentsAll: "%d included", AttachmentsSome: "%d referenced, %d included",
	SealedInside:      "This rendering is sealed inside the bundle (record.pdf). To verify the bundle:",
	CarriesBundle:     "This PDF carries the bundle as an attachment named %s and is signed. To verify both:",
	OrExtract:         "or extract the bundle and verify it:",
	QRCaption:         "QR code: export ID and hash-chain head",
	QRCaptionManifest: "QR code: export ID and manifest SHA-256",
	FooterChain:       "chain head %s", FooterManifest: "manifest sha256 %s",
	Span:  "%s to %s",
	Roles: map[string]string{"patient": "patient", "clinician": "clinician", "colleague": "colleague", "lab": "lab"},
}

var spanishRecord = RecordLabels{
	PatientID: "Paciente (ID seudónimo)", Period: "Periodo", ExportID: "ID de exportación",
	Messages: "Mensajes", Attachments: "Adjuntos", TimeZone: "Zona horaria",
	WithheldOne: "1 mensaje omitido por quien exportó", WithheldMany: "%d mensajes omitidos por quien exportó",
	Export: "Exportación ", Page: "página %d de ",
	Labels: "Etiquetas: ", InReplyTo: "En respuesta a ", NotInExport: " (no incluido en esta exportación)", Continued: " (continuación)",
	Attachment: "Adjunto: ", Unnamed: "(adjunto sin nombre)", ImageNotShown: "Imagen no mostrada: ",
	NotIncluded:   "No incluido en la exportación de origen: el chat cita este archivo, que la exportación no traía",
	TooManyImages: "no insertada: el documento ya contiene %d MB de imágenes", NotEmbedded: "no se pudo insertar",
	IntegrityTitle: "Integridad y verificación",
	IntegrityIntro: "Este documento se generó a partir de un paquete de evidencia sellado. Los valores siguientes " +
		"identifican ese paquete; cualquiera que lo tenga puede comprobarlos sin conexión con las órdenes indicadas, sin fiarse de este documento.",
	ManifestSHA256: "SHA-256 del manifiesto", ChainHead: "Cabeza de la cadena de hash", SignerFingerprint: "Huella de la clave firmante",
	Timestamps: "Sellos de tiempo", None: "ninguno", TimestampN: "Sello de tiempo RFC 3161 n.º %d", By: "por ", ToVerify: "Para verificar el paquete",
	TSACertificate: "SHA-256 del certificado de la TSA",
	GetVerifier:    "Obtenga el verificador (custody-verify) en %s",
	Releases:       "o los binarios publicados de custody-verify para Linux, Windows y macOS (todo se comprueba sin conexión)",
	ZoneOffsets:    "no indicada por el origen: cada hora se muestra con su desfase respecto de UTC",
	AttachmentsAll: "incluidos: %d", AttachmentsSome: "citados: %d; incluidos: %d",
	SealedInside:      "Este documento está sellado dentro del paquete (record.pdf). Para verificar el paquete:",
	CarriesBundle:     "Este PDF lleva el paquete como adjunto llamado %s y está firmado. Para verificar ambos:",
	OrExtract:         "o extraiga el paquete y verifíquelo:",
	QRCaption:         "Código QR: ID de exportación y cabeza de la cadena de hash",
	QRCaptionManifest: "Código QR: ID de exportación y SHA-256 del manifiesto",
	FooterChain:       "cadena %s", FooterManifest: "manifiesto %s",
	Span:  "del %s al %s",
	Roles: map[string]string{"patient": "paciente", "clinician": "profesional sanitario", "colleague": "colega", "lab": "laboratorio"},
}

// Shown returns free text (a title, a name, a note) as a record or report
// may draw it on one line: as it is, or quoted with visible escapes when
// it holds a control, format (bidi) or other invisible character, so that
// no input can draw a line break or reorder text into something that looks
// like the report's own lines.
func Shown(v string) string {
	if strings.IndexFunc(v, invisible) >= 0 {
		return strconv.Quote(v)
	}
	return v
}

func invisible(r rune) bool { return !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) }
