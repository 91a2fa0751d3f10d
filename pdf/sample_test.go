package pdf

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"testing"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Fixtures for the tests: a realistic Spanish post-operative follow-up with
// a lab-result JPEG made here and a PDF attachment that is only listed.

func bytesAttachment(name, typ string, data []byte) Attachment {
	sum := sha256.Sum256(data)
	return Attachment{
		Name: name, Type: typ, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
	}
}

// labReportJPEG draws a small laboratory report as a scanned page would look.
func labReportJPEG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 900, 560))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{250, 250, 246, 255}), image.Point{}, draw.Src)
	draw.Draw(img, image.Rect(0, 0, 900, 70), image.NewUniform(color.RGBA{32, 76, 120, 255}), image.Point{}, draw.Src)
	face := func(ttf []byte, size float64) font.Face {
		f, err := opentype.Parse(ttf)
		if err != nil {
			t.Fatal(err)
		}
		fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			t.Fatal(err)
		}
		return fc
	}
	write := func(fc font.Face, c color.Color, x, y int, s string) {
		d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: fc, Dot: fixed.P(x, y)}
		d.DrawString(s)
	}
	title, body, bold := face(gobold.TTF, 26), face(goregular.TTF, 19), face(gobold.TTF, 19)
	white, dark, red := color.RGBA{255, 255, 255, 255}, color.RGBA{30, 30, 30, 255}, color.RGBA{170, 20, 20, 255}
	write(title, white, 30, 46, "Laboratorio Clínico Central · Hemograma")
	write(body, dark, 30, 110, "Paciente: P-7F3A-21   Muestra: 2026-04-13 08:05   Ref.: LAB-55812")
	rows := [][4]string{
		{"Prueba", "Resultado", "Unidades", "Referencia"},
		{"Leucocitos", "11.8", "10³/µL", "4.0 – 10.5"},
		{"Hemoglobina", "12.9", "g/dL", "13.0 – 17.0"},
		{"Plaquetas", "287", "10³/µL", "150 – 400"},
		{"Proteína C reactiva", "18.4", "mg/L", "< 5.0"},
		{"Creatinina", "0.91", "mg/dL", "0.70 – 1.20"},
	}
	for i, row := range rows {
		y := 170 + i*52
		if i > 0 {
			draw.Draw(img, image.Rect(30, y-36, 870, y-35), image.NewUniform(color.RGBA{200, 200, 200, 255}), image.Point{}, draw.Src)
		}
		fc, c := body, color.Color(dark)
		if i == 0 {
			fc = bold
		}
		if row[0] == "Leucocitos" || row[0] == "Proteína C reactiva" || row[0] == "Hemoglobina" {
			c = red
		}
		for j, x := range []int{30, 330, 530, 700} {
			write(fc, c, x, y, row[j])
		}
	}
	write(body, dark, 30, 530, "Valores fuera de rango en rojo. Validado por: Dr. A. Gómez, bioquímico.")
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 82}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// woundPNG is a small PNG with transparency.
func woundPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, 240, 160))
	for y := range 160 {
		for x := range 240 {
			img.Set(x, y, color.NRGBA{uint8(200 + x/8), uint8(150 + y/4), 140, uint8(255 - x/2)})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// fakePDF is a tiny placeholder for a PDF attachment (only listed, never
// parsed).
var fakePDF = []byte("%PDF-1.4\n% informe de alta\n%%EOF\n")

func sampleDocument(t testing.TB) *Document {
	clin, pat := "Dra. Lucía Martínez Ortega", "Paciente P-7F3A-21"
	msgs := []*Message{
		{ID: "m-0001", Time: "2026-04-12 09:14:03 +02:00", SenderName: pat, SenderRole: "patient",
			Text: "Buenos días, doctora. Hoy es el tercer día después de la operación.\nLa herida está algo enrojecida y esta noche tuve 37,8 °C de fiebre. ¿Es normal?"},
		{ID: "m-0002", Time: "2026-04-12 09:31:47 +02:00", SenderName: clin, SenderRole: "clinician",
			Labels:  []string{"postoperatorio", "herida quirúrgica"},
			ReplyTo: "m-0001 “La herida está algo enrojecida…”",
			Text: "Buenos días. Un leve enrojecimiento es habitual, pero con fiebre conviene comprobarlo.\n" +
				"Por favor:\n  1. Tómese la temperatura cada 6 horas.\n  2. Envíeme una foto de la herida con buena luz.\n" +
				"  3. Pase mañana a las 8:00 por el laboratorio para un hemograma y PCR (ayunas no necesarias)."},
		{ID: "m-0003", Time: "2026-04-12 10:02:15 +02:00", SenderName: pat, SenderRole: "patient",
			Text: "De acuerdo, mañana voy. ¡Gracias! Le adjunto el informe de alta del hospital y una foto de la herida.",
			Attachments: []Attachment{
				bytesAttachment("informe_alta_hospital.pdf", "application/pdf", fakePDF),
				bytesAttachment("foto_herida.png", "image/png", woundPNG(t)),
			}},
		{ID: "m-0004", Time: "2026-04-13 12:40:09 +02:00", SenderName: "Laboratorio Clínico Central", SenderRole: "lab",
			Labels:      []string{"resultado de laboratorio"},
			Text:        "Resultados del hemograma y PCR de la muestra LAB-55812 (13/04/2026 08:05).",
			Attachments: []Attachment{bytesAttachment("hemograma_LAB-55812.jpg", "image/jpeg", labReportJPEG(t))}},
		{ID: "m-0005", Time: "2026-04-13 13:05:52 +02:00", SenderName: clin, SenderRole: "clinician",
			Labels:  []string{"postoperatorio", "plan terapéutico"},
			ReplyTo: "m-0004 “Resultados del hemograma y PCR…”",
			Text: "Leucocitos 11,8 × 10³/µL y PCR 18,4 mg/L: compatible con una infección superficial de la herida.\n" +
				"Empiece amoxicilina/ácido clavulánico 875/125 mg cada 8 h durante 7 días (receta electrónica enviada, 12,50 €).\n" +
				"Cura diaria con suero fisiológico. Si la fiebre supera 38,5 °C o aumenta el dolor, acuda a urgencias.\nRevisión presencial el viernes 17 a las 10:30."},
		{ID: "m-0006", Time: "2026-04-13 13:20:31 +02:00", SenderName: pat, SenderRole: "patient",
			Text: "Entendido, empiezo hoy mismo. Muchas gracias 👍"},
	}
	items := []Item{{Message: msgs[0]}, {Message: msgs[1]}, {Withheld: 2}}
	for _, m := range msgs[2:] {
		items = append(items, Item{Message: m})
	}
	return &Document{
		Practice:        "Centro de Salud San Rafael · Cirugía General",
		Title:           "Seguimiento postoperatorio — colecistectomía laparoscópica",
		PatientID:       "P-7F3A-21",
		Period:          "2026-04-12 to 2026-04-13",
		ExportID:        "EXP-2026-04-13-0042",
		Selected:        6,
		Total:           8,
		AttachmentCount: 3,
		Items:           items,
		Integrity: Integrity{
			ManifestSHA256:    "9f2c4e1ab83d7750c6e1f0a2d4b9e83f17a6c2d5e8b09f41c3a7d6e2f5b8a190",
			ChainHead:         "4b1e9d03c7a2f6e58d0b3c9a7e1f4d2b6a8c0e3f5d7b9a1c2e4f6a8b0d2c4e6f",
			SignerFingerprint: "e3b7a91c0d5f2846b1c9e7a3d5f08b2c4e6a8d0f1b3c5e7a9d2f4b6c8e0a1d3f",
			Timestamps: []Timestamp{
				{Time: time.Date(2026, 4, 13, 11, 32, 5, 0, time.UTC), TSA: "Custody local TSA (tsa.centro-san-rafael.example)"},
				{Time: time.Date(2026, 4, 13, 11, 32, 6, 0, time.UTC), TSA: "FreeTSA.org"},
			},
			Commands: []string{
				"custody-verify --trust tsa-roots.pem EXP-2026-04-13-0042.custody",
				"unzip -p EXP-2026-04-13-0042.custody manifest.json | sha256sum",
			},
		},
	}
}
