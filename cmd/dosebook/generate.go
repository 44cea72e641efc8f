package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
)

// genOptions are the generate command's flags.
type genOptions struct {
	patients   int
	days       int
	pharmacies int
	seed       uint64
	batch      int // patients per transaction
	loaders    int // concurrent bulk loaders (PostgreSQL)
	checkFKs   bool
}

// genResult is what generate prints on stdout: ids, tokens and counts.
type genResult struct {
	RunID       string            `json:"run_id"`
	ServiceID   string            `json:"service_id"`
	Today       calendar.Date     `json:"today"`
	From        calendar.Date     `json:"from"`
	Tokens      map[string]string `json:"tokens"`
	Pharmacists []genPharmacist   `json:"pharmacists"`
	Rows        map[string]int64  `json:"rows"`
	Seconds     float64           `json:"seconds"`
	RowsPerSec  float64           `json:"rows_per_second"`
	Options     map[string]any    `json:"options"`
}

type genPharmacist struct {
	PharmacyID string `json:"pharmacy_id"`
	UserID     string `json:"user_id"`
	Token      string `json:"token"`
}

func cmdGenerate(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	var o genOptions
	var seed int64
	return openDBAfter(ctx, "generate", true, args, env, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&o.patients, "patients", 1000, "number of patients")
		fs.IntVar(&o.days, "days", 90, "days of history ending yesterday (prescriptions run on past today)")
		fs.IntVar(&o.pharmacies, "pharmacies", 0, "number of pharmacies (default: one per 100 patients, at least 1)")
		fs.Int64Var(&seed, "seed", 1, "random seed (same seed, same shape of data; ids are fresh UUIDv7s)")
		fs.IntVar(&o.batch, "batch", 0, "patients per transaction (default: sized to about 50,000 rows)")
		fs.IntVar(&o.loaders, "loaders", 2, "concurrent COPY connections on PostgreSQL")
		fs.BoolVar(&o.checkFKs, "check-fks", false, "keep PostgreSQL's foreign-key checks on while loading (about 2× slower; off needs a superuser)")
	}, func(config.Config) error {
		// Checked before the database is opened, so that a bad size
		// neither creates nor migrates one.
		o.seed = uint64(seed)
		if o.pharmacies == 0 {
			o.pharmacies = max(1, o.patients/100)
		}
		if err := o.validate(); err != nil {
			return &exitError{2, err}
		}
		return nil
	}, func(a app) error {
		res, err := generate(ctx, a.db, a.cfg, o, stderr)
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return nil
	})
}

func (o genOptions) validate() error {
	switch {
	case o.patients < 1 || o.patients > maxTestNHSNumbers:
		return fmt.Errorf("--patients must be 1–%d (the 999 test range of NHS numbers)", maxTestNHSNumbers)
	case o.days < 1 || o.days > 5000:
		return errors.New("--days must be 1–5000")
	case o.pharmacies < 1 || o.pharmacies > 10000:
		return errors.New("--pharmacies must be 1–10000")
	case o.batch < 0 || o.loaders < 1 || o.loaders > 8:
		return errors.New("--batch must be ≥ 0 and --loaders 1–8")
	}
	return nil
}

// maxTestNHSNumbers is how many valid numbers the 999 range holds that
// nhsNumbers hands out (about 10 in 11 of a million bases).
const maxTestNHSNumbers = 900000

// nhsNumbers yields distinct valid NHS numbers in the 999 test range (ID1)
// in O(1) each: it walks the bases from an offset, skipping the one base
// in eleven whose check digit would be 10. patients.TestNHSNumber restarts
// its count from zero on every call, far too slow for a million patients;
// the offset keeps clear of the demo's first numbers.
type nhsNumbers struct{ base int }

