package demo

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
)

// step is a titration: days after the regime start, and the new dose.
type step struct {
	day  int
	dose int64 // mg
}

// demoPatient describes one person and the story their record tells.
type demoPatient struct {
	given, family, dob, sex, address, keyworker string
	pharmacy                                    string // "pharmacy" or "pharmacy_2"
	shows                                       string
	risks                                       patients.RiskFlags
	medicine                                    string
	startDose                                   int64
	startedDaysAgo                              int
	stage                                       regimes.Stage
	steps                                       []step
	pattern                                     regimes.WeeklyPattern
	relaxed                                     string
	missEvery                                   int // every n-th past dose missed (0: none)
	missLast                                    int // the last n days before today missed (MD1)
	injections                                  bool
	previousWeekly                              int    // weeks of weekly Buvidal before a monthly regime
	draftNext                                   bool   // a draft for the fortnight after the issued ones
	cancelled                                   string // the reason a prescription was cancelled (one is, then)
}

func weekdaysSupervisedWeekendsTakeHome() regimes.WeeklyPattern {
	p := regimes.AllSupervised()
	p[time.Saturday] = regimes.PickupTakeHome
	p[time.Sunday] = regimes.PickupEarlier
	return p
}

var demoPatients = []demoPatient{
	{given: "Zoë", family: "Łukasz-Nguyễn", dob: "1986-02-14", sex: "female", address: "Flat 3, 18 Canal Row — Worcester WR1 3EE",
		keyworker: "Jo Pritchard", pharmacy: "pharmacy", shows: "stable on methadone 60 mg for months: eligible for shared care with the GP",
		medicine: dosing.CodeMethadone, startDose: 20, startedDaysAgo: 150, stage: regimes.StageMaintenance,
		steps: []step{{4, 30}, {11, 40}, {18, 50}, {25, 60}}, missEvery: 29},
	{given: "Daniel", family: "O'Brien", dob: "1992-07-30", sex: "male", address: "Room 12, St Paul's Hostel, Tallow Hill, Worcester WR5 1DZ",
		keyworker: "Sam Ellis", pharmacy: "pharmacy", shows: "in titration on methadone, due today, first dose at a new dose soon",
		risks: patients.RiskFlags{Injecting: true, RecentOverdose: true}, medicine: dosing.CodeMethadone, startDose: 25, startedDaysAgo: 10,
		stage: regimes.StageTitration, steps: []step{{7, 35}}},
	{given: "Kerry", family: "Walsh", dob: "1979-11-03", sex: "female", address: "42 Vine Street, Worcester WR3 8AB",
		keyworker: "Jo Pritchard", pharmacy: "pharmacy", shows: "missed the last 3 days of methadone 50 mg: blocked by MD1 until a prescriber review, answered with MD3's advice to halve the dose",
		risks: patients.RiskFlags{Alcohol: true, ChildrenInHousehold: true}, medicine: dosing.CodeMethadone, startDose: 30, startedDaysAgo: 45,
		stage: regimes.StageMaintenance, steps: []step{{7, 40}, {14, 50}}, missLast: 3},
	{given: "Marcus", family: "Reid", dob: "1983-05-21", sex: "male", address: "7 Orchard Close, Droitwich WR9 7QL",
		keyworker: "Sam Ellis", pharmacy: "pharmacy", shows: "buprenorphine 12 mg, supervision relaxed: weekend take-home doses",
		medicine: dosing.CodeBuprenorphineSL, startDose: 4, startedDaysAgo: 120, stage: regimes.StageMaintenance,
		steps: []step{{3, 8}, {7, 12}}, pattern: weekdaysSupervisedWeekendsTakeHome(),
		relaxed: "Works weekend shifts: weekend take-home doses agreed at assessment, safe storage at home confirmed", missEvery: 41},
	{given: "Priya", family: "Shah", dob: "1995-09-09", sex: "female", address: "23 Lowesmoor Terrace, Worcester WR1 2SE",
		keyworker: "Jo Pritchard", pharmacy: "pharmacy", shows: "starting buprenorphine/naloxone: induction",
		medicine: dosing.CodeBuprenorphineNalSL, startDose: 4, startedDaysAgo: 2, stage: regimes.StageInduction},
	{given: "Aled", family: "Jones", dob: "1988-12-01", sex: "male", address: "15 Sansome Walk, Worcester WR1 1LH",
		keyworker: "Sam Ellis", pharmacy: "pharmacy", shows: "weekly Buvidal injections with site rotation",
		medicine: dosing.CodeBuvidalWeekly, startDose: 24, startedDaysAgo: 35, stage: regimes.StageMaintenance, injections: true},
	{given: "Fatima", family: "Hussain", dob: "1990-03-17", sex: "female", address: "9 Britannia Square, Worcester WR1 3DG",
		keyworker: "Jo Pritchard", pharmacy: "pharmacy", shows: "monthly Buvidal after six weeks of weekly",
		medicine: dosing.CodeBuvidalMonthly, startDose: 96, startedDaysAgo: 40, stage: regimes.StageMaintenance, injections: true, previousWeekly: 6},
	{given: "Tom", family: "Baker", dob: "1975-01-25", sex: "male", address: "3 Friar Street, Droitwich WR9 8EQ",
		keyworker: "Sam Ellis", pharmacy: "pharmacy_2", shows: "Espranor at the second pharmacy (pharmacist_2's patient)",
		medicine: dosing.CodeEspranor, startDose: 8, startedDaysAgo: 30, stage: regimes.StageMaintenance, missEvery: 17},
	{given: "Sean", family: "Murphy", dob: "1969-08-08", sex: "male", address: "56 Ombersley Road, Worcester WR3 7HA",
		keyworker: "Sam Ellis", pharmacy: "pharmacy", shows: "reducing methadone towards detoxification",
		risks: patients.RiskFlags{Benzodiazepines: true, CardiacQTc: true}, medicine: dosing.CodeMethadone, startDose: 30, startedDaysAgo: 100,
		stage: regimes.StageReduction, steps: []step{{7, 40}, {60, 35}, {80, 30}}, missEvery: 23},
	{given: "Leah", family: "Morgan", dob: "1998-04-02", sex: "female", address: "Flat 9, 2 Foregate Street, Worcester WR1 1DB",
		keyworker: "Jo Pritchard", pharmacy: "pharmacy", shows: "titrating sublingual buprenorphine (4, 8, then 12 mg)",
		medicine: dosing.CodeBuprenorphineSL, startDose: 4, startedDaysAgo: 9, stage: regimes.StageTitration, steps: []step{{2, 8}, {5, 12}}},
	{given: "Gareth", family: "Evans", dob: "1972-10-19", sex: "male", address: "11 Lark Hill Road, Worcester WR5 2EF",
		keyworker: "Sam Ellis", pharmacy: "pharmacy", shows: "reducing buprenorphine/naloxone (16 to 12 mg); a draft prescription for the next fortnight",
		medicine: dosing.CodeBuprenorphineNalSL, startDose: 8, startedDaysAgo: 200, stage: regimes.StageReduction,
		steps: []step{{3, 12}, {7, 16}, {150, 14}, {180, 12}}, missEvery: 37, draftNext: true},
	{given: "Nadia", family: "Kowalski", dob: "1989-01-28", sex: "female", address: "5 Vines Lane, Droitwich WR9 8LU",
		keyworker: "Sam Ellis", pharmacy: "pharmacy_2", shows: "titrating Espranor at the second pharmacy, closed on Sundays and bank holidays",
		medicine: dosing.CodeEspranor, startDose: 8, startedDaysAgo: 8, stage: regimes.StageTitration, steps: []step{{4, 12}}},
	{given: "Callum", family: "Fraser", dob: "1993-06-11", sex: "male", address: "Room 4, 30 Bath Road, Worcester WR5 3AB",
		keyworker: "Jo Pritchard", pharmacy: "pharmacy", shows: "first weekly Buvidal injection this week (induction from sublingual buprenorphine)",
		medicine: dosing.CodeBuvidalWeekly, startDose: 16, startedDaysAgo: 3, stage: regimes.StageInduction, injections: true},
	{given: "Ruth", family: "Adeyemi", dob: "1984-12-24", sex: "female", address: "17 Rainbow Hill, Worcester WR3 8NE",
		keyworker: "Sam Ellis", pharmacy: "pharmacy", shows: "started methadone yesterday (induction); next week's prescription, written too early, cancelled with its reason",
		risks: patients.RiskFlags{Benzodiazepines: true}, medicine: dosing.CodeMethadone, startDose: 20, startedDaysAgo: 1,
		stage: regimes.StageInduction, cancelled: "Written before the induction review: the dose for next week is decided at that review"},
}

