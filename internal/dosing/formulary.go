package dosing

import "slices"

// Class groups products that follow the same clinical rules.
type Class string

const (
	ClassMethadone Class = "methadone"
	// ClassBuprenorphine is sublingual tablets and oral lyophilisate (B1–B4).
	ClassBuprenorphine Class = "buprenorphine"
	// ClassBuvidal is the prolonged-release injection (BV1–BV8).
	ClassBuvidal Class = "buvidal"
)

// Medicine is one product Dosebook can prescribe. Codes are our own stable
// keys, not dm+d ids: ID2 forbids hard-coding remembered dm+d codes.
type Medicine struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Form  string `json:"form"`
	Class Class  `json:"class"`
	// Strengths are the active-substance contents of the available units;
	// for combination products this is the buprenorphine content.
	Strengths      []Micrograms `json:"strengths"`
	StrengthLabels []string     `json:"strength_labels"`
	// Unit is how a quantity is written on a prescription: "millilitres"
	// for methadone, "milligrams" otherwise.
	Unit string `json:"unit"`
	// Interval is "daily", "weekly" or "monthly".
	Interval   string `json:"interval"`
	Injectable bool   `json:"injectable"`
	Naloxone   bool   `json:"naloxone"`
	// Espranor marks the oral lyophilisate, which B4 says is not
	// interchangeable with other buprenorphine products.
	Espranor bool `json:"espranor"`
}

// Codes of the built-in products.
const (
	CodeMethadone          = "methadone_oral_solution_1mg_ml"
	CodeBuprenorphineSL    = "buprenorphine_sublingual_tablets"
	CodeBuprenorphineNalSL = "buprenorphine_naloxone_sublingual_tablets"
	CodeEspranor           = "espranor_oral_lyophilisate"
	CodeBuvidalWeekly      = "buvidal_weekly"
	CodeBuvidalMonthly     = "buvidal_monthly"
)

// Dosing intervals.
const (
	IntervalDaily   = "daily"
	IntervalWeekly  = "weekly"
	IntervalMonthly = "monthly"
)

// Units a prescription states quantities in.
const (
	UnitMillilitres = "millilitres"
	UnitMilligrams  = "milligrams"
)

const (
	formSublingualTablet    = "sublingual tablet"
	formProlongedReleaseInj = "prolonged-release solution for injection"
	buvidalName             = "Buvidal prolonged-release buprenorphine injection"
)

// Formulary returns the built-in products. It builds a fresh slice each call
// so no caller can change another's view of the formulary.
func Formulary() []Medicine {
	return []Medicine{
		{
			Code: CodeMethadone, Name: "Methadone hydrochloride 1 mg/ml oral solution",
			Form: "oral solution", Class: ClassMethadone,
			Strengths: []Micrograms{Mg(1)}, StrengthLabels: []string{"1 mg/ml"},
			Unit: UnitMillilitres, Interval: IntervalDaily,
		},
		{
			Code: CodeBuprenorphineSL, Name: "Buprenorphine sublingual tablets",
			Form: formSublingualTablet, Class: ClassBuprenorphine,
			Strengths:      []Micrograms{400, Mg(2), Mg(8)},
			StrengthLabels: []string{"0.4 mg", "2 mg", "8 mg"},
			Unit:           UnitMilligrams, Interval: IntervalDaily,
		},
		{
			Code: CodeBuprenorphineNalSL, Name: "Buprenorphine and naloxone sublingual tablets",
			Form: formSublingualTablet, Class: ClassBuprenorphine,
			Strengths:      []Micrograms{Mg(2), Mg(8)},
			StrengthLabels: []string{"2 mg/0.5 mg", "8 mg/2 mg"},
			Unit:           UnitMilligrams, Interval: IntervalDaily, Naloxone: true,
		},
		{
			Code: CodeEspranor, Name: "Espranor buprenorphine oral lyophilisate",
			Form: "oral lyophilisate", Class: ClassBuprenorphine,
			Strengths:      []Micrograms{Mg(2), Mg(8)},
			StrengthLabels: []string{"2 mg", "8 mg"},
			Unit:           UnitMilligrams, Interval: IntervalDaily, Espranor: true,
		},
		{
			Code: CodeBuvidalWeekly, Name: buvidalName + " (weekly)",
			Form: formProlongedReleaseInj, Class: ClassBuvidal,
			Strengths:      []Micrograms{Mg(8), Mg(16), Mg(24), Mg(32)},
			StrengthLabels: []string{"8 mg", "16 mg", "24 mg", "32 mg"},
			Unit:           UnitMilligrams, Interval: IntervalWeekly, Injectable: true,
		},
		{
			Code: CodeBuvidalMonthly, Name: buvidalName + " (monthly)",
			Form: formProlongedReleaseInj, Class: ClassBuvidal,
			Strengths:      []Micrograms{Mg(64), Mg(96), Mg(128), Mg(160)},
			StrengthLabels: []string{"64 mg", "96 mg", "128 mg", "160 mg"},
			Unit:           UnitMilligrams, Interval: IntervalMonthly, Injectable: true,
		},
	}
}

