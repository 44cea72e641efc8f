package regimes

import (
	"fmt"

	"github.com/dosebook/dosebook/internal/problem"
)

// StartNaive settles whether a regime starts in a patient new to
// buprenorphine (BV3's test dose and 16 mg first weekly Buvidal dose, its
// week-one extras, BV5's monthly start). stated is what the prescriber
// said (nil when nothing was sent); previous is the treatment the regime
// follows on from as Dosebook judges it (a recorded regime the patient
// really took and was still on, else the one told); told is the one the
// prescriber told in the request, if any, whether or not a record won.
//
// Unstated, the patient is new to buprenorphine unless either previous
// treatment is buprenorphine (sublingual, with naloxone, Espranor or
// Buvidal): a Buvidal start after methadone or street opioids is a naive
// induction without the client having to say so. An explicit false is the
// prescriber's statement (buprenorphine elsewhere, not recorded) and
// stands. An explicit true contradicting a buprenorphine previous
// treatment is refused: BV3's 16 mg would contradict BV4's conversion, and
// the regime would record a history that is not the patient's.
func StartNaive(stated *bool, previous, told *PreviousTreatment) (bool, problem.Fields) {
	var f problem.Fields
	onBup := previous
	if !onBuprenorphine(onBup) {
		onBup = told
	}
	if !onBuprenorphine(onBup) {
		onBup = nil
	}
	if stated == nil {
		return onBup == nil, nil
	}
	if *stated && onBup != nil {
		// A recorded regime has a start; a told treatment has none.
		source, fix := "as told in previous", "or correct previous"
		if !onBup.StartedOn.IsZero() {
			source, fix = fmt.Sprintf("as recorded here (the regime started on %s, with doses taken)", onBup.StartedOn), "as the record shows"
		}
		f.Add("buprenorphine_naive", "previous_buprenorphine",
			"buprenorphine_naive is true, but the patient's previous treatment is %s %s: BV3 is for a patient new to buprenorphine, "+
				"and BV4 converts from buprenorphine; leave buprenorphine_naive out, %s", onBup.Medicine.Name, source, fix)
	}
	return *stated, f
}