// seedClinical adds the demo patients with weeks of history. Each patient
// is written in one transaction with its regimes and prescriptions; its
// dose history is then replayed a day at a time (each day one transaction)
// across all patients, as the day closes need. So a run interrupted
// part-way leaves patients whose history stops short, and the next run
// finds them by NHS number and carries on from each one's first past dose
// with no outcome: replaying is safe to repeat.
func seedClinical(ctx context.Context, db *store.DB, cfg config.Config, res Result, progress func(step string)) ([]PatientInfo, []string, error) {
	n := cfg.Policy
	today := calendar.DateOf(db.Now(), cfg.Timezone)
	prescriber := principalFor(res, "prescriber", res.ServiceID, auth.Prescriber)
	pharmacists := map[string]auth.Principal{
		"pharmacy":   principalFor(res, "pharmacist", res.PharmacyID, auth.Pharmacist),
		"pharmacy_2": principalFor(res, "pharmacist_2", res.Pharmacy2, auth.Pharmacist),
	}
	pharmacyIDs := map[string]string{"pharmacy": res.PharmacyID, "pharmacy_2": res.Pharmacy2}
	openings, err := ensureOpenings(ctx, db, n, pharmacists, pharmacyIDs, today)
	if err != nil {
		return nil, nil, err
	}
	var out []PatientInfo
	seeded := make([]seededPatient, len(demoPatients))
	for i, dp := range demoPatients {
		nhs := patients.TestNHSNumber(i)
		found, err := db.SearchPatients(ctx, prescriber, store.PatientSearch{NHSNumber: nhs, Limit: 1})
		if err != nil {
			return nil, nil, err
		}
		if len(found) > 0 {
			sp := seededPatient{spec: dp, patientID: found[0].ID, pharmacy: pharmacyIDs[dp.pharmacy]}
			if sp.replayFrom, err = unreplayedFrom(ctx, db, n, pharmacists[dp.pharmacy], sp, today); err != nil {
				return nil, nil, err
			}
			seeded[i] = sp
			out = append(out, PatientInfo{ID: found[0].ID, Name: found[0].Name(), Shows: dp.shows})
			continue
		}
		sp, err := startDemoPatient(ctx, db, n, prescriber, dp, nhs, pharmacyIDs[dp.pharmacy], openings[dp.pharmacy], res.PracticeID, today, cfg.Timezone)
		if err != nil {
			return nil, nil, fmt.Errorf("demo patient %s %s: %w", dp.given, dp.family, err)
		}
		sp.replayFrom = today.AddDays(-dp.startedDaysAgo)
		seeded[i] = sp
		out = append(out, PatientInfo{ID: sp.patientID, Name: dp.given + " " + dp.family, Shows: dp.shows})
		progress("patient")
	}
	if err := replayHistory(ctx, db, n, cfg.Timezone, pharmacists, pharmacyIDs, openings, seeded, today, progress); err != nil {
		return nil, nil, err
	}
	warnings, err := topUp(ctx, db, n, prescriber, seeded, today)
	if err != nil {
		return nil, nil, err
	}
	waiting, err := ensureWaitingReferral(ctx, db, prescriber, res, today)
	if err != nil {
		return nil, nil, err
	}
	return append(out, waiting), warnings, nil
}

