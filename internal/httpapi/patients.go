package httpapi

import (
	"bytes"
	"encoding/json"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

// today is the service's current local date (a pharmacy's "today").
func (s *Server) today() calendar.Date { return calendar.DateOf(s.db.Now(), s.cfg.Timezone) }

type patientRequest struct {
	NHSNumber          *string             `json:"nhs_number"`
	GivenName          *string             `json:"given_name"`
	FamilyName         *string             `json:"family_name"`
	DateOfBirth        rawField            `json:"date_of_birth"`
	Sex                *patients.Sex       `json:"sex"`
	Address            *string             `json:"address"`
	Phone              *string             `json:"phone"`
	GPPracticeID       *string             `json:"gp_practice_id"`
	PharmacyID         *string             `json:"pharmacy_id"`
	Keyworker          *string             `json:"keyworker"`
	RiskFlags          *patients.RiskFlags `json:"risk_flags"`
	Needs              *patients.Needs     `json:"needs"`
	NaloxoneSuppliedOn rawField            `json:"naloxone_supplied_on"`
	ReferralDate       rawField            `json:"referral_date"`
	FirstContactDate   rawField            `json:"first_contact_date"`
	FirstDoseDate      rawField            `json:"first_dose_date"`

	// The risk_flags and needs objects as sent, merged onto the record
	// key by key (mergePatch): set by readRaw.
	riskFlagsRaw, needsRaw json.RawMessage
	// nulls names the fields sent as null that a *string (or *Sex) reads
	// as absent: set by readRaw.
	nulls map[string]bool
}

// nullable are the fields a pointer reads null into as absent: null for
// one clears it, as "" does, or is refused where the record needs a value.
var nullable = []string{"nhs_number", "given_name", "family_name", "sex", "address", "phone", "gp_practice_id", "pharmacy_id", "keyworker"}

// readRaw keeps the risk_flags and needs objects of body as sent, so that
// apply changes only the keys they hold. Keys match ignoring case, as
// decoding matches them (a key sent twice is refused before).
func (r *patientRequest) readRaw(body []byte) {
	keys, values, err := topLevelFields(body)
	if err != nil {
		return
	}
	for i, k := range keys {
		switch {
		case strings.EqualFold(k, "risk_flags"):
			r.riskFlagsRaw = values[i]
		case strings.EqualFold(k, "needs"):
			r.needsRaw = values[i]
		case string(bytes.TrimSpace(values[i])) == "null":
			for _, name := range nullable {
				if strings.EqualFold(k, name) {
					if r.nulls == nil {
						r.nulls = map[string]bool{}
					}
					r.nulls[name] = true
				}
			}
		}
	}
	// An optional text or link sent as null is cleared, as "" clears it.
	empty := func(p **string, name string) {
		if r.nulls[name] {
			*p = new(string)
		}
	}
	empty(&r.Address, "address")
	empty(&r.Phone, "phone")
	empty(&r.Keyworker, "keyworker")
	empty(&r.GPPracticeID, "gp_practice_id")
	empty(&r.PharmacyID, "pharmacy_id")
}

// mergePatch applies patch, a JSON object as sent, onto cur as JSON merge
// patch does (RFC 7386): a key absent stays as it is, a value present
// replaces it, an object is merged key by key, and null clears the value
// (to its zero: "" for a text, no date, a need neither assessed nor noted).
// Keys match cur's ignoring case, as decoding does. ok is false if patch
// does not read as cur's type, which decoding has reported already.
func mergePatch[T any](cur T, patch json.RawMessage) (T, bool) {
	var zero T
	var target, p any
	b, err := json.Marshal(cur)
	if err != nil || json.Unmarshal(b, &target) != nil || json.Unmarshal(patch, &p) != nil {
		return zero, false
	}
	if _, isObject := p.(map[string]any); !isObject {
		return zero, false
	}
	merged, err := json.Marshal(mergeValue(target, p))
	if err != nil {
		return zero, false
	}
	var out T
	if json.Unmarshal(merged, &out) != nil {
		return zero, false
	}
	return out, true
}

func mergeValue(target, patch any) any {
	p, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	t, ok := target.(map[string]any)
	if !ok {
		t = map[string]any{}
	}
	for _, k := range slices.Sorted(maps.Keys(p)) {
		key := k
		for tk := range t {
			if strings.EqualFold(tk, k) {
				key = tk
				break
			}
		}
		if p[k] == nil {
			delete(t, key)
		} else {
			t[key] = mergeValue(t[key], p[k])
		}
	}
	return t
}

// apply validates the request and writes its fields onto pt. On create,
// the identity fields are required; on update, absent fields stay as they
// are and a JSON null clears an optional date. f holds the errors decoding
// found, which the answer includes.
func (r patientRequest) apply(pt *store.Patient, create bool, today calendar.Date, f problem.Fields) error {
	// A field the record cannot be without, sent as null, is refused
	// rather than read as absent: the client meant to clear it.
	notCleared := ""
	if !create {
		notCleared = ": null does not clear it"
	}
	text := func(field string, v *string, dst *string, required bool, max int) {
		switch {
		case r.nulls[field] && required:
			f.Add(field, "required", "%s is required%s", field, notCleared)
		case v == nil && required && create:
			f.Add(field, "required", "%s is required", field)
		case v != nil:
			if required {
				requireText(&f, field, *v, max)
			} else {
				optionalText(&f, field, *v, max)
			}
			*dst = patients.Printable(*v)
		}
	}
	if r.nulls["nhs_number"] {
		f.Add("nhs_number", "required", "nhs_number is required%s", notCleared)
	} else if r.NHSNumber != nil {
		nhs, err := patients.NormaliseNHSNumber(*r.NHSNumber)
		if err == nil && nhs != pt.NHSNumber {
			// One recorded before placeholders were refused may be sent
			// back unchanged with the rest of the record.
			err = patients.RefusePlaceholder(nhs)
		}
		if err != nil {
			f.Add("nhs_number", "ID1", "%s", err.Error())
		}
		pt.NHSNumber = nhs
	} else if create {
		f.Add("nhs_number", "required", "nhs_number is required")
	}
	text("given_name", r.GivenName, &pt.GivenName, true, 100)
	text("family_name", r.FamilyName, &pt.FamilyName, true, 100)
	text("address", r.Address, &pt.Address, false, 500)
	if r.Address != nil {
		if n := patients.TooManyAddressLines(*r.Address); n > 0 {
			f.Add("address", "lines", "address has %d lines (a line per line break, or per comma when it is written on one line); at most %d are printed in the patient's block on the prescription and the shared-care letter (L2): "+
				"join parts of it onto fewer lines", n, patients.MaxAddressLines)
		}
	}
	// What the prescription and the letter print (L2, SC4).
	for _, p := range []struct {
		field string
		v     *string
		lines bool
	}{{"given_name", r.GivenName, false}, {"family_name", r.FamilyName, false}, {"address", r.Address, true},
		{"keyworker", r.Keyworker, false}, {"phone", r.Phone, false}} {
		if p.v == nil || !problem.IsText(*p.v) {
			continue
		}
		if c, bad := patients.Unprintable(patients.Printable(*p.v), p.lines); bad {
			f.Add(p.field, "printable", "%s holds %q (U+%04X), which the prescription and the shared-care letter cannot print as written (L2): "+
				"use Latin, Greek or Cyrillic letters, digits and punctuation on one line (an address may have several), with no invisible characters, as the patient's NHS record spells it",
				p.field, c, c)
		}
	}
	text("phone", r.Phone, &pt.Phone, false, 40)
	text("keyworker", r.Keyworker, &pt.Keyworker, false, 200)
	if r.DateOfBirth.present || create {
		pt.DateOfBirth = date(&f, "date_of_birth", r.DateOfBirth, true)
		if !pt.DateOfBirth.IsZero() && pt.DateOfBirth.After(today) {
			f.Add("date_of_birth", "not_future", "date_of_birth must not be in the future")
		}
	}
	if r.nulls["sex"] {
		f.Add("sex", "required", "sex must be female, male, other or unknown, not null (send unknown when it is not known)")
	} else if r.Sex != nil {
		if !r.Sex.Valid() {
			f.Add("sex", "enum", "sex must be female, male, other or unknown")
		}
		pt.Sex = *r.Sex
	} else if create {
		pt.Sex = patients.Unknown
	}
	for _, ref := range []struct {
		field string
		v     *string
		dst   **string
	}{{"gp_practice_id", r.GPPracticeID, &pt.GPPracticeID}, {"pharmacy_id", r.PharmacyID, &pt.PharmacyID}} {
		if ref.v == nil {
			continue
		}
		if *ref.v == "" {
			*ref.dst = nil
			continue
		}
		if !store.ValidID(*ref.v) {
			f.Add(ref.field, "format", "%s must be a UUID", ref.field)
		}
		v := *ref.v
		*ref.dst = &v
	}
	// risk_flags and needs change only the keys sent ("Absent fields stay
	// as they are" holds inside them too): a prescriber recording alcohol
	// use must not clear the benzodiazepine and QTc flags (M1, M4) nor
	// the needs a keyworker wrote.
	if r.RiskFlags != nil {
		flags := *r.RiskFlags
		if m, ok := mergePatch(pt.RiskFlags, r.riskFlagsRaw); ok {
			flags = m
		}
		if keys, values, err := topLevelFields(r.riskFlagsRaw); err == nil {
			for i, k := range keys {
				if _, known := jsonField(reflect.TypeFor[patients.RiskFlags](), k); known && string(values[i]) == "null" {
					f.Add("risk_flags."+k, "type", "risk_flags.%s must be true or false: a flag is not cleared with null but set to false", k)
				}
			}
		}
		pt.RiskFlags = flags
	}
	// needs.blood_borne_virus.last_tested is a date of care like the
	// others: judged when it changes (a test date recorded earlier is not
	// the concern of a change to the housing need).
	const lastTested = "needs.blood_borne_virus.last_tested"
	lastTestedSent := false
	if r.Needs != nil {
		needs := *r.Needs
		if m, ok := mergePatch(pt.Needs, r.needsRaw); ok {
			needs = m
		}
		needs.Validate(&f, "needs.")
		if d := needs.BloodBorneVirus.LastTested; !d.Equal(pt.Needs.BloodBorneVirus.LastTested) && !d.IsZero() {
			lastTestedSent = true
			switch {
			case d.Year() < 1900 || d.Year() > 2200:
				f.Add(lastTested, "range", "%s must fall between 1900-01-01 and 2200-12-31", lastTested)
				needs.BloodBorneVirus.LastTested = calendar.Date{} // as parseDate reads it: no later check
			case d.After(today):
				f.Add(lastTested, "not_future", "%s must not be in the future", lastTested)
			}
		}
		notes := needs.Notes()
		for _, name := range slices.Sorted(maps.Keys(notes)) {
			optionalText(&f, "needs."+name+".notes", notes[name], 2000)
		}
		pt.Needs = needs
	}
	for _, d := range []struct {
		field string
		raw   rawField
		dst   *calendar.Date
	}{{"naloxone_supplied_on", r.NaloxoneSuppliedOn, &pt.NaloxoneSuppliedOn}, {"referral_date", r.ReferralDate, &pt.ReferralDate},
		{"first_contact_date", r.FirstContactDate, &pt.FirstContactDate}, {"first_dose_date", r.FirstDoseDate, &pt.FirstDoseDate}} {
		if d.raw.present {
			*d.dst = date(&f, d.field, d.raw, false)
			if d.dst.After(today) {
				f.Add(d.field, "not_future", "%s must not be in the future", d.field)
			}
		}
	}
	// Nothing happens to a patient before they are born: a date so is a
	// typing slip in one of the two, named where the request touched it.
	for _, d := range []struct {
		field string
		sent  bool
		v     calendar.Date
	}{{"naloxone_supplied_on", r.NaloxoneSuppliedOn.present, pt.NaloxoneSuppliedOn}, {"referral_date", r.ReferralDate.present, pt.ReferralDate},
		{"first_contact_date", r.FirstContactDate.present, pt.FirstContactDate}, {"first_dose_date", r.FirstDoseDate.present, pt.FirstDoseDate},
		{lastTested, lastTestedSent, pt.Needs.BloodBorneVirus.LastTested}} {
		if d.v.IsZero() || pt.DateOfBirth.IsZero() || !d.v.Before(pt.DateOfBirth) {
			continue
		}
		switch {
		case d.sent:
			f.Add(d.field, "after_birth", "%s %s is before date_of_birth %s; check the year", d.field, d.v, pt.DateOfBirth)
		case r.DateOfBirth.present:
			f.Add("date_of_birth", "after_birth", "date_of_birth %s is after the recorded %s %s; check the year", pt.DateOfBirth, d.field, d.v)
		}
	}
	// Neither the first contact nor the first dose comes before the
	// referral (a self-referral is contacted the same day: equal is fine).
	// Judged when either date is entered, and named on the date sent,
	// quoting the recorded one, as after_birth is: a first dose date that
	// follows the records here (an injection before a late-entered
	// referral) is not the prescriber's to correct in an unrelated change.
	for _, d := range []struct {
		field string
		sent  bool
		v     calendar.Date
	}{{"first_contact_date", r.FirstContactDate.present, pt.FirstContactDate}, {"first_dose_date", r.FirstDoseDate.present, pt.FirstDoseDate}} {
		if d.v.IsZero() || pt.ReferralDate.IsZero() || !d.v.Before(pt.ReferralDate) {
			continue
		}
		switch {
		case d.sent:
			f.Add(d.field, "after_referral", "%s %s is before referral_date %s; check the dates", d.field, d.v, pt.ReferralDate)
		case r.ReferralDate.present:
			f.Add("referral_date", "after_referral", "referral_date %s is after the recorded %s %s; check the dates", pt.ReferralDate, d.field, d.v)
		}
	}
	return f.Err()
}

// patientView adds what a clinician reads off a patient record.
type patientView struct {
	store.Patient
	NHSNumberDisplay string        `json:"nhs_number_display"`
	Age              int           `json:"age"`
	RapidAccess      rapidAccess   `json:"rapid_access"`
	Risks            []string      `json:"risks"`
	ActiveRegime     *store.Regime `json:"active_regime,omitempty"`
}

// rapidAccess measures time from referral to first dose, the aim of rapid
// access prescribing (../shared/seeds).
type rapidAccess struct {
	DaysReferralToFirstContact *int `json:"days_referral_to_first_contact"`
	DaysReferralToFirstDose    *int `json:"days_referral_to_first_dose"`
}

func (s *Server) viewPatient(pt store.Patient) patientView {
	v := patientView{Patient: pt, NHSNumberDisplay: patients.FormatNHSNumber(pt.NHSNumber),
		Age: patients.Age(pt.DateOfBirth, s.today()), Risks: pt.RiskFlags.Flags()}
	if v.Risks == nil {
		v.Risks = []string{}
	}
	if !pt.ReferralDate.IsZero() {
		if !pt.FirstContactDate.IsZero() {
			// A step dated before the referral counts as day 0, as in the
			// rapid access report.
			d := max(0, pt.ReferralDate.DaysUntil(pt.FirstContactDate))
			v.RapidAccess.DaysReferralToFirstContact = &d
		}
		if !pt.FirstDoseDate.IsZero() {
			d := max(0, pt.ReferralDate.DaysUntil(pt.FirstDoseDate))
			v.RapidAccess.DaysReferralToFirstDose = &d
		}
	}
	return v
}

func (s *Server) createPatient(c *gin.Context) {
	var req patientRequest
	body, err := readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := decodeBytes(body, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	req.readRaw(body)
	var pt store.Patient
	if err := req.apply(&pt, true, s.today(), f); err != nil {
		s.fail(c, s.patientReferenceErrors(c.Request.Context(), err, req))
		return
	}
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error { return tx.CreatePatient(principal(c), &pt) })
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.viewPatient(pt))
}

