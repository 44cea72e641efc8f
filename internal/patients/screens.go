package patients

import "strings"

// illicitOpioidNames are fragments of the names under which a laboratory or
// a point-of-care test reports an opioid other than the OST medicines:
// heroin and its marker, the synthetic opioids behind most recent overdose
// deaths (fentanyl and its analogues, nitazenes, brorphine) and diverted
// prescription opioids. A positive one means the patient is using on top of
// their prescription (SC3), whatever panel the screen used.
var illicitOpioidNames = []string{
	"heroin", "diamorphine", "6-mam", "monoacetylmorphine", "morphine",
	"fentan", "nitazene", "etazene", "brorphine", "u-47700",
	"oxycodone", "hydromorphone", "oxymorphone", "codeine", "tramadol", "tapentadol",
	"pethidine", "dipipanone", "hydrocodone",
}

// IllicitOpioid reports whether a substance named on a drug screen is an
// opioid other than the prescribed methadone or buprenorphine.
func IllicitOpioid(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	if strings.Contains(n, "methadone") || strings.Contains(n, "buprenorphine") {
		return false
	}
	for _, frag := range illicitOpioidNames {
		if strings.Contains(n, frag) {
			return true
		}
	}
	return false
}