// unreplayedFrom is the first past day on which a demo patient found from
// an earlier run has a dose with no outcome: its history stopped there (a
// run interrupted, or days passed since the demo was seeded). Zero when
// there is none.
func unreplayedFrom(ctx context.Context, db *store.DB, n policy.Numbers, pharmacist auth.Principal, sp seededPatient,
	today calendar.Date) (calendar.Date, error) {
	if sp.spec.injections {
		return calendar.Date{}, nil
	}
	// Its story was dated from the day it was seeded, which may be long
	// gone: look back over years, not over startedDaysAgo.
	hist, err := db.DoseHistory(ctx, pharmacist, n, sp.patientID, today.AddDays(-10*366), today.AddDays(-1), today)
	if err != nil {
		return calendar.Date{}, err
	}
	for _, in := range hist.Instalments {
		if in.Current == "" && suppliable(in) {
			return in.Date, nil
		}
	}
	return calendar.Date{}, nil
}

// suppliable: nothing is ever supplied from a cancelled prescription.
// (Whether one lapsed unsupplied, L3, is judged on the day replayed, by
// RecordDose, not as of today.)
func suppliable(in store.InstalmentHistory) bool {
	return in.PrescriptionStatus != store.StatusCancelled
}

// topUp keeps the demo alive: a demo patient on an instalment medicine
// whose prescriptions end before the coming week is out gets new ones,
// written today and starting today at the earliest, through the week
// ahead — as the prescriber would write them. Nothing already recorded
// is changed. The patient's treatment is read as it is now, not as the
// seed began it: one whose regime someone has ended gets none, nor one
// moved to Buvidal, which is injected, never dispensed (BV2); one moved
// from Buvidal to an oral medicine gets them, collected as its regime's
// pickup pattern and pharmacy say. A top-up the rules refuse (what a
// newcomer did to the patient since) is returned as a warning, and the
// demo starts without it.
func topUp(ctx context.Context, db *store.DB, n policy.Numbers, prescriber auth.Principal,
	seeded []seededPatient, today calendar.Date) ([]string, error) {
	horizon := today.AddDays(6)
	var warnings []string
	for _, sp := range seeded {
		if sp.patientID == "" {
			continue
		}
		regimes, err := db.Regimes(ctx, prescriber, sp.patientID)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(regimes, func(r store.Regime) bool { return r.Status == store.RegimeActive })
		if i < 0 {
			continue
		}
		active := regimes[i]
		if med, ok := dosing.LookupMedicine(active.Medicine); !ok || med.Injectable || active.PharmacyID == "" {
			continue
		}
		hist, err := db.DoseHistory(ctx, prescriber, n, sp.patientID, today.AddDays(-2*n.L6MaxDays), horizon.AddDays(2*n.L6MaxDays), today)
		if err != nil {
			return nil, err
		}
		covered := today.AddDays(-1)
		for _, in := range hist.Instalments {
			if in.PrescriptionStatus == store.StatusCancelled {
				continue
			}
			for _, d := range append([]calendar.Date{in.Date}, in.Covers...) {
				if d.After(covered) {
					covered = d
				}
			}
		}
		if !covered.Before(horizon) {
			continue
		}
		opening, err := db.PharmacyOpening(ctx, active.PharmacyID)
		if err != nil {
			return nil, err
		}
		collect := collection{opening: opening, pattern: active.Pattern}
		if collect.pattern.IsZero() {
			collect.pattern = collectionOf(sp.spec, opening).pattern
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			return prescribeThrough(tx, prescriber, n, sp.patientID, covered.AddDays(1), horizon, nil, collect, today)
		})
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if _, refused := problem.As(err); refused {
			warnings = append(warnings, fmt.Sprintf("demo patient %s %s: prescriptions not topped up: %v", sp.spec.given, sp.spec.family, err))
		} else if err != nil {
			return nil, fmt.Errorf("demo patient %s %s: top-up: %w", sp.spec.given, sp.spec.family, err)
		}
	}
	return warnings, nil
}

