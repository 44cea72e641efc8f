package patients

import (
	"strings"
	"unicode"
)

// ScreenedOpioid is what a substance named on a drug screen says about
// opioid use: which of the OST medicines it is, another opioid, or none.
type ScreenedOpioid int

const (
	NotAnOpioid ScreenedOpioid = iota
	// MethadoneFound: methadone or its marker, by name or brand.
	MethadoneFound
	// BuprenorphineFound: buprenorphine or its marker, by name or brand.
	BuprenorphineFound
	// OtherOpioid: any other opioid, or a class result ("opiates",
	// "opioids (broad screen)") that a screen reports whatever it excluded.
	OtherOpioid
)

// Names are matched as whole words (otherOpioidWords, …Words) or as parts
// of a word (…Parts: "carfentanil" holds "fentan"), in lower case, with
// accents and punctuation as separators. The lists hold generic names,
// markers and common UK brands, since what a keyworker types is often
// what is on the box or what the patient said.
var (
	// Heroin and its marker, the synthetic opioids behind most recent
	// overdose deaths (fentanyl and its analogues, nitazenes, brorphine),
	// diverted prescription and over-the-counter opioids, and kratom.
	otherOpioidParts = []string{
		"opiate", "opioid", "opium",
		"heroin", "diamorphine", "monoacetylmorphine", "morphine", "oramorph", "sevredol", "zomorph",
		"fentan", "durogesic", "abstral", "effentora", "instanyl", "pecfent",
		"nitazene", "etazene", "brorphine",
		"oxycodone", "oxycontin", "oxynorm", "longtec", "shortec", "targinact",
		"hydromorphone", "palladone", "oxymorphone",
		"codeine", "codamol", "dydramol", "proxamol", "solpadol", "solpadeine", "kapake", "zapain", "tylex",
		"migraleve", "feminax", "syndol", "paramol", "propoxyphene",
		"tramadol", "zydol", "zamadol", "tramacet", "tapentadol", "palexia",
		"pethidine", "meptazinol", "meptid", "pentazocine", "dipipanone", "diconal", "hydrocodone",
		"mitragynin", "kratom",
	}
	otherOpioidWords = []string{"6-mam", "6mam", "mst", "df118", "u-47700", "nurofen plus", "mxl"}

	methadoneParts = []string{"methadone", "physeptone", "metharose", "eddp"}

	buprenorphineParts = []string{"buprenorphine", "subutex", "suboxone", "temgesic", "butrans", "transtec",
		"espranor", "buvidal", "sublocade", "zubsolv", "bupeaze", "hapoctasin", "reletrans", "butec", "sevodyne"}
)

// ClassifyScreened reads a substance named on a screen. An opioid other
// than the OST medicines wins over a mention of them: "Opioids (broad
// screen) - methadone and buprenorphine excluded" and "oxycodone/naloxone"
// are other opioids, as "Opiate screen (excl. methadone)" is, since a
// class result is positive for something the screen did not leave out.
func ClassifyScreened(name string) ScreenedOpioid {
	words := screenWords(name)
	if words == "" {
		return NotAnOpioid
	}
	has := func(parts, whole []string) bool {
		for _, p := range parts {
			if strings.Contains(words, p) {
				return true
			}
		}
		for _, w := range whole {
			if strings.Contains(" "+words+" ", " "+w+" ") {
				return true
			}
		}
		return false
	}
	switch {
	case has(otherOpioidParts, otherOpioidWords):
		return OtherOpioid
	case has(methadoneParts, nil):
		return MethadoneFound
	case has(buprenorphineParts, nil):
		return BuprenorphineFound
	}
	return NotAnOpioid
}

// screenWords is name in lower case, with runs of anything but letters,
// digits and the hyphen of "6-mam" and "u-47700" made one space.
func screenWords(name string) string {
	f := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
	return strings.Join(f, " ")
}
