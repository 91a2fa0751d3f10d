package textlayout

// Arabic presentation forms (custody-pdf/5). The embedded Noto Sans Arabic
// maps every presentation form (U+FB50–U+FDFF, U+FE70–U+FEFF) to its
// contextual glyph, so joining letters is choosing, by the Unicode joining
// rules, the form each letter takes among its neighbours, and lam followed
// by alef becomes one ligature. A complete shaper (HarfBuzz, or its Go port
// github.com/go-text/typesetting) also positions marks and applies the
// font's own ligatures, but its output changes with its version and with
// the font's tables, and a renderer must draw the same text the same way
// forever (docs/bundle-format.md §7.1): these tables cannot change, since
// Unicode encodes no new presentation forms. Arabic letters without
// presentation forms (some of the Arabic Extended blocks) stay isolated.
//
// The tables were generated from the Unicode Character Database's
// compatibility decompositions (<isolated>, <final>, <initial>, <medial>).

// Indexes into a letter's forms.
const (
	isolated = iota
	final
	initial
	medial
)

// arabicForms are the presentation forms of each letter: isolated, final,
// initial, medial (0: the letter has no such form). A letter with initial
// and medial forms joins on both sides (joining type D), one with only
// isolated and final forms on its right side only (type R).
var arabicForms = map[rune][4]rune{
	0x0621: {0xFE80, 0, 0, 0},                // arabic letter hamza
	0x0622: {0xFE81, 0xFE82, 0, 0},           // arabic letter alef with madda above
	0x0623: {0xFE83, 0xFE84, 0, 0},           // arabic letter alef with hamza above
	0x0624: {0xFE85, 0xFE86, 0, 0},           // arabic letter waw with hamza above
	0x0625: {0xFE87, 0xFE88, 0, 0},           // arabic letter alef with hamza below
	0x0626: {0xFE89, 0xFE8A, 0xFE8B, 0xFE8C}, // arabic letter yeh with hamza above
	0x0627: {0xFE8D, 0xFE8E, 0, 0},           // arabic letter alef
	0x0628: {0xFE8F, 0xFE90, 0xFE91, 0xFE92}, // arabic letter beh
	0x0629: {0xFE93, 0xFE94, 0, 0},           // arabic letter teh marbuta
	0x062A: {0xFE95, 0xFE96, 0xFE97, 0xFE98}, // arabic letter teh
	0x062B: {0xFE99, 0xFE9A, 0xFE9B, 0xFE9C}, // arabic letter theh
	0x062C: {0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0}, // arabic letter jeem
	0x062D: {0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4}, // arabic letter hah
	0x062E: {0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8}, // arabic letter khah
	0x062F: {0xFEA9, 0xFEAA, 0, 0},           // arabic letter dal
	0x0630: {0xFEAB, 0xFEAC, 0, 0},           // arabic letter thal
	0x0631: {0xFEAD, 0xFEAE, 0, 0},           // arabic letter reh
	0x0632: {0xFEAF, 0xFEB0, 0, 0},           // arabic letter zain
	0x0633: {0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4}, // arabic letter seen
	0x0634: {0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8}, // arabic letter sheen
	0x0635: {0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC}, // arabic letter sad
	0x0636: {0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0}, // arabic letter dad
	0x0637: {0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4}, // arabic letter tah
	0x0638: {0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8}, // arabic letter zah
	0x0639: {0xFEC9, 0xFECA, 0xFECB, 0xFECC}, // arabic letter ain
	0x063A: {0xFECD, 0xFECE, 0xFECF, 0xFED0}, // arabic letter ghain
	0x0641: {0xFED1, 0xFED2, 0xFED3, 0xFED4}, // arabic letter feh
	0x0642: {0xFED5, 0xFED6, 0xFED7, 0xFED8}, // arabic letter qaf
	0x0643: {0xFED9, 0xFEDA, 0xFEDB, 0xFEDC}, // arabic letter kaf
	0x0644: {0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0}, // arabic letter lam
	0x0645: {0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4}, // arabic letter meem
	0x0646: {0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8}, // arabic letter noon
	0x0647: {0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC}, // arabic letter heh
	0x0648: {0xFEED, 0xFEEE, 0, 0},           // arabic letter waw
	0x0649: {0xFEEF, 0xFEF0, 0xFBE8, 0xFBE9}, // arabic letter alef maksura
	0x064A: {0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4}, // arabic letter yeh
	0x0671: {0xFB50, 0xFB51, 0, 0},           // arabic letter alef wasla
	0x0677: {0xFBDD, 0, 0, 0},                // arabic letter u with hamza above
	0x0679: {0xFB66, 0xFB67, 0xFB68, 0xFB69}, // arabic letter tteh
	0x067A: {0xFB5E, 0xFB5F, 0xFB60, 0xFB61}, // arabic letter tteheh
	0x067B: {0xFB52, 0xFB53, 0xFB54, 0xFB55}, // arabic letter beeh
	0x067E: {0xFB56, 0xFB57, 0xFB58, 0xFB59}, // arabic letter peh
	0x067F: {0xFB62, 0xFB63, 0xFB64, 0xFB65}, // arabic letter teheh
	0x0680: {0xFB5A, 0xFB5B, 0xFB5C, 0xFB5D}, // arabic letter beheh
	0x0683: {0xFB76, 0xFB77, 0xFB78, 0xFB79}, // arabic letter nyeh
	0x0684: {0xFB72, 0xFB73, 0xFB74, 0xFB75}, // arabic letter dyeh
	0x0686: {0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D}, // arabic letter tcheh
	0x0687: {0xFB7E, 0xFB7F, 0xFB80, 0xFB81}, // arabic letter tcheheh
	0x0688: {0xFB88, 0xFB89, 0, 0},           // arabic letter ddal
	0x068C: {0xFB84, 0xFB85, 0, 0},           // arabic letter dahal
	0x068D: {0xFB82, 0xFB83, 0, 0},           // arabic letter ddahal
	0x068E: {0xFB86, 0xFB87, 0, 0},           // arabic letter dul
	0x0691: {0xFB8C, 0xFB8D, 0, 0},           // arabic letter rreh
	0x0698: {0xFB8A, 0xFB8B, 0, 0},           // arabic letter jeh
	0x06A4: {0xFB6A, 0xFB6B, 0xFB6C, 0xFB6D}, // arabic letter veh
	0x06A6: {0xFB6E, 0xFB6F, 0xFB70, 0xFB71}, // arabic letter peheh
	0x06A9: {0xFB8E, 0xFB8F, 0xFB90, 0xFB91}, // arabic letter keheh
	0x06AD: {0xFBD3, 0xFBD4, 0xFBD5, 0xFBD6}, // arabic letter ng
	0x06AF: {0xFB92, 0xFB93, 0xFB94, 0xFB95}, // arabic letter gaf
	0x06B1: {0xFB9A, 0xFB9B, 0xFB9C, 0xFB9D}, // arabic letter ngoeh
	0x06B3: {0xFB96, 0xFB97, 0xFB98, 0xFB99}, // arabic letter gueh
	0x06BA: {0xFB9E, 0xFB9F, 0, 0},           // arabic letter noon ghunna
	0x06BB: {0xFBA0, 0xFBA1, 0xFBA2, 0xFBA3}, // arabic letter rnoon
	0x06BE: {0xFBAA, 0xFBAB, 0xFBAC, 0xFBAD}, // arabic letter heh doachashmee
	0x06C0: {0xFBA4, 0xFBA5, 0, 0},           // arabic letter heh with yeh above
	0x06C1: {0xFBA6, 0xFBA7, 0xFBA8, 0xFBA9}, // arabic letter heh goal
	0x06C5: {0xFBE0, 0xFBE1, 0, 0},           // arabic letter kirghiz oe
	0x06C6: {0xFBD9, 0xFBDA, 0, 0},           // arabic letter oe
	0x06C7: {0xFBD7, 0xFBD8, 0, 0},           // arabic letter u
	0x06C8: {0xFBDB, 0xFBDC, 0, 0},           // arabic letter yu
	0x06C9: {0xFBE2, 0xFBE3, 0, 0},           // arabic letter kirghiz yu
	0x06CB: {0xFBDE, 0xFBDF, 0, 0},           // arabic letter ve
	0x06CC: {0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF}, // arabic letter farsi yeh
	0x06D0: {0xFBE4, 0xFBE5, 0xFBE6, 0xFBE7}, // arabic letter e
	0x06D2: {0xFBAE, 0xFBAF, 0, 0},           // arabic letter yeh barree
	0x06D3: {0xFBB0, 0xFBB1, 0, 0},           // arabic letter yeh barree with hamza above
}

// lamAlef are the ligatures of lam (U+0644) with each alef: isolated and
// final.
var lamAlef = map[rune][2]rune{
	0x0622: {0xFEF5, 0xFEF6}, // lam with alef with madda above
	0x0623: {0xFEF7, 0xFEF8}, // lam with alef with hamza above
	0x0625: {0xFEF9, 0xFEFA}, // lam with alef with hamza below
	0x0627: {0xFEFB, 0xFEFC}, // lam with alef
}