func collectionOf(dp demoPatient, op calendar.Opening) collection {
	pattern := dp.pattern
	if pattern.IsZero() {
		pattern = regimes.AllSupervised()
	}
	return collection{opening: op, pattern: pattern}
}

// ensureWaitingReferral adds a patient referred four days ago, assessed,
// and not yet started: the one the rapid access report lists as waiting.
func ensureWaitingReferral(ctx context.Context, db *store.DB, p auth.Principal, res Result, today calendar.Date) (PatientInfo, error) {
	const shows = "referred 4 days ago and assessed, waiting for a first dose (GET /v1/reports/rapid-access)"
	nhs := patients.TestNHSNumber(len(demoPatients))
	found, err := db.SearchPatients(ctx, p, store.PatientSearch{NHSNumber: nhs, Limit: 1})
	if err != nil || len(found) > 0 {
		if len(found) > 0 {
			return PatientInfo{ID: found[0].ID, Name: found[0].Name(), Shows: shows}, nil
		}
		return PatientInfo{}, err
	}
	pt := store.Patient{NHSNumber: nhs, GivenName: "Ciarán", FamilyName: "Mac Giolla Phádraig", DateOfBirth: calendar.MustParse("1995-03-17"),
		Sex: patients.Male, Address: "Room 12, St Paul's Hostel, Worcester WR1 2EX", Phone: "07700 900" + nhs[7:],
		GPPracticeID: &res.PracticeID, PharmacyID: &res.PharmacyID, Keyworker: "Jo Pritchard",
		RiskFlags:    patients.RiskFlags{RecentPrisonRelease: true, Injecting: true},
		ReferralDate: today.AddDays(-4), FirstContactDate: today.AddDays(-2), NaloxoneSuppliedOn: today.AddDays(-2),
		Needs: patients.Needs{Housing: patients.Need{Level: patients.HighNeed, Notes: "Hostel place after release"},
			CriminalJustice: patients.Need{Level: patients.SomeNeed, Notes: "On licence; probation aware of referral"}}}
	err = db.Write(ctx, func(tx *store.Tx) error { return tx.CreatePatient(p, &pt) })
	return PatientInfo{ID: pt.ID, Name: pt.Name(), Shows: shows}, err
}