func (s *Server) updatePatient(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req patientRequest
	body, err := readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f, err := decodeBytes(body, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	req.readRaw(body)
	if len(f) > 0 {
		// Nothing can be written, so the store is not reached: the other
		// fields are checked against a blank record (the checks against the
		// stored one, after_referral, follow once the request can be read).
		s.fail(c, s.patientReferenceErrors(c.Request.Context(), req.apply(&store.Patient{}, false, s.today(), f), req))
		return
	}
	var pt store.Patient
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		today := s.today()
		pt, err = tx.UpdatePatient(principal(c), id, today, func(p *store.Patient) error { return req.apply(p, false, today, f) })
		return err
	})
	if err != nil {
		s.fail(c, s.patientReferenceErrors(c.Request.Context(), err, req))
		return
	}
	c.JSON(http.StatusOK, s.viewPatient(pt))
}

func (s *Server) getPatient(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	pt, err := s.db.PatientFor(ctx, principal(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.viewPatient(pt)
	regs, err := s.db.Regimes(ctx, principal(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	for i := range regs {
		if regs[i].Status == store.RegimeActive {
			v.ActiveRegime = &regs[i]
		}
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) listPatients(c *gin.Context) {
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	q := store.PatientSearch{Name: strings.TrimSpace(c.Query("name")), After: pg.After, Limit: pg.Limit + 1}
	if nhs := c.Query("nhs_number"); nhs != "" {
		if q.NHSNumber, err = patients.NormaliseNHSNumber(nhs); err != nil {
			s.fail(c, problem.Invalidf("nhs_number", "ID1", "%s", err.Error()))
			return
		}
	}
	if len(q.Name) > 100 {
		s.fail(c, problem.Invalidf("name", "max_length", "name must be at most 100 characters"))
		return
	}
	found, err := s.db.SearchPatients(c.Request.Context(), principal(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	views := make([]patientView, 0, len(found))
	for _, pt := range found {
		views = append(views, s.viewPatient(pt))
	}
	list(c, views, pg.Limit, func(v patientView) string { return v.ID })
}

// rapidAccessReport: how quickly the service brought the people referred
// between from and to into treatment, and who is still waiting.
func (s *Server) rapidAccessReport(c *gin.Context) {
	var f problem.Fields
	to := s.dayParam(&f, c, "to", s.today())
	from := s.dayParam(&f, c, "from", to.AddDays(-89))
	switch {
	case f.Err() != nil: // a date that did not parse is reported alone
	case from.After(to):
		f.Add("from", "before_to", "from must not be after to")
	case from.DaysUntil(to) > 366:
		f.Add("from", "range", "the window is at most 366 days")
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	refs, err := s.db.Referrals(c.Request.Context(), principal(c), from, to)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, struct {
		From  calendar.Date `json:"from"`
		To    calendar.Date `json:"to"`
		Today calendar.Date `json:"today"`
		patients.RapidAccessReport
	}{from, to, s.today(), patients.RapidAccess(refs, s.today())})
}
