package textnorm

import "testing"

func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"Dra. Lucía  Ferrer":            "dra. lucía ferrer",
		"~\u202fMarta Solé":             "marta solé",
		"\u200eTomás\u00a0Ibarra\u200f": "tomás ibarra",
		"\u2068Ana\u2069":               "ana",
		"":                              "",
	} {
		if got := Name(in); got != want {
			t.Errorf("Name(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Dra. Lucía Ferrer": "dra-lucia-ferrer",
		"José Núñez":        "jose-nunez",
		"+34 600 11 22 33":  "34-600-11-22-33",
		"🤓":                 "",
		"John Doe 🤓":        "john-doe",
		"佐藤":                "",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