// demoOpenings: Castle Street is a 100-hour pharmacy open every day of the
// year, so its day list always has patients due, whatever day someone tries
// the demo; Market Square keeps the usual closures (Sundays, bank holidays),
// so its prescriptions show doses supplied in advance (L7 wording 1).
var demoOpenings = map[string]calendar.Opening{
	"pharmacy":   {},
	"pharmacy_2": calendar.DefaultOpening(),
}

// ensureOpenings sets each demo pharmacy's opening days once.
func ensureOpenings(ctx context.Context, db *store.DB, n policy.Numbers, pharmacists map[string]auth.Principal, ids map[string]string,
	today calendar.Date) (map[string]calendar.Opening, error) {
	for key, want := range demoOpenings {
		have, err := db.PharmacyOpening(ctx, ids[key])
		if err != nil {
			return nil, err
		}
		if openOnSameDays(have, want) {
			continue
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.SetPharmacyOpening(pharmacists[key], n, ids[key], want, today)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return demoOpenings, nil
}

func openOnSameDays(a, b calendar.Opening) bool {
	return slices.Equal(a.ClosedWeekdays, b.ClosedWeekdays) && slices.Equal(a.ClosedDates, b.ClosedDates) &&
		slices.Equal(a.OpenDates, b.OpenDates) && a.BankHolidaysClosed == b.BankHolidaysClosed
}

type seededPatient struct {
	spec      demoPatient
	patientID string
	pharmacy  string
	// replayFrom is the first day whose doses replayHistory records; zero
	// when the patient's history is complete.
	replayFrom calendar.Date
}

func principalFor(res Result, key, orgID string, role auth.Role) auth.Principal {
	for _, u := range res.Users {
		if u.Key == key {
			return auth.Principal{UserID: u.ID, Name: u.Name, Role: role, OrgID: orgID}
		}
	}
	return auth.Principal{}
}

// startDemoPatient registers the patient, starts the regime in the past,
// titrates it, writes prescriptions up to a week ahead, and records
// screens, injections and reviews. The regime's entries (its start, dose
// changes and end) are recorded on the days they tell of, as a prescriber
// would have recorded them: MD3 reads a dose entry recorded after a run of
// missed days became known as the prescriber's answer to it, so entries
// all stamped with the seeding time would answer Kerry Walsh's missed days
// before anyone has seen her.
func startDemoPatient(ctx context.Context, db *store.DB, n policy.Numbers, p auth.Principal, dp demoPatient,
	nhs, pharmacyID string, op calendar.Opening, practiceID string, today calendar.Date, zone *time.Location) (seededPatient, error) {
	sp := seededPatient{spec: dp, pharmacy: pharmacyID}
	start := today.AddDays(-dp.startedDaysAgo)
	// Referred before the first regime: weekly Buvidal comes before a
	// monthly one.
	firstStart := start.AddDays(-7 * dp.previousWeekly)
	if zone == nil {
		zone = time.UTC
	}
	clock := &storyClock{real: db.Now, zone: zone}
	err := db.WithClock(clock.now).Write(ctx, func(tx *store.Tx) error {
		pt := store.Patient{NHSNumber: nhs, GivenName: dp.given, FamilyName: dp.family, DateOfBirth: calendar.MustParse(dp.dob),
			Sex: patients.Sex(dp.sex), Address: dp.address, Phone: "07700 900" + nhs[7:], GPPracticeID: &practiceID, PharmacyID: &pharmacyID,
			Keyworker: dp.keyworker, RiskFlags: dp.risks, NaloxoneSuppliedOn: start.AddDays(1),
			ReferralDate: firstStart.AddDays(-3), FirstContactDate: firstStart.AddDays(-2),
			Needs: patients.Needs{Housing: patients.Need{Level: patients.SomeNeed, Notes: "Supported housing, tenancy review due"},
				MentalHealth:    patients.Need{Level: patients.SomeNeed, Notes: "Low mood; GP aware"},
				BloodBorneVirus: patients.BloodBorneVirus{HepatitisBVaccination: "complete", HepatitisC: "negative", HIV: "negative", LastTested: start}}}
		if err := tx.CreatePatient(p, &pt); err != nil {
			return err
		}
		sp.patientID = pt.ID
		med, _ := dosing.LookupMedicine(dp.medicine)
		collect := collectionOf(dp, op)
		pattern := collect.pattern
		all := overrideEverything()
		if dp.previousWeekly > 0 {
			weekly, _ := dosing.LookupMedicine(dosing.CodeBuvidalWeekly)
			wstart := start.AddDays(-7 * dp.previousWeekly)
			var w store.Regime
			err := clock.on(wstart, func() (err error) {
				w, _, err = tx.StartRegime(p, n, store.StartRegime{PatientID: pt.ID, Medicine: weekly, Dose: dosing.Mg(24), StartDate: wstart,
					Stage: regimes.StageMaintenance, Pattern: regimes.AllSupervised(), PharmacyID: pharmacyID, Overrides: all,
					PreviousMedicine: lookup(dosing.CodeBuprenorphineSL), PreviousDose: dosing.Mg(14)})
				return err
			})
			if err != nil {
				return err
			}
			if err := injections(tx, p, n, w.ID, weekly, dosing.Mg(24), wstart, start.AddDays(-1)); err != nil {
				return err
			}
			if err := clock.on(start, func() error {
				_, err := tx.EndRegime(p, n, w.ID, start, start, "Stable on weekly Buvidal: moving to monthly (BV5)")
				return err
			}); err != nil {
				return err
			}
		}
		var prevMed *dosing.Medicine
		if med.Class == dosing.ClassBuvidal && dp.previousWeekly == 0 {
			prevMed = lookup(dosing.CodeBuprenorphineSL)
		}
		var r store.Regime
		err := clock.on(start, func() (err error) {
			r, _, err = tx.StartRegime(p, n, store.StartRegime{PatientID: pt.ID, Medicine: med, Dose: dosing.Mg(dp.startDose), StartDate: start,
				Stage: startStage(dp), Pattern: pattern, PharmacyID: pharmacyID, SupervisionRelaxedReason: dp.relaxed,
				PreviousMedicine: prevMed, PreviousDose: dosing.Mg(16), Overrides: all, ECGDate: start})
			return err
		})
		if err != nil {
			return err
		}
		for i, s := range dp.steps {
			day := stepDate(start, s, collect)
			stage := regimes.StageTitration
			if i == len(dp.steps)-1 {
				stage = dp.stage
			}
			if err := clock.on(day, func() error {
				_, err := tx.ChangeDose(p, n, r.ID, store.ChangeDose{To: dosing.Mg(s.dose), Effective: day,
					Reason: "Titrated to effect after review", Stage: stage, Overrides: all}, day)
				return err
			}); err != nil {
				return err
			}
		}
		if dp.injections {
			if err := injections(tx, p, n, r.ID, med, dosing.Mg(dp.startDose), start, today); err != nil {
				return err
			}
		} else {
			if err := prescribeThrough(tx, p, n, pt.ID, start, today.AddDays(6), dp.steps, collect, calendar.Date{}); err != nil {
				return err
			}
			if dp.cancelled != "" {
				// Written today for the week after the live ones, and
				// cancelled today: none of its days has come, so it never
				// stands beside a live prescription on the pharmacy's list.
				if err := issueAndCancel(tx, p, n, pt.ID, today, collect.first(today.AddDays(7)), dp.cancelled); err != nil {
					return err
				}
			}
			if dp.draftNext {
				if _, err := tx.CreatePrescription(p, n, store.NewPrescription{PatientID: pt.ID, PrescribedOn: today,
					StartDate: collect.first(today.AddDays(7)), Days: n.L6MaxDays, Wording: []int{1, 3, 4}}, today); err != nil {
					return fmt.Errorf("draft prescription: %w", err)
				}
			}
		}
		for d := start.AddDays(6); d.Before(today); d = d.AddDays(28) {
			ds := store.DrugScreen{PatientID: pt.ID, Date: d, SampleType: "urine", Witnessed: true, Results: screenResults(dp, d, today),
				// The service tests for the synthetic opioids behind recent deaths.
				OtherSubstances: []store.OtherSubstance{{Name: "fentanyl", Result: store.ResultNegative},
					{Name: "nitazenes", Result: store.ResultNegative}}}
			if err := tx.RecordDrugScreen(p, &ds); err != nil {
				return err
			}
		}
		if dp.startedDaysAgo > 60 {
			rv := store.Review{PatientID: pt.ID, Date: today.AddDays(-20), Kind: "regime", Notes: "Quarterly review: stable, engaging with keyworker"}
			if err := tx.RecordReview(p, n, today, &rv); err != nil {
				return err
			}
		}
		return nil
	})
	return sp, err
}

// storyClock is the store's clock while a demo patient is written: the
// real one, except during a step run by on.
type storyClock struct {
	real func() time.Time
	zone *time.Location
	at   time.Time // zero: the real clock
}

func (c *storyClock) now() time.Time {
	if c.at.IsZero() {
		return c.real()
	}
	return c.at
}

// on runs step as recorded at nine in the morning of day (never later than
// now), the day a prescriber recording it would have.
func (c *storyClock) on(day calendar.Date, step func() error) error {
	c.at = day.Start(c.zone).Add(9 * time.Hour)
	if now := c.real(); now.Before(c.at) {
		c.at = now
	}
	defer func() { c.at = time.Time{} }()
	return step()
}

func startStage(dp demoPatient) regimes.Stage {
	if len(dp.steps) == 0 {
		return dp.stage
	}
	return regimes.StageInduction
}

func lookup(code string) *dosing.Medicine {
	m, _ := dosing.LookupMedicine(code)
	return &m
}

// overrideEverything records, for history that happened before Dosebook,
// that the prescriber accepted every rule that allows an override.
func overrideEverything() []policy.OverrideReason {
	var out []policy.OverrideReason
	for _, r := range policy.Table(policy.Defaults()) {
		out = append(out, policy.OverrideReason{Rule: r.ID, Reason: "Demo history imported from paper records"})
	}
	return out
}

func screenResults(dp demoPatient, d, today calendar.Date) map[string]string {
	res := map[string]string{}
	for _, s := range store.Screenable {
		res[s] = store.ResultNegative
	}
	med, _ := dosing.LookupMedicine(dp.medicine)
	if med.Class == dosing.ClassMethadone {
		res["methadone"] = store.ResultPositive
	} else {
		res["buprenorphine"] = store.ResultPositive
	}
	if today.DaysUntil(d) < -100 || dp.missLast > 0 {
		res["opiates"] = store.ResultPositive // early screens, and the patient now struggling
	}
	return res
}

// injections records Buvidal doses of the prescribed dose on schedule with
// rotating sites.
func injections(tx *store.Tx, p auth.Principal, n policy.Numbers, regimeID string, med dosing.Medicine, dose dosing.Micrograms, from, to calendar.Date) error {
	sites := regimes.Sites()
	interval := 7
	if med.Interval == dosing.IntervalMonthly {
		interval = 28
	}
	for i, d := 0, from; !d.After(to); i, d = i+1, d.AddDays(interval) {
		if _, _, err := tx.RecordAdministration(p, n, regimeID, store.NewAdministration{Date: d, Dose: dose, Site: sites[i%len(sites)],
			Batch: fmt.Sprintf("BUV%04d", 1200+i), BatchExpiry: d.AddDays(400), AdministeredBy: "Nurse Helen Cole",
			Overrides: overrideEverything()}); err != nil {
			return err
		}
	}
	return nil
}

// issueAndCancel issues a prescription and cancels it at once, as happens
// when one is made out wrongly: the record keeps both, with the reason.
func issueAndCancel(tx *store.Tx, p auth.Principal, n policy.Numbers, patientID string, today, start calendar.Date, reason string) error {
	pr, err := tx.CreatePrescription(p, n, store.NewPrescription{PatientID: patientID, PrescribedOn: today,
		StartDate: start, Days: 7, Wording: []int{1, 3, 4}, Issue: true}, today)
	if err != nil {
		return fmt.Errorf("prescription to cancel: %w", err)
	}
	_, err = tx.CancelPrescription(p, n, pr.ID, reason, today)
	return err
}

// collection says on which days a patient can collect: the pharmacy is
// open and the pickup pattern does not supply that day's dose earlier. A
// prescription or a dose change starts on such a day.
type collection struct {
	opening calendar.Opening
	pattern regimes.WeeklyPattern
}

func (c collection) on(d calendar.Date) bool {
	return c.opening.IsOpen(d) && c.pattern[d.Weekday()] != regimes.PickupEarlier
}

// first is d or the next collection day.
func (c collection) first(d calendar.Date) calendar.Date {
	for !c.on(d) {
		d = d.AddDays(1)
	}
	return d
}

// prescribeThrough issues consecutive prescriptions from start to end, each
// at most 14 days, split where the dose changes, starting on collection days.
// Each is written on writtenOn, or (zero) two days before it starts, as the
// history imported from paper was.
func prescribeThrough(tx *store.Tx, p auth.Principal, n policy.Numbers, patientID string, start, end calendar.Date, steps []step, c collection,
	writtenOn calendar.Date) error {
	closedDay := func(d calendar.Date) bool { return !c.on(d) }
	changes := map[calendar.Date]bool{}
	for _, s := range steps {
		changes[stepDate(start, s, c)] = true
	}
	from := c.first(start) // treatment starts on the first collection day
	for !from.After(end) {
		days := 1
		for days < n.L6MaxDays && !from.AddDays(days).After(end) && !changes[from.AddDays(days)] {
			days++
		}
		// The next prescription must start on a day the pharmacy opens.
		for next := from.AddDays(days); !next.After(end) && closedDay(next) && days < n.L6MaxDays && !changes[next]; next = from.AddDays(days) {
			days++
		}
		for next := from.AddDays(days); days > 1 && !next.After(end) && closedDay(next); next = from.AddDays(days) {
			days--
		}
		written := writtenOn
		if written.IsZero() {
			written = from.AddDays(-2)
		}
		if _, err := tx.CreatePrescription(p, n, store.NewPrescription{PatientID: patientID, PrescribedOn: written,
			StartDate: from, Days: days, Wording: []int{1, 3, 4}, Issue: true}, written); err != nil {
			return fmt.Errorf("prescription from %s for %d days: %w", from, days, err)
		}
		from = from.AddDays(days)
	}
	return nil
}

// stepDate puts a titration on an open day, so each prescription can
// start with a collection.
func stepDate(start calendar.Date, s step, c collection) calendar.Date {
	return c.first(start.AddDays(s.day))
}

// missedSince is the first of the last n open days before today, so that a
// patient who "missed the last n days" has n collections missed whatever
// the weekday (a Saturday collection also carries Sunday).
func missedSince(today calendar.Date, n int, op calendar.Opening) calendar.Date {
	d := today
	for n > 0 {
		d = d.AddDays(-1)
		if op.IsOpen(d) {
			n--
		}
	}
	return d
}

// replayHistory records what happened at the pharmacies day by day, then
// closes each day so that missed doses are marked as they would have been.
// Each day is one transaction, and a dose already recorded is left as it
// is, so a replay cut short is finished by running it again.
func replayHistory(ctx context.Context, db *store.DB, n policy.Numbers, zone *time.Location, pharmacists map[string]auth.Principal,
	pharmacyIDs map[string]string, openings map[string]calendar.Opening, seeded []seededPatient, today calendar.Date,
	progress func(step string)) error {
	if zone == nil {
		zone = time.UTC
	}
	var first calendar.Date
	for _, sp := range seeded {
		if sp.patientID == "" || sp.replayFrom.IsZero() {
			continue
		}
		if first.IsZero() || sp.replayFrom.Before(first) {
			first = sp.replayFrom
		}
	}
	if first.IsZero() {
		return nil
	}
	for day := first; day.Before(today); day = day.AddDays(1) {
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, sp := range seeded {
				if sp.patientID == "" || sp.spec.injections || sp.replayFrom.IsZero() || day.Before(sp.replayFrom) {
					continue
				}
				p := pharmacists[sp.spec.pharmacy]
				hist, err := db.DoseHistory(ctx, p, n, sp.patientID, day, day, today)
				if err != nil {
					return err
				}
				for _, in := range hist.Instalments {
					// The history lists an earlier instalment carrying the
					// day too (Saturday's, on Sunday): it was the earlier
					// day's to record.
					if !in.Date.Equal(day) || in.Current != "" || !suppliable(in) || skipDose(sp.spec, i, day, today, openings[sp.spec.pharmacy]) {
						continue
					}
					outcome := dispensing.Collected
					if in.Supervised > 0 {
						outcome = dispensing.Supervised
					}
					// Between nine and five on the day where the service is
					// (in Auckland, the small hours UTC), never ahead of now.
					at := day.Start(zone).Add(time.Duration(9+i%8) * time.Hour)
					if now := db.Now(); at.After(now) {
						at = now
					}
					_, _, err := tx.RecordDose(p, n, in.ID, store.NewDoseEvent{Outcome: outcome, IdentityConfirmed: true,
						OccurredAt: at, Zone: zone}, day)
					if err != nil && problem.CodeOf(err) != problem.Conflict && !blockedByMD1(err) {
						return fmt.Errorf("%s on %s: %w", sp.spec.given, day, err)
					}
				}
			}
			for _, id := range pharmacyIDs {
				if _, err := tx.CloseDay(n, zone, id, day); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		progress("day")
	}
	return nil
}

// blockedByMD1: the patient the demo leaves blocked after missed doses,
// replayed on days after the seed, is turned away until a prescriber
// reviews them; the day close marks the dose missed.
func blockedByMD1(err error) bool {
	pe, ok := problem.As(err)
	return ok && pe.Code == problem.RuleBlocked &&
		slices.ContainsFunc(pe.Findings, func(f policy.Finding) bool { return f.Rule == "MD1" })
}

func skipDose(dp demoPatient, i int, day, today calendar.Date, op calendar.Opening) bool {
	if dp.missLast > 0 && !day.Before(missedSince(today, dp.missLast, op)) {
		return true
	}
	return dp.missEvery > 0 && (day.DaysUntil(today)+i)%dp.missEvery == 0
}
