package httpapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/prescriptions"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

type prescriptionRequest struct {
	PatientID    string   `json:"patient_id"`
	PrescribedOn rawField `json:"prescribed_on"`
	StartDate    rawField `json:"start_date"`
	Days         *int     `json:"days"`
	Wording      []int    `json:"wording"`
	Issue        bool     `json:"issue"`
}

// prescriptionView adds the L2 wording of quantities and the chosen
// approved wording texts.
type prescriptionView struct {
	store.PrescriptionResult
	Status        prescriptions.Status `json:"status"`
	MedicineName  string               `json:"medicine_name"`
	TotalQuantity string               `json:"total_quantity"`
	// TotalQuantityRule names the rule that writes the total in words and
	// figures (L2).
	TotalQuantityRule string                  `json:"total_quantity_rule"`
	WordingText       []prescriptions.Wording `json:"wording_text"`
	// ValidUntil is the last day the first instalment may be dispensed
	// (L3); later instalments follow the schedule, which may run past it.
	ValidUntil calendar.Date `json:"valid_until"`
}

func (s *Server) viewPrescription(res store.PrescriptionResult) prescriptionView {
	med, _ := dosing.LookupMedicine(res.Medicine)
	words, _ := prescriptions.LookupWording(res.Wording)
	if res.Instalments == nil {
		res.Instalments = []store.Instalment{}
	}
	if res.Warnings == nil {
		res.Warnings = []policy.Finding{}
	}
	return prescriptionView{PrescriptionResult: res, Status: res.EffectiveStatus(s.today(), s.cfg.Policy),
		MedicineName: med.Name, TotalQuantity: prescriptions.TotalQuantity(res.Total, med.Unit), TotalQuantityRule: "L2",
		WordingText: nonNilSlice(words), ValidUntil: res.PrescribedOn.AddDays(s.cfg.Policy.L3ValidDays)}
}

func (s *Server) createPrescription(c *gin.Context) {
	var req prescriptionRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	if !store.ValidID(req.PatientID) {
		f.Add("patient_id", "format", "patient_id must be a UUID")
	}
	in := store.NewPrescription{PatientID: req.PatientID, PrescribedOn: date(&f, "prescribed_on", req.PrescribedOn, false),
		StartDate: date(&f, "start_date", req.StartDate, true), Wording: req.Wording, Issue: req.Issue,
		Zone: s.cfg.Timezone}
	// L6: an FP10MDA covers 1 to 14 days. More than that is refused by
	// CheckPeriod with L6's advice on splitting the period, and L5 beside it.
	l6 := "(L6: an FP10MDA covers at most %d days of treatment)"
	switch {
	case req.Days == nil:
		f.Add("days", "required", "days is required: a whole number from 1 to %d "+l6, s.cfg.Policy.L6MaxDays, s.cfg.Policy.L6MaxDays)
	case req.Days != nil && *req.Days < 1:
		f.Add("days", "range", "days must be a whole number from 1 to %d "+l6+"; %d covers no day", s.cfg.Policy.L6MaxDays, s.cfg.Policy.L6MaxDays, *req.Days)
	case req.Days != nil:
		in.Days = *req.Days
	}
	if _, err := prescriptions.LookupWording(req.Wording); err != nil {
		f.Add("wording", "L7", "%s", strings.TrimPrefix(err.Error(), prescriptions.ErrInvalidWording.Error()+": "))
	}
	if !in.PrescribedOn.IsZero() && in.PrescribedOn.After(s.today()) {
		f.Add("prescribed_on", "not_future", "prescribed_on must not be in the future")
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var res store.PrescriptionResult
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		res, err = tx.CreatePrescription(principal(c), s.cfg.Policy, in, s.today())
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, s.viewPrescription(res))
}

func (s *Server) getPrescription(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.db.PrescriptionFor(c.Request.Context(), principal(c), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.viewPrescription(res))
}

func (s *Server) listPrescriptions(c *gin.Context) {
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	f := store.PrescriptionFilter{PatientID: c.Query("patient_id"), Status: prescriptions.Status(c.Query("status")),
		Today: s.today(), Numbers: s.cfg.Policy, After: pg.After, Limit: pg.Limit + 1}
	var fields problem.Fields
	if f.PatientID != "" && !store.ValidID(f.PatientID) {
		fields.Add("patient_id", "format", "patient_id must be a UUID")
	}
	if f.Status != "" && !f.Status.Valid() {
		fields.Add("status", "enum", "status must be draft, issued, completed, expired or cancelled")
	}
	if err := fields.Err(); err != nil {
		s.fail(c, err)
		return
	}
	found, err := s.db.Prescriptions(c.Request.Context(), principal(c), f)
	if err != nil {
		s.fail(c, err)
		return
	}
	views := make([]prescriptionView, 0, len(found))
	for _, p := range found {
		views = append(views, s.viewPrescription(store.PrescriptionResult{Prescription: p}))
	}
	list(c, views, pg.Limit, func(v prescriptionView) string { return v.ID })
}

func (s *Server) issuePrescription(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := decodeNone(c); err != nil {
		s.fail(c, err)
		return
	}
	var res store.PrescriptionResult
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		res, err = tx.IssuePrescription(principal(c), s.cfg.Policy, id, s.today(), s.cfg.Timezone)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.viewPrescription(res))
}

type cancelRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) cancelPrescription(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req cancelRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	requireText(&f, "reason", req.Reason, 2000)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var res store.PrescriptionResult
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		res, err = tx.CancelPrescription(principal(c), s.cfg.Policy, id, problem.TrimText(req.Reason), s.today())
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.viewPrescription(res))
}

