package patients

import "strings"

// illicitOpioidNames are fragments of the names under which a laboratory or
// a point-of-care test reports an opioid other than the OST medicines:
// heroin and its marker, the synthetic opioids behind most recent overdose
// deaths (fentanyl and its analogues, nitazenes, brorphine), diverted
// prescription opioids by generic and by common UK brand name (what a
// keyworker types from a box or a patient's account), kratom, and the
// class names of a broad screen ("opiates", "opioids (broad screen)"). A
// positive one means the patient may be using on top of their prescription
// (SC3), whatever panel the screen used; a broad class result that the
// prescribed medicine explains is the prescriber's to judge, by overriding
// SC3 with the reason.
var illicitOpioidNames = []string{
	"opiate", "opioid", "opium",
	"heroin", "diamorphine", "6-mam", "monoacetylmorphine", "morphine", "oramorph", "sevredol", "zomorph",
	"fentan", "durogesic", "nitazene", "etazene", "brorphine", "u-47700",
	"oxycodone", "oxycontin", "oxynorm", "longtec", "shortec",
	"hydromorphone", "palladone", "oxymorphone",
	"codeine", "codamol", "dydramol", "solpadol", "kapake", "zapain", "tylex",
	"tramadol", "zydol", "zamadol", "tramacet", "tapentadol", "palexia",
	"pethidine", "meptazinol", "pentazocine", "dipipanone", "diconal", "hydrocodone",
	"mitragynin", "kratom",
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
