package patients

import (
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/problem"
)

// Sex as recorded for the clinical record.
type Sex string

const (
	Female  Sex = "female"
	Male    Sex = "male"
	Other   Sex = "other"
	Unknown Sex = "unknown"
)

func (s Sex) Valid() bool { return s == Female || s == Male || s == Other || s == Unknown }

// Level is how much support a person needs in one area of their life.
type Level string

const (
	NoNeed    Level = "none"
	SomeNeed  Level = "some"
	HighNeed  Level = "high"
	NotAsked  Level = "not_assessed"
	levelNone Level = ""
)

func (l Level) Valid() bool {
	return l == levelNone || l == NoNeed || l == SomeNeed || l == HighNeed || l == NotAsked
}

// Need is one area of the needs profile the seed services keep, so one
// place holds all of a person's support (../shared/seeds).
type Need struct {
	Level Level  `json:"level"`
	Notes string `json:"notes"`
}

// BloodBorneVirus records testing and vaccination status.
type BloodBorneVirus struct {
	HepatitisBVaccination string        `json:"hepatitis_b_vaccination"` // none, in_progress, complete, immune, unknown
	HepatitisC            string        `json:"hepatitis_c"`             // not_tested, negative, antibody_positive, rna_positive, treated
	HIV                   string        `json:"hiv"`                     // not_tested, negative, positive
	LastTested            calendar.Date `json:"last_tested"`
}

// Needs is the needs profile.
type Needs struct {
	Housing             Need            `json:"housing"`
	MentalHealth        Need            `json:"mental_health"`
	PhysicalHealth      Need            `json:"physical_health"`
	EmploymentEducation Need            `json:"employment_education"`
	Family              Need            `json:"family"`
	CriminalJustice     Need            `json:"criminal_justice"`
	BloodBorneVirus     BloodBorneVirus `json:"blood_borne_virus"`
}

var (
	hepB = []string{"", "none", "in_progress", "complete", "immune", "unknown"}
	hepC = []string{"", "not_tested", "negative", "antibody_positive", "rna_positive", "treated"}
	hiv  = []string{"", "not_tested", "negative", "positive"}
)

// Validate reports every invalid field of the profile, prefixed by prefix.
func (n Needs) Validate(f *problem.Fields, prefix string) {
	for name, need := range map[string]Need{
		"housing": n.Housing, "mental_health": n.MentalHealth, "physical_health": n.PhysicalHealth,
		"employment_education": n.EmploymentEducation, "family": n.Family, "criminal_justice": n.CriminalJustice,
	} {
		if !need.Level.Valid() {
			f.Add(prefix+name+".level", "enum", "level must be none, some, high or not_assessed")
		}
	}
	check := func(field, v string, allowed []string) {
		for _, a := range allowed {
			if v == a {
				return
			}
		}
		f.Add(prefix+"blood_borne_virus."+field, "enum", "%s must be one of %v", field, allowed[1:])
	}
	check("hepatitis_b_vaccination", n.BloodBorneVirus.HepatitisBVaccination, hepB)
	check("hepatitis_c", n.BloodBorneVirus.HepatitisC, hepC)
	check("hiv", n.BloodBorneVirus.HIV, hiv)
}

// Notes are the free-text notes of each need, by field name, for the
// checks every stored text gets.
func (n Needs) Notes() map[string]string {
	return map[string]string{"housing": n.Housing.Notes, "mental_health": n.MentalHealth.Notes,
		"physical_health": n.PhysicalHealth.Notes, "employment_education": n.EmploymentEducation.Notes,
		"family": n.Family.Notes, "criminal_justice": n.CriminalJustice.Notes}
}

// Flags lists the set risk flags in words, for letters and screens.
func (r RiskFlags) Flags() []string {
	var out []string
	for _, f := range []struct {
		on   bool
		text string
	}{
		{r.Benzodiazepines, "Benzodiazepine co-use"}, {r.Alcohol, "Alcohol use"},
		{r.CardiacQTc, "QTc / cardiac risk"}, {r.ChildrenInHousehold, "Children in the household"},
		{r.RecentOverdose, "Recent overdose"}, {r.RecentPrisonRelease, "Recent release from prison"},
		{r.Injecting, "Injecting"},
	} {
		if f.on {
			out = append(out, f.text)
		}
	}
	return out
}

// Age is completed years on a date.
func Age(dob, on calendar.Date) int {
	age := on.Year() - dob.Year()
	if on.Month() < dob.Month() || on.Month() == dob.Month() && on.Day() < dob.Day() {
		age--
	}
	return age
}