func (s *Server) getPolicy(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": policy.Table(s.cfg.Policy), "next_cursor": "", "numbers": s.cfg.Policy.Keys(),
		"limits": policy.Limits()})
}

func (s *Server) getFormulary(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"items": dosing.Formulary(), "next_cursor": ""})
}

func (s *Server) getOpening(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	p := principal(c)
	if p.Role == "pharmacist" && p.OrgID != id {
		s.fail(c, problem.NotFoundf("pharmacy not found"))
		return
	}
	o, err := s.db.Organisation(c.Request.Context(), id)
	if err != nil || o.Kind != "pharmacy" {
		s.fail(c, problem.NotFoundf("pharmacy not found"))
		return
	}
	op, err := s.db.PharmacyOpening(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, op)
}

// maxOpeningDates bounds each list of single dates: a year of them. A
// closure that repeats every week belongs in closed_weekdays, and a
// pharmacy closed for longer than a year is no pharmacy to prescribe to.
const maxOpeningDates = 366

// openingDates checks one list of a pharmacy's closed or open dates: at
// most maxOpeningDates, each within the years other dates keep to (a typo
// is likelier than a closure in 1800), none listed twice. Past dates are
// kept: they are the record of the days the pharmacy was closed, and a
// client sends back the list it read. The first fault of each list is
// reported, not one per date.
func openingDates(f *problem.Fields, field string, dates []calendar.Date) {
	if len(dates) > maxOpeningDates {
		f.Add(field, "max_items", "%s lists %d dates; at most %d (a closure every week belongs in closed_weekdays)", field, len(dates), maxOpeningDates)
		return
	}
	seen := make(map[string]bool, len(dates))
	for _, d := range dates {
		switch {
		case d.Year() < 1900 || d.Year() > 2200:
			f.Add(field, "range", "%s: %s must fall between 1900-01-01 and 2200-12-31", field, d)
			return
		case seen[d.String()]:
			f.Add(field, "unique", "%s lists %s twice", field, d)
			return
		}
		seen[d.String()] = true
	}
}

// openAndClosed finds a date listed both as closed and as open: the
// first fault is reported, as openingDates does.
func openAndClosed(closed, open []calendar.Date) (calendar.Date, bool) {
	for _, d := range closed {
		for _, o := range open {
			if d.Equal(o) {
				return d, true
			}
		}
	}
	return calendar.Date{}, false
}

// closedWeekdays reads a pharmacy's closed weekdays into op, naming every
// fault with the request's other fields: a name not spelt as the API
// spells it, one listed twice, and all seven closed, when no schedule could
// ever be built (Opening.Validate, checked again after).
func closedWeekdays(f *problem.Fields, op *calendar.Opening, names []string) {
	seen := map[time.Weekday]bool{}
	for _, w := range names {
		d, err := calendar.ParseWeekday(w)
		switch {
		case err != nil:
			f.Add("closed_weekdays", "enum", "%s", err.Error())
		case seen[d]:
			f.Add("closed_weekdays", "unique", "closed_weekdays lists %s twice", w)
		default:
			seen[d] = true
			op.ClosedWeekdays = append(op.ClosedWeekdays, d)
		}
	}
	if len(seen) == 7 {
		f.Add("closed_weekdays", "opening", "the pharmacy must be open on at least one weekday")
	}
}

func (s *Server) setOpening(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	// Decoded through a strict struct: Opening's own UnmarshalJSON would let
	// a misspelt field silently clear the closed days.
	var req struct {
		ClosedWeekdays     []string        `json:"closed_weekdays"`
		ClosedDates        []calendar.Date `json:"closed_dates"`
		OpenDates          []calendar.Date `json:"open_dates"`
		BankHolidaysClosed *bool           `json:"bank_holidays_closed"`
	}
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	// Left out, bank_holidays_closed means closed: the safer reading, since
	// a schedule built for a closed bank holiday supplies that day's dose on
	// an earlier open day (L7 wording 1), while one built for an open day
	// the pharmacy in fact closes leaves the patient without it. A pharmacy
	// that opens on bank holidays says so.
	op := calendar.Opening{ClosedDates: req.ClosedDates, OpenDates: req.OpenDates, BankHolidaysClosed: true}
	if req.BankHolidaysClosed != nil {
		op.BankHolidaysClosed = *req.BankHolidaysClosed
	}
	openingDates(&f, "closed_dates", req.ClosedDates)
	openingDates(&f, "open_dates", req.OpenDates)
	if d, ok := openAndClosed(req.ClosedDates, req.OpenDates); ok {
		for _, field := range []string{"closed_dates", "open_dates"} {
			f.Add(field, "open_and_closed", "%s is listed in both closed_dates and open_dates; list it in one", d)
		}
	}
	closedWeekdays(&f, &op, req.ClosedWeekdays)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	if err := op.Validate(); err != nil {
		s.fail(c, problem.Invalidf("closed_weekdays", "opening", "%s", err.Error()))
		return
	}
	var affected []store.InstalmentOnClosedDay
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		affected, err = tx.SetPharmacyOpening(principal(c), s.cfg.Policy, id, op, s.today())
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	// The answer is the opening as GET shows it, with the issued
	// instalments it leaves on closed days, so whoever closed a day learns
	// at once who is affected (the prescribers are alerted too).
	body := map[string]any{}
	b, err := json.Marshal(op)
	if err == nil {
		err = json.Unmarshal(b, &body)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	body["instalments_on_closed_days"] = affected
	c.JSON(http.StatusOK, body)
}
