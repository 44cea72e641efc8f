package store_test

import (
	"reflect"
	"testing"

	"github.com/dosebook/dosebook/internal/store"
)

// A screen stored with the panel's old unnamed "other" result keeps it, as a
// named other substance; one not tested there adds nothing.
func TestDrugScreenReadsTheOldUnnamedOther(t *testing.T) {
	for _, tt := range []struct {
		result string
		want   []store.OtherSubstance
	}{
		{store.ResultPositive, []store.OtherSubstance{{Name: "other (not named)", Result: store.ResultPositive}}},
		{store.ResultNegative, []store.OtherSubstance{{Name: "other (not named)", Result: store.ResultNegative}}},
		{store.ResultNotTested, []store.OtherSubstance{}},
	} {
		s := store.DrugScreen{Results: map[string]string{"opiates": store.ResultNegative, "other": tt.result}}
		if err := s.AfterFind(nil); err != nil {
			t.Fatal(err)
		}
		if _, ok := s.Results["other"]; ok || !reflect.DeepEqual(s.OtherSubstances, tt.want) {
			t.Errorf("other %s: results %v, other substances %v", tt.result, s.Results, s.OtherSubstances)
		}
		if s.NegativeForIllicitOpioids(store.Prescribed{Methadone: true}) != true {
			t.Errorf("other %s: an unnamed other substance is not an opioid", tt.result)
		}
	}
	fent := store.DrugScreen{Results: map[string]string{"opiates": store.ResultNegative},
		OtherSubstances: []store.OtherSubstance{{Name: "Fentanyl", Result: store.ResultPositive}}}
	onMethadone := store.Prescribed{Methadone: true}
	if fent.NegativeForIllicitOpioids(onMethadone) || !reflect.DeepEqual(fent.IllicitOpioidsFound(onMethadone), []string{"Fentanyl"}) {
		t.Errorf("fentanyl positive: negative %v, found %v", fent.NegativeForIllicitOpioids(onMethadone), fent.IllicitOpioidsFound(onMethadone))
	}
}

// Methadone or buprenorphine in a screen is expected when prescribed, and
// an opioid not the patient's (diverted or bought) when not.
func TestScreenSubstitutionMedicineNotPrescribed(t *testing.T) {
	s := store.DrugScreen{Results: map[string]string{"opiates": store.ResultNegative, "methadone": store.ResultPositive,
		"buprenorphine": store.ResultNegative}}
	tests := []struct {
		rx   store.Prescribed
		want []string
	}{
		{store.Prescribed{Methadone: true}, nil},
		{store.Prescribed{Buprenorphine: true}, []string{"methadone (not prescribed)"}},
		{store.Prescribed{Methadone: true, Buprenorphine: true}, nil}, // switching
		{store.Prescribed{}, []string{"methadone (not prescribed)"}},
	}
	for _, tt := range tests {
		if got := s.IllicitOpioidsFound(tt.rx); !reflect.DeepEqual(got, tt.want) || s.NegativeForIllicitOpioids(tt.rx) != (tt.want == nil) {
			t.Errorf("prescribed %+v: found %v, want %v", tt.rx, got, tt.want)
		}
	}
}

// A named OST medicine is judged as the panel's is: expected when
// prescribed, not the patient's otherwise; a named class result counts
// whatever it says it left out.
func TestScreenNamedSubstitutionMedicine(t *testing.T) {
	onMethadone, onBup := store.Prescribed{Methadone: true}, store.Prescribed{Buprenorphine: true}
	tests := []struct {
		name string
		rx   store.Prescribed
		want []string
	}{
		{"Temgesic", onMethadone, []string{"Temgesic (buprenorphine, not prescribed)"}},
		{"Temgesic", onBup, nil},
		{"Physeptone", onBup, []string{"Physeptone (methadone, not prescribed)"}},
		{"EDDP", onMethadone, nil},
		{"Opioids (broad screen) - methadone and buprenorphine excluded", onBup,
			[]string{"Opioids (broad screen) - methadone and buprenorphine excluded"}},
	}
	for _, tt := range tests {
		s := store.DrugScreen{Results: map[string]string{"opiates": store.ResultNegative},
			OtherSubstances: []store.OtherSubstance{{Name: tt.name, Result: store.ResultPositive}}}
		if got := s.IllicitOpioidsFound(tt.rx); !reflect.DeepEqual(got, tt.want) || s.NegativeForIllicitOpioids(tt.rx) != (tt.want == nil) {
			t.Errorf("%s, prescribed %+v: found %v, want %v", tt.name, tt.rx, got, tt.want)
		}
	}
}