func (g *nhsNumbers) next() string {
	for {
		b := g.base
		g.base = (g.base + 1) % 1000000
		nine := fmt.Sprintf("999%06d", b)
		sum := 0
		for i := 0; i < 9; i++ {
			sum += int(nine[i]-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 10 {
			continue
		}
		if check == 11 {
			check = 0
		}
		return nine + strconv.Itoa(check)
	}
}

// genWorld is the fixed part of a generated service.
type genWorld struct {
	o           genOptions
	tz          *time.Location
	today, from calendar.Date
	serviceID   uuid.UUID
	serviceName string
	prescriber  uuid.UUID
	pharmacies  []uuid.UUID
	pharmacists []uuid.UUID
	runID       string
	opening     calendar.Opening
}

// generate builds the service: people through the ordinary store (so
// tokens and their audit rows are real), clinical history through bulk loads.
func generate(ctx context.Context, db *store.DB, cfg config.Config, o genOptions, progress io.Writer) (genResult, error) {
	started := time.Now()
	today := calendar.DateOf(db.Now(), cfg.Timezone)
	w := &genWorld{o: o, tz: cfg.Timezone, today: today, from: today.AddDays(-o.days), opening: calendar.DefaultOpening(),
		runID: "g" + strings.ReplaceAll(db.Now().Format("20060102T150405.000"), ".", "")}
	res := genResult{RunID: w.runID, Today: today, From: w.from, Tokens: map[string]string{}, Rows: map[string]int64{},
		Options: map[string]any{"patients": o.patients, "days": o.days, "pharmacies": o.pharmacies, "seed": o.seed}}
	if err := w.people(ctx, db, cfg, &res); err != nil {
		return res, err
	}
	fmt.Fprintf(progress, "generate %s: service and %d pharmacies created; generating %d patients over %d days (%s to %s)\n",
		w.runID, o.pharmacies, o.patients, o.days, w.from, today)
	batch := o.batch
	if batch == 0 {
		// About 50,000 instalment and dose rows per transaction.
		batch = max(1, min(1000, 50000/(2*o.days+14)))
	}
	loaders := 1
	if db.Dialect() == store.Postgres {
		loaders = o.loaders
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan genBatch, loaders)
	var mu sync.Mutex
	var firstErr error
	var done, rowsDone int64
	closes := map[uuid.UUID]map[calendar.Date]int{}
	var wg sync.WaitGroup
	lastReport := time.Now()
	for range loaders {
		l, err := db.NewBulkLoader(ctx, store.BulkOptions{TrustRows: !o.checkFKs})
		if err != nil {
			return res, err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer l.Close()
			for b := range batches {
				err := l.Load(ctx, b.tables, store.BulkAudit{Action: "generate.batch", EntityType: "generator", EntityID: w.runID,
					Changes: map[string]any{"run_id": w.runID, "patients": b.patients, "rows": b.counts()}})
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("bulk load: %w", err)
					cancel()
				}
				if err == nil {
					done += int64(b.patients)
					for t, n := range b.counts() {
						res.Rows[t] += int64(n)
						rowsDone += int64(n)
					}
					if time.Since(lastReport) > 5*time.Second {
						lastReport = time.Now()
						el := time.Since(started).Seconds()
						fmt.Fprintf(progress, "  %d/%d patients, %d rows, %.0f s, %.0f rows/s\n", done, o.patients, rowsDone, el, float64(rowsDone)/el)
					}
				}
				mu.Unlock()
			}
		}()
	}
	rng := rand.New(rand.NewPCG(o.seed, 0x5eed))
	nhs := &nhsNumbers{base: 10000 + int(o.seed%50000)}
	var serial int64
produce:
	for start := 0; start < o.patients; start += batch {
		b := genBatch{}
		for i := start; i < min(start+batch, o.patients); i++ {
			w.patient(rng, &b, i, nhs.next(), &serial)
		}
		for ph, days := range b.missedPerDay {
			if closes[ph] == nil {
				closes[ph] = map[calendar.Date]int{}
			}
			for d, n := range days {
				closes[ph][d] += n
			}
		}
		select {
		case batches <- b:
		case <-ctx.Done():
			break produce
		}
	}
	close(batches)
	wg.Wait()
	if firstErr != nil {
		return res, firstErr
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	// Day closes for every past day at every pharmacy, and the serial
	// counter so that the next prescription continues the numbering.
	last := genBatch{}
	for _, ph := range w.pharmacies {
		for d := w.from; d.Before(today); d = d.AddDays(1) {
			if !w.opening.IsOpen(d) {
				continue
			}
			at := d.Start(w.tz).Add(23 * time.Hour).UTC()
			last.add("day_closes", dayCloseCols, ph, d, at, closes[ph][d])
		}
	}
	last.tables = append(last.tables, store.SetSerialCounterRows(w.serviceID, serial))
	l, err := db.NewBulkLoader(ctx, store.BulkOptions{TrustRows: !o.checkFKs})
	if err != nil {
		return res, err
	}
	defer l.Close()
	if err := l.Load(ctx, last.tables, store.BulkAudit{Action: "generate.finish", EntityType: "generator", EntityID: w.runID,
		Changes: map[string]any{"run_id": w.runID, "rows": last.counts()}}); err != nil {
		return res, fmt.Errorf("bulk load: %w", err)
	}
	for t, n := range last.counts() {
		res.Rows[t] += int64(n)
	}
	res.Seconds = time.Since(started).Seconds()
	var total int64
	for _, n := range res.Rows {
		total += n
	}
	res.RowsPerSec = float64(total) / res.Seconds
	fmt.Fprintf(progress, "generate %s: done in %.1f s: %d rows (%.0f rows/s); dose_events %d, instalments %d\n",
		w.runID, res.Seconds, total, res.RowsPerSec, res.Rows["dose_events"], res.Rows["instalments"])
	return res, nil
}

// people creates the service, pharmacies and users with tokens through the
// store, each in the audit trail as usual.
func (w *genWorld) people(ctx context.Context, db *store.DB, cfg config.Config, res *genResult) error {
	return db.Write(ctx, func(tx *store.Tx) error {
		svc := store.Organisation{Kind: auth.TreatmentService, Name: "Synthetic Drug Service " + w.runID,
			Address: "1 Generator Way, Worcester WR1 1AA", Phone: "01905 555 000"}
		if err := tx.CreateOrganisation(&svc); err != nil {
			return err
		}
		w.serviceName = svc.Name
		w.serviceID = uuid.MustParse(svc.ID)
		res.ServiceID = svc.ID
		pr := store.User{OrganisationID: svc.ID, Role: auth.Prescriber, Name: "Dr Zoë Łukasz-Nguyễn", Registration: "GMC 7000001"}
		if err := tx.CreateUser(&pr); err != nil {
			return err
		}
		w.prescriber = uuid.MustParse(pr.ID)
		tok, _, err := tx.IssueToken(pr.ID, "generate", cfg.TokenTTL)
		if err != nil {
			return err
		}
		res.Tokens["prescriber"] = tok
		for i := range w.o.pharmacies {
			ph := store.Organisation{Kind: auth.Pharmacy, Name: generatedPharmacyName(i+1, w.runID),
				Address: fmt.Sprintf("%d High Street, Worcester WR1 2AB", i+1), Phone: "01905 555 100"}
			if err := tx.CreateOrganisation(&ph); err != nil {
				return err
			}
			u := store.User{OrganisationID: ph.ID, Role: auth.Pharmacist, Name: generatedPharmacistName(i + 1),
				Registration: fmt.Sprintf("GPhC 20%05d", i+1)}
			if err := tx.CreateUser(&u); err != nil {
				return err
			}
			tok, _, err := tx.IssueToken(u.ID, "generate", cfg.TokenTTL)
			if err != nil {
				return err
			}
			w.pharmacies = append(w.pharmacies, uuid.MustParse(ph.ID))
			w.pharmacists = append(w.pharmacists, uuid.MustParse(u.ID))
			res.Pharmacists = append(res.Pharmacists, genPharmacist{PharmacyID: ph.ID, UserID: u.ID, Token: tok})
			if i == 0 {
				res.Tokens["pharmacist"] = tok
			}
		}
		return nil
	})
}

// genBatch is the rows of a group of patients, loaded in one transaction.
type genBatch struct {
	patients     int
	tables       []store.BulkRows
	index        map[string]int
	missedPerDay map[uuid.UUID]map[calendar.Date]int
}

func (b *genBatch) add(table string, cols []string, row ...any) {
	if b.index == nil {
		b.index = map[string]int{}
	}
	i, ok := b.index[table]
	if !ok {
		i = len(b.tables)
		b.index[table] = i
		b.tables = append(b.tables, store.BulkRows{Table: table, Columns: cols})
	}
	b.tables[i].Rows = append(b.tables[i].Rows, row)
}

func (b *genBatch) counts() map[string]int {
	out := map[string]int{}
	for _, t := range b.tables {
		out[t.Table] = len(t.Rows)
	}
	return out
}

// Columns of each generated table, in schema order (00002_clinical.sql), then
// the NOT NULL columns later migrations add (00008: dose_periods).
var (
	patientCols = []string{"id", "service_id", "nhs_number", "given_name", "family_name", "search_name", "date_of_birth", "sex",
		"address", "phone", "gp_practice_id", "pharmacy_id", "keyworker", "risk_flags", "needs", "naloxone_supplied_on",
		"referral_date", "first_contact_date", "first_dose_date", "created_at", "updated_at"}
	regimeCols = []string{"id", "patient_id", "service_id", "medicine", "stage", "status", "pattern", "supervision_relaxed_reason",
		"pharmacy_id", "start_date", "ecg_date", "created_by", "created_at", "ended_on", "end_reason", "ended_by"}
	doseChangeCols = []string{"id", "regime_id", "from_ug", "to_ug", "effective_date", "reason", "stage", "prescriber_id",
		"created_at", "warnings"}
	administrationCols = []string{"id", "regime_id", "date", "dose_ug", "extra", "site", "batch", "batch_expiry",
		"administered_by", "recorded_by", "created_at", "warnings"}
	screenCols       = []string{"id", "patient_id", "date", "sample_type", "witnessed", "results", "notes", "recorded_by", "created_at"}
	prescriptionCols = []string{"id", "service_id", "serial", "patient_id", "regime_id", "pharmacy_id", "prescriber_id", "medicine",
		"daily_dose_ug", "pattern", "prescribed_on", "start_date", "days", "end_date", "total_ug", "wording", "status",
		"replaces_id", "issued_at", "cancelled_at", "cancelled_by", "cancel_reason", "printed_count", "created_at", "dose_periods"}
	instalmentCols = []string{"id", "prescription_id", "patient_id", "pharmacy_id", "date", "covers", "dose_days",
		"supervised_ug", "take_home_ug"}
	doseEventCols = []string{"id", "instalment_id", "patient_id", "pharmacy_id", "date", "outcome", "reason",
		"identity_confirmed", "occurred_at", "notes", "recorded_by", "corrects_id", "correction_reason", "created_at"}
	reviewCols   = []string{"id", "patient_id", "prescriber_id", "reviewed_at", "date", "kind", "notes", "ecg_date"}
	dayCloseCols = []string{"pharmacy_id", "date", "closed_at", "missed"}
)

var (
	givenNames  = []string{"Zoë", "Daniel", "Kerry", "Marcus", "Priya", "Aled", "Fatima", "Tom", "Sean", "Siobhán", "Chidi", "Agnieszka", "Lee", "Amira", "Rhys", "Bethany", "José", "Mehmet", "Nguyễn", "Gráinne"}
	familyNames = []string{"Łukasz-Nguyễn", "O'Brien", "Walsh", "Reid", "Shah", "Jones", "Hussain", "Baker", "Murphy", "Okafor", "Kowalski", "Evans", "Begum", "Price", "Müller", "Davies", "Ó Súilleabháin", "Patel", "Hughes", "Thompson"}
	streets     = []string{"Canal Row", "Tallow Hill", "Vine Street", "Orchard Close", "Lowesmoor Terrace", "Sansome Walk", "Friar Street"}
)

// genRegimeKind is a medicine with its dosing story.
type genRegimeKind struct {
	code          string
	weight        int
	start, target int64 // mg
	step          int64
}

var regimeKinds = []genRegimeKind{
	{dosing.CodeMethadone, 55, 20, 60, 10},
	{dosing.CodeBuprenorphineSL, 18, 4, 12, 4},
	{dosing.CodeBuprenorphineNalSL, 10, 4, 16, 4},
	{dosing.CodeEspranor, 7, 2, 10, 2},
	{dosing.CodeBuvidalWeekly, 5, 16, 24, 8},
	{dosing.CodeBuvidalMonthly, 5, 96, 128, 32},
}

func pickKind(rng *rand.Rand) genRegimeKind {
	total := 0
	for _, k := range regimeKinds {
		total += k.weight
	}
	r := rng.IntN(total)
	for _, k := range regimeKinds {
		if r < k.weight {
			return k
		}
		r -= k.weight
	}
	return regimeKinds[0]
}

// Dose-event rates: about 88 % taken, 8 % missed (day close), 3 % withheld,
// 1 % refused; a few missed records are later corrected.
const (
	rateTaken      = 0.88
	rateMissed     = 0.08
	rateWithheld   = 0.03
	rateCorrection = 0.02 // of missed days: recorded late as a correction
)

func newUUID() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// patient generates one patient's whole record into b.
func (w *genWorld) patient(rng *rand.Rand, b *genBatch, i int, nhs string, serial *int64) {
	b.patients++
	if b.missedPerDay == nil {
		b.missedPerDay = map[uuid.UUID]map[calendar.Date]int{}
	}
	phIdx := i % len(w.pharmacies)
	ph, pharmacist := w.pharmacies[phIdx], w.pharmacists[phIdx]
	kind := pickKind(rng)
	med, _ := dosing.LookupMedicine(kind.code)
	// 75 % were in treatment before the window opened; the rest started
	// inside it, the most recent ones still in induction or titration.
	var start calendar.Date
	if rng.Float64() < 0.75 {
		start = w.from.AddDays(-1 - rng.IntN(700))
	} else {
		start = w.from.AddDays(rng.IntN(w.o.days + 1))
	}
	start = w.openOnOrAfter(start)
	pid := newUUID()
	given, family := givenNames[rng.IntN(len(givenNames))], familyNames[rng.IntN(len(familyNames))]
	dob := calendar.NewDate(1960+rng.IntN(40), time.Month(1+rng.IntN(12)), 1+rng.IntN(28))
	sex := "female"
	if rng.IntN(2) == 0 {
		sex = "male"
	}
	created := start.AddDays(-3).Start(w.tz).Add(10 * time.Hour).UTC()
	risks, _ := json.Marshal(map[string]bool{"benzodiazepines": rng.IntN(8) == 0, "alcohol": rng.IntN(5) == 0,
		"cardiac_qtc": rng.IntN(20) == 0, "children_in_household": rng.IntN(4) == 0, "recent_overdose": rng.IntN(15) == 0,
		"recent_prison_release": rng.IntN(20) == 0, "injecting": rng.IntN(3) == 0})
	needs := `{"housing":{"level":"some","notes":"Supported housing"},"mental_health":{"level":"","notes":""},"physical_health":{"level":"","notes":""},"employment_education":{"level":"","notes":""},"family":{"level":"","notes":""},"criminal_justice":{"level":"","notes":""},"blood_borne_virus":{"hepatitis_b_vaccination":"complete","hepatitis_c":"negative","hiv":"negative","last_tested":null}}`
	b.add("patients", patientCols, pid, w.serviceID, nhs, given, family, patients.SearchName(given, family), dob, sex,
		fmt.Sprintf("%d %s — Worcester WR1 3EE", 1+rng.IntN(120), streets[rng.IntN(len(streets))]), "07700 900"+nhs[7:],
		(*uuid.UUID)(nil), ph, "Jo Pritchard", string(risks), needs, start.AddDays(1), start.AddDays(-3), start.AddDays(-2), start,
		created, created)

	// A few patients came back after an earlier episode of treatment.
	if rng.IntN(25) == 0 {
		rid := newUUID()
		prevStart := start.AddDays(-400 - rng.IntN(300))
		ended := start.AddDays(-60 - rng.IntN(200))
		b.add("regimes", regimeCols, rid, pid, w.serviceID, dosing.CodeMethadone, string(regimes.StageMaintenance), store.RegimeEnded,
			patternJSON(regimes.AllSupervised()), "", ph, prevStart, calendar.Date{}, w.prescriber,
			prevStart.Start(w.tz).Add(11*time.Hour).UTC(), ended, "Left treatment: moved away", &w.prescriber)
		b.add("dose_changes", doseChangeCols, newUUID(), rid, int64(0), int64(dosing.Mg(30)), prevStart, "Starting dose",
			string(regimes.StageInduction), w.prescriber, prevStart.Start(w.tz).Add(11*time.Hour).UTC(), "[]")
	}

	// The dose over time: a starting dose, titration steps every two weeks
	// to the target, and for some maintenance patients a slow reduction.
	rid := newUUID()
	pattern := regimes.AllSupervised()
	relaxed := ""
	type change struct {
		on       calendar.Date
		from, to dosing.Micrograms
		stage    regimes.Stage
	}
	var changes []change
	dose := dosing.Mg(kind.start)
	changes = append(changes, change{start, 0, dose, regimes.StageInduction})
	stage := regimes.StageInduction
	d := start
	if !med.Injectable {
		for dose < dosing.Mg(kind.target) {
			d = w.openOnOrAfter(d.AddDays(14))
			next := min(dose+dosing.Mg(kind.step), dosing.Mg(kind.target))
			changes = append(changes, change{d, dose, next, regimes.StageTitration})
			dose = next
		}
	}
	lastChange := d
	reducing := !med.Injectable && rng.IntN(10) == 0
	if reducing {
		for r := w.openOnOrAfter(lastChange.AddDays(56)); r.Before(w.today.AddDays(14)) && dose > dosing.Mg(kind.step); r = w.openOnOrAfter(r.AddDays(28)) {
			changes = append(changes, change{r, dose, dose - dosing.Mg(kind.step)/2, regimes.StageReduction})
			dose -= dosing.Mg(kind.step) / 2
		}
	}
	// The regime's stage today: induction and titration end two weeks
	// after their last dose change.
	var lastOn calendar.Date
	for _, c := range changes {
		if !c.on.After(w.today) {
			stage, lastOn = c.stage, c.on
		}
	}
	if (stage == regimes.StageInduction || stage == regimes.StageTitration) && lastOn.DaysUntil(w.today) >= 14 {
		stage = regimes.StageMaintenance
	}
	// Stable patients on sublingual or oral medicines may take doses home.
	if !med.Injectable && stage == regimes.StageMaintenance {
		switch r := rng.IntN(10); {
		case r < 3:
			pattern[time.Saturday], pattern[time.Sunday] = regimes.PickupTakeHome, regimes.PickupEarlier
			relaxed = "Compliance assured: three months supervised, screens negative"
		case r < 4:
			for wd := time.Monday; wd <= time.Saturday; wd++ {
				pattern[wd] = regimes.PickupTakeHome
			}
			pattern[time.Sunday] = regimes.PickupEarlier
			relaxed = "Stable for over a year, working full time"
		}
	}
	regCreated := start.AddDays(-1).Start(w.tz).Add(14 * time.Hour).UTC()
	b.add("regimes", regimeCols, rid, pid, w.serviceID, kind.code, string(stage), store.RegimeActive, patternJSON(pattern), relaxed,
		ph, start, start, w.prescriber, regCreated, calendar.Date{}, "", (*uuid.UUID)(nil))
	for _, c := range changes {
		at := c.on.AddDays(-1).Start(w.tz).Add(15 * time.Hour).UTC()
		reason := "Titrated to effect after review"
		if c.from == 0 {
			reason = "Starting dose"
		} else if c.stage == regimes.StageReduction {
			reason = "Agreed reduction towards detoxification"
		}
		b.add("dose_changes", doseChangeCols, newUUID(), rid, int64(c.from), int64(c.to), c.on, reason, string(c.stage),
			w.prescriber, at, "[]")
	}
	doseOn := func(day calendar.Date) dosing.Micrograms {
		var out dosing.Micrograms
		for _, c := range changes {
			if !c.on.After(day) {
				out = c.to
			}
		}
		return out
	}
	first := start
	if first.Before(w.from) {
		first = w.from
	}
	if med.Injectable {
		w.injections(rng, b, rid, med, start, first)
	} else {
		w.prescriptions(rng, b, pid, rid, ph, pharmacist, kind.code, start, first, pattern, doseOn, func(day calendar.Date) bool {
			for _, c := range changes {
				if c.on.Equal(day) {
					return true
				}
			}
			return false
		}, serial)
	}
	// A random screen every four weeks and a review every three months.
	for s := first.AddDays(rng.IntN(28)); s.Before(w.today); s = s.AddDays(28) {
		results := map[string]string{}
		for _, k := range store.Screenable {
			results[k] = store.ResultNegative
		}
		if med.Class == dosing.ClassMethadone {
			results["methadone"] = store.ResultPositive
		} else {
			results["buprenorphine"] = store.ResultPositive
		}
		if rng.IntN(5) == 0 {
			results["opiates"] = store.ResultPositive
		}
		if rng.IntN(6) == 0 {
			results["cocaine"] = store.ResultPositive
		}
		rb, _ := json.Marshal(results)
		b.add("drug_screens", screenCols, newUUID(), pid, s, "urine", rng.IntN(5) != 0, string(rb), "", w.prescriber,
			s.Start(w.tz).Add(11*time.Hour).UTC())
	}
	for r := first.AddDays(rng.IntN(91)); r.Before(w.today); r = r.AddDays(91) {
		b.add("reviews", reviewCols, newUUID(), pid, w.prescriber, r.Start(w.tz).Add(12*time.Hour).UTC(), r, "regime",
			"Quarterly review: engaging with keyworker", calendar.Date{})
	}
}

func (w *genWorld) openOnOrAfter(d calendar.Date) calendar.Date {
	for i := 0; i < 14 && !w.opening.IsOpen(d); i++ {
		d = d.AddDays(1)
	}
	return d
}

func patternJSON(p regimes.WeeklyPattern) string {
	b, _ := json.Marshal(p)
	return string(b)
}

// injections records Buvidal doses weekly or monthly with rotating sites;
// Buvidal is never dispensed by instalment (BV2).
func (w *genWorld) injections(rng *rand.Rand, b *genBatch, rid uuid.UUID, med dosing.Medicine, start, first calendar.Date) {
	interval, dose := 7, med.Strengths[2]
	if med.Interval == dosing.IntervalMonthly {
		interval, dose = 28, med.Strengths[1]
	}
	sites := regimes.Sites()
	n := 0
	for d := start; d.Before(w.today); d = d.AddDays(interval) {
		n++
		if d.Before(first) {
			continue
		}
		if !w.opening.IsOpen(d) {
			continue
		}
		b.add("administrations", administrationCols, newUUID(), rid, d, int64(dose), false, string(sites[n%len(sites)]),
			fmt.Sprintf("BUV%05d", 1000+rng.IntN(90000)), d.AddDays(300), "Nurse Helen Cole", w.prescriber,
			d.Start(w.tz).Add(10*time.Hour).UTC(), "[]")
	}
}

// prescriptions writes back-to-back prescriptions of up to 14 days from
// the later of the regime start and the window start until one covers a
// week past today, each laid out by prescriptions.BuildSchedule, and the
// dose events of every instalment before today.
func (w *genWorld) prescriptions(rng *rand.Rand, b *genBatch, pid, rid, ph, pharmacist uuid.UUID, medicine string,
	start, first calendar.Date, pattern regimes.WeeklyPattern, doseOn func(calendar.Date) dosing.Micrograms,
	changesOn func(calendar.Date) bool, serial *int64) {
	var pp prescriptions.WeeklyPattern
	for i, d := range pattern {
		pp[i] = prescriptions.Pickup(d)
	}
	// Prescriptions are aligned to the regime start so that dose changes
	// (every 14 days) fall on a prescription's first day.
	from := start
	for from.Before(first) {
		from = from.AddDays(14)
	}
	if from.After(first) && !from.AddDays(-14).Before(start) {
		from = from.AddDays(-14)
	}
	end := w.today.AddDays(7)
	pjson := patternJSON(pattern)
	missed := b.missedPerDay[ph]
	if missed == nil {
		missed = map[calendar.Date]int{}
		b.missedPerDay[ph] = missed
	}
	for guard := 0; !from.After(end) && guard < 10000; guard++ {
		days := 14
		for i := 1; i < days; i++ { // a dose change starts the next prescription
			if changesOn(from.AddDays(i)) {
				days = i
				break
			}
		}
		for days > 1 && !w.opening.IsOpen(from.AddDays(days)) {
			days-- // the next prescription must start on an open day
		}
		sched, err := prescriptions.BuildSchedule(prescriptions.ScheduleInput{Start: from, Days: days, Daily: 1, Pattern: pp, Opening: w.opening})
		if err != nil {
			from = from.AddDays(1) // a closed start: try the next day
			continue
		}
		*serial++
		prID := newUUID()
		prescribed := from.AddDays(-2)
		issued := prescribed.Start(w.tz).Add(16 * time.Hour).UTC()
		var total dosing.Micrograms
		type row struct {
			in        prescriptions.Instalment
			sup, home dosing.Micrograms
		}
		rows := make([]row, 0, len(sched.Instalments))
		for _, in := range sched.Instalments {
			var sup, all dosing.Micrograms
			for j, day := range in.Covers {
				dd := doseOn(day)
				all += dd
				if j == 0 && in.Supervised > 0 {
					sup = dd
				}
			}
			total += all
			rows = append(rows, row{in, sup, all - sup})
		}
		b.add("prescriptions", prescriptionCols, prID, w.serviceID, store.Serial(w.serviceName, *serial), pid, rid, ph, w.prescriber,
			medicine, int64(doseOn(from)), pjson, prescribed, from, days, prescriptions.End(from, days), int64(total), "[1,3,4]",
			string(prescriptions.StatusIssued), (*uuid.UUID)(nil), issued, nil, (*uuid.UUID)(nil), "", 1, issued,
			store.DosePeriods(prescriptions.DosePeriods(from, days, doseOn)))
		for _, r := range rows {
			inID := newUUID()
			b.add("instalments", instalmentCols, inID, prID, pid, ph, r.in.Date, coversJSON(r.in.Covers), len(r.in.Covers),
				int64(r.sup), int64(r.home))
			if !r.in.Date.Before(w.today) || r.in.Date.Before(w.from) {
				continue
			}
			w.doseEvent(rng, b, inID, pid, ph, pharmacist, r.in.Date, r.sup > 0, missed)
		}
		from = from.AddDays(days)
	}
}

func coversJSON(days []calendar.Date) string {
	var sb strings.Builder
	sb.WriteByte('[')
	for i, d := range days {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		sb.WriteString(d.String())
		sb.WriteByte('"')
	}
	sb.WriteByte(']')
	return sb.String()
}

var withheldReasons = []dispensing.WithheldReason{dispensing.ReasonIntoxicated, dispensing.ReasonIdentityNotConfirmed,
	dispensing.ReasonBehaviour, dispensing.ReasonOther}

// doseEvent records what happened to one past instalment (S1).
func (w *genWorld) doseEvent(rng *rand.Rand, b *genBatch, inID, pid, ph, pharmacist uuid.UUID, day calendar.Date,
	supervised bool, missed map[calendar.Date]int) {
	at := day.Start(w.tz).Add(time.Duration(8*60+30+rng.IntN(9*60)) * time.Minute).UTC()
	created := at.Add(time.Duration(5+rng.IntN(120)) * time.Second)
	id := newUUID()
	r := rng.Float64()
	taken := dispensing.Collected
	if supervised {
		taken = dispensing.Supervised
	}
	switch {
	case r < rateTaken:
		b.add("dose_events", doseEventCols, id, inID, pid, ph, day, string(taken), "", true, at, "", &pharmacist, (*uuid.UUID)(nil), "", created)
	case r < rateTaken+rateMissed:
		closed := day.Start(w.tz).Add(23 * time.Hour).UTC()
		b.add("dose_events", doseEventCols, id, inID, pid, ph, day, string(dispensing.Missed), "", false, closed,
			"Not collected by day close", (*uuid.UUID)(nil), (*uuid.UUID)(nil), "", closed)
		missed[day]++
		if rng.Float64() < rateCorrection {
			// The pharmacist had forgotten to record a dose given on the day.
			next := closed.Add(10 * time.Hour)
			b.add("dose_events", doseEventCols, newUUID(), inID, pid, ph, day, string(taken), "", true, at,
				"", &pharmacist, &id, "Dose was given; recorded after day close.", next)
		}
	case r < rateTaken+rateMissed+rateWithheld:
		reason := withheldReasons[rng.IntN(len(withheldReasons))]
		b.add("dose_events", doseEventCols, id, inID, pid, ph, day, string(dispensing.Withheld), string(reason),
			reason != dispensing.ReasonIdentityNotConfirmed, at, "Prescriber informed", &pharmacist, (*uuid.UUID)(nil), "", created)
	default:
		b.add("dose_events", doseEventCols, id, inID, pid, ph, day, string(dispensing.Refused), "", true, at, "",
			&pharmacist, (*uuid.UUID)(nil), "", created)
	}
}

// generatedPharmacyName and generatedPharmacistName name generate's made-up
// pharmacies and pharmacists; isGeneratedPharmacist knows them again, so
// that load records doses only where generate made the people.
func generatedPharmacyName(n int, runID string) string {
	return fmt.Sprintf("Synthetic Pharmacy %04d %s", n, runID)
}

func generatedPharmacistName(n int) string { return fmt.Sprintf("Pharmacist %04d", n) }

var generatedPharmacistRE = regexp.MustCompile(`^Synthetic Pharmacy (\d{4,}) g\d{8}T\d{9}\z`)

func isGeneratedPharmacist(org, user string) bool {
	m := generatedPharmacistRE.FindStringSubmatch(org)
	if m == nil {
		return false
	}
	n, err := strconv.Atoi(m[1])
	return err == nil && user == generatedPharmacistName(n)
}