// LookupMedicine finds a built-in product by code.
func LookupMedicine(code string) (Medicine, bool) {
	for _, m := range Formulary() {
		if m.Code == code {
			return m, true
		}
	}
	return Medicine{}, false
}

// QuantityOf is the amount of product that supplies dose, in the unit of
// m.Unit scaled by 1000 (microlitres or micrograms). Every product here is
// labelled by active content and methadone is 1 mg per 1 ml, so the quantity
// equals the dose; the method exists so prescription code never assumes that.
func (m Medicine) QuantityOf(dose Micrograms) Micrograms { return dose }

// UnitSymbol is the short form of Unit for a quantity written beside a
// number: "ml" for methadone oral solution, "mg" for everything else.
func (m Medicine) UnitSymbol() string {
	if m.Unit == UnitMillilitres {
		return "ml"
	}
	return "mg"
}

// Amount writes a dose sent or handed over in one wording for every
// message: the dose in mg and, for a product measured by volume, the
// quantity in brackets, "140 mg (140 ml)" of methadone 1 mg/ml; "24 mg"
// of buprenorphine.
func (m Medicine) Amount(dose Micrograms) string {
	if !m.MeasuredByVolume() {
		return dose.String()
	}
	return dose.String() + " (" + m.QuantityOf(dose).MilligramsString() + " " + m.UnitSymbol() + ")"
}

// HasStrength reports whether dose is exactly one of the unit strengths; BV1
// needs this for Buvidal, where no other dose exists.
func (m Medicine) HasStrength(dose Micrograms) bool { return slices.Contains(m.Strengths, dose) }

// SolutionStep is the finest volume an oral solution dose is measured in:
// 0.1 ml, what a pharmacy's graduated measure or pump dispenser reads.
// It keeps a typed 0.001 mg from becoming a prescription for "0.003 (zero
// point zero zero three) millilitres" that no pharmacy can measure.
const SolutionStep Micrograms = 100

// SmallestStep is the finest daily dose the product can make. For a tablet
// or lyophilisate it is what whole units make: the greatest common divisor
// of its strengths (0.4 mg for buprenorphine 0.4/2/8 mg, 2 mg for the
// naloxone combination and Espranor); sublingual units are not split, so a
// daily dose is a whole number of steps. For an oral solution it is the
// dose in SolutionStep of it (0.1 mg of methadone 1 mg/ml). Zero for
// Buvidal, whose strengths BV1 checks one by one.
func (m Medicine) SmallestStep() Micrograms {
	if m.Injectable {
		return 0
	}
	if m.MeasuredByVolume() {
		// Every solution here has one strength, per ml (QuantityOf).
		return SolutionStep * m.Strengths[0] / Milligram
	}
	var g Micrograms
	for _, s := range m.Strengths {
		a, b := g, s
		for b != 0 {
			a, b = b, a%b
		}
		g = a
	}
	return g
}

// MeasuredByVolume is true for an oral solution, whose doses are measured
// out in millilitres rather than made from whole units.
func (m Medicine) MeasuredByVolume() bool { return m.Unit == UnitMillilitres }

// Makeable reports whether whole units of m make dose each day, or for a
// solution whether it is measurable in steps of SolutionStep.
func (m Medicine) Makeable(dose Micrograms) bool {
	step := m.SmallestStep()
	return step == 0 || dose%step == 0
}

// IsBuprenorphine is true for every buprenorphine product, injected or not.
func (m Medicine) IsBuprenorphine() bool {
	return m.Class == ClassBuprenorphine || m.Class == ClassBuvidal
}
