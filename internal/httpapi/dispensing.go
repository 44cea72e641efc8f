package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/auth"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/dispensing"
	"github.com/dosebook/dosebook/internal/dosing"
	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/regimes"
	"github.com/dosebook/dosebook/internal/store"
)

// dayParam reads ?name=YYYY-MM-DD, defaulting to today in the service zone.
func (s *Server) dayParam(f *problem.Fields, c *gin.Context, name string, def calendar.Date) calendar.Date {
	v := c.Query(name)
	if v == "" {
		return def
	}
	if d := parseDate(f, name, v); !d.IsZero() {
		return d
	}
	return def
}

func (s *Server) dayList(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var f problem.Fields
	day := s.dayParam(&f, c, "date", s.today())
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var after *store.DayListCursor
	pg, err := readPageOf(c, func(v string) bool {
		after = dayListCursor(v)
		return after != nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	// The whole day by default, as before the list paged: a client that
	// reads one page must not miss a patient due today. The largest
	// limit is more lines than a pharmacy has in a day.
	if c.Query("limit") == "" {
		pg.Limit = maxPageLimit
	}
	entries, err := s.db.DayListPage(c.Request.Context(), principal(c), s.cfg.Policy, id, day, s.today(), after, pg.Limit)
	if err != nil {
		s.fail(c, err)
		return
	}
	next := ""
	if len(entries) > pg.Limit {
		entries = entries[:pg.Limit]
		b, err := json.Marshal(entries[len(entries)-1].Cursor())
		if err != nil {
			s.fail(c, err)
			return
		}
		next = cursorOf(string(b))
	}
	// A list on a closed day says the pharmacy is closed: empty, the day's
	// doses went out with an earlier instalment; not empty, they are
	// instalments laid out before the day closed, which stay on it until
	// re-prescribed (pharmacy_closed, L8).
	opening, err := s.db.PharmacyOpening(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"date": day, "pharmacy_open": opening.IsOpen(day), "items": entries, "next_cursor": next})
}

// dayListCursor reads a day list cursor: the sort key of the last line
// served, names and instalment (store.DayListCursor), so a patient
// renamed or an instalment cancelled between pages drops no line. Nil
// when it is not one this API returned.
func dayListCursor(v string) *store.DayListCursor {
	var cur store.DayListCursor
	d := json.NewDecoder(strings.NewReader(v))
	d.DisallowUnknownFields()
	if err := d.Decode(&cur); err != nil || d.More() || !store.ValidID(cur.InstalmentID) ||
		len(cur.FamilyName) > 1000 || len(cur.GivenName) > 1000 {
		return nil
	}
	return &cur
}

type doseEventRequest struct {
	Outcome           dispensing.Outcome        `json:"outcome"`
	Reason            dispensing.WithheldReason `json:"reason"`
	IdentityConfirmed bool                      `json:"identity_confirmed"`
	OccurredAt        rawField                  `json:"occurred_at"`
	Notes             string                    `json:"notes"`
	CorrectsID        string                    `json:"corrects_id"`
	CorrectionReason  string                    `json:"correction_reason"`
}

// recordDose records an outcome or a correction for an instalment. With an
// Idempotency-Key, a retried request gets the original answer.
func (s *Server) recordDose(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	p := principal(c)
	body, err := readBody(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	key := c.GetHeader("Idempotency-Key")
	hash := requestHash(id, body)
	if key != "" {
		if len(key) > 200 || !validRequestID(key) {
			s.fail(c, problem.Invalidf("Idempotency-Key", "format", "Idempotency-Key must be 1–200 letters, digits, '-', '_' or '.'"))
			return
		}
		if s.replay(c, p.UserID, key, hash) {
			return
		}
	}
	var req doseEventRequest
	f, err := decodeBytes(body, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	in := store.NewDoseEvent{Outcome: req.Outcome, Reason: req.Reason, IdentityConfirmed: req.IdentityConfirmed,
		OccurredAt: instant(&f, "occurred_at", req.OccurredAt), Notes: problem.TrimText(req.Notes),
		CorrectsID: req.CorrectsID, CorrectionReason: problem.TrimText(req.CorrectionReason), Zone: s.cfg.Timezone,
		IdempotencyKey: key, RequestHash: hash}
	optionalText(&f, "notes", req.Notes, 2000)
	if req.CorrectsID != "" {
		if !store.ValidID(req.CorrectsID) {
			f.Add("corrects_id", "format", "corrects_id must be a UUID")
		}
		requireText(&f, "correction_reason", req.CorrectionReason, 2000)
	} else if req.CorrectionReason != "" && !f.NotReadAt("corrects_id") {
		// A corrects_id that could not be read is named already; this
		// would call the request an original record.
		f.Add("correction_reason", "correction_only", "correction_reason goes with corrects_id; an original record has notes")
	}
	// The record's own rules (S1, S3) and the clock, checked with the
	// fields above so that one answer names every failing field; the
	// store checks them again. An outcome that could not be read says
	// nothing a reason could be judged against; a corrects_id that could
	// not be read leaves open whether this is a correction, which may set
	// missed.
	if !f.NotReadAt("outcome") {
		dispensing.CheckRecord(&f, in.Outcome, in.Reason, in.IdentityConfirmed, in.Notes, in.CorrectsID != "" || f.NotReadAt("corrects_id"))
	}
	dispensing.CheckNotFuture(&f, in.OccurredAt, s.db.Now())
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var ev store.DoseEvent
	var notes []policy.Finding
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		ev, notes, err = tx.RecordDose(p, s.cfg.Policy, id, in, s.today())
		return err
	})
	if err != nil {
		pe, ok := problem.As(err)
		// A retry that raced its own first attempt — found its record, or
		// lost at the database's unique index — replays that answer: the
		// first attempt had committed its key with the record.
		if ok && pe.Code == problem.Conflict && key != "" && s.replay(c, p.UserID, key, hash) {
			return
		}
		if ok && pe.Code == problem.Conflict && pe.Existing == nil {
			// A race lost at the database's unique index: answer with the winner.
			if first, ferr := s.db.OutcomeOf(ctx, id); ferr == nil {
				pe.Existing = first
				pe.Message = "this instalment already has an outcome; to change it, post a correction with corrects_id and a reason"
			}
		}
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, store.DoseEventResult{Event: ev, Notes: notes})
}

// requestHash identifies a dose request for its Idempotency-Key. A till
// that retries may serialise the same body with its keys in another order
// or other spacing, so the hash is of the body's JSON value, keys sorted,
// numbers as written; a body that is not JSON is hashed as sent (decoding
// refuses it anyway).
func requestHash(instalmentID string, body []byte) string {
	canonical := body
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		if b, err := json.Marshal(v); err == nil {
			canonical = b
		}
	}
	sum := sha256.Sum256(append([]byte(instalmentID+"\n"), canonical...))
	return hex.EncodeToString(sum[:])
}

func (s *Server) replay(c *gin.Context, userID, key, hash string) bool {
	stored, status, body, ok, err := s.db.Idempotent(c.Request.Context(), userID, key)
	if err != nil {
		s.fail(c, err)
		return true
	}
	if !ok {
		return false
	}
	if stored != hash {
		s.fail(c, problem.Invalidf("Idempotency-Key", "reused", "this Idempotency-Key was used for a different request"))
		return true
	}
	c.Header("Idempotent-Replayed", "true")
	c.Data(status, "application/json; charset=utf-8", []byte(body))
	return true
}

type reviewRequest struct {
	Date    rawField `json:"date"`
	Kind    string   `json:"kind"`
	Notes   string   `json:"notes"`
	ECGDate rawField `json:"ecg_date"`
}

func (s *Server) recordReview(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req reviewRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	r := store.Review{PatientID: id, Date: date(&f, "date", req.Date, false), Kind: req.Kind, Notes: problem.TrimText(req.Notes),
		ECGDate: date(&f, "ecg_date", req.ECGDate, false)}
	if r.Date.IsZero() {
		r.Date = s.today()
	}
	recordedDay(&f, "date", r.Date, s.today(), "date must not be in the future")
	ecgDay(&f, r.ECGDate, s.today(), s.cfg.Policy)
	// A review records an ECG already done: one dated after the review is
	// a date entered wrongly (or a review entered on the wrong day).
	if !r.ECGDate.IsZero() && r.ECGDate.After(r.Date) {
		f.Add("ecg_date", "not_after_review", "ecg_date must not be after the review's date (%s)", r.Date)
	}
	switch req.Kind {
	case "":
		r.Kind = "clinical"
	case "ecg":
		// An ECG review lifts no block and restarts no review clock: all
		// it records is the ECG M4 asks for, which is nothing without the
		// day it was done.
		if !req.ECGDate.set() {
			f.Add("ecg_date", "required", "an ecg review records an ECG for M4: ecg_date, the day it was done, is required (YYYY-MM-DD)")
		}
	case "clinical", "missed_doses", "regime":
	default:
		f.Add("kind", "enum", "kind must be clinical, missed_doses, regime or ecg")
	}
	requireText(&f, "notes", req.Notes, 4000)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var md1 store.ReviewMD1
	if err := s.db.Write(c.Request.Context(), func(tx *store.Tx) (err error) {
		md1, err = tx.RecordReviewMD1(principal(c), s.cfg.Policy, s.today(), &r)
		return err
	}); err != nil {
		s.fail(c, err)
		return
	}
	out := reviewView{Review: r, MD1BlockLifted: md1.Lifted, Warnings: []policy.Finding{}}
	if md1.Stands != nil {
		// A review that leaves the block standing says why, and gives no
		// MD3 advice for a supply that may not resume yet.
		out.Warnings = append(out.Warnings, s.cfg.Policy.FindingAt("MD1", policy.Warn, md1.Why, ""))
		c.JSON(http.StatusCreated, out)
		return
	}
	sg, err := s.retitration(c, r.PatientID)
	if err != nil {
		s.fail(c, err)
		return
	}
	if sg != nil && principal(c).Role == auth.GP {
		// A GP does not titrate (SC1): the suggestion is the service's to
		// act on, and the service has been alerted.
		sg.Text = "For the specialist service to decide (SC1), which has been alerted: " + sg.Text
	}
	out.Retitration = sg
	c.JSON(http.StatusCreated, out)
}

// reviewView is a recorded review with, after missed days, the MD3
// re-titration suggestion: a review after an MD1 block is where the
// prescriber decides the dose supply resumes at. A review that leaves the
// block standing carries no suggestion, only a warning saying why.
type reviewView struct {
	store.Review
	Retitration *regimes.Suggestion `json:"retitration,omitempty"`
	// MD1BlockLifted says the review lifted an MD1 block that stood; when
	// one still stands, an MD1 warning says why.
	MD1BlockLifted bool             `json:"md1_block_lifted"`
	Warnings       []policy.Finding `json:"warnings"`
}

// retitration is MD3's suggestion for the patient's active regime today,
// nil when no days were missed or none applies.
func (s *Server) retitration(c *gin.Context, patientID string) (*regimes.Suggestion, error) {
	ctx := c.Request.Context()
	rs, err := s.db.Regimes(ctx, principal(c), patientID)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if r.Status != store.RegimeActive {
			continue
		}
		history, err := s.db.DoseChanges(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		return s.retitrationOf(c, r, history)
	}
	return nil, nil
}

// retitrationOf is MD3's suggestion for an active regime with its dose
// history, nil when none applies or a dose change recorded since the
// missed days became known has answered it. The regime view and the
// review's answer both give it from here.
func (s *Server) retitrationOf(c *gin.Context, r store.Regime, history []store.DoseChange) (*regimes.Suggestion, error) {
	today := s.today()
	run, err := s.db.MissedRun(c.Request.Context(), r.PatientID, today)
	if err != nil {
		return nil, err
	}
	med, _ := dosing.LookupMedicine(r.Medicine)
	if sg, ok := regimes.Retitration(s.cfg.Policy, med, store.DoseOn(history, today), run, store.LastRecorded(history)); ok {
		return &sg, nil
	}
	return nil, nil
}

// boolParam reads ?name=true|false; nil when absent.
func boolParam(f *problem.Fields, c *gin.Context, name string) *bool {
	switch v, ok := c.GetQuery(name); {
	case !ok:
		return nil
	case v == "true", v == "false":
		b := v == "true"
		return &b
	}
	f.Add(name, "boolean", "%s must be true or false", name)
	return nil
}

// listAlerts lists the caller's alerts. By default only the open ones:
// not acknowledged by the caller's organisation and not resolved by a
// later record. acknowledged and resolved filter on each; open=false lists
// every alert.
func (s *Server) listAlerts(c *gin.Context) {
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	var f problem.Fields
	filter := store.AlertFilter{PatientID: c.Query("patient_id"), Kind: c.Query("kind"), After: pg.After, Limit: pg.Limit + 1}
	if filter.PatientID != "" && !store.ValidID(filter.PatientID) {
		f.Add("patient_id", "format", "patient_id must be a UUID")
	}
	if filter.Kind != "" && !slices.Contains(store.AlertKinds(), filter.Kind) {
		f.Add("kind", "enum", "kind must be one of %s", strings.Join(store.AlertKinds(), ", "))
	}
	acknowledged, resolved, open := boolParam(&f, c, "acknowledged"), boolParam(&f, c, "resolved"), boolParam(&f, c, "open")
	switch {
	case open != nil && (acknowledged != nil || resolved != nil):
		f.Add("open", "exclusive", "give open, or acknowledged and resolved, not both")
	case acknowledged != nil || resolved != nil:
		filter.Acknowledged, filter.Resolved = acknowledged, resolved
	case open == nil || *open:
		filter.Acknowledged, filter.Resolved = new(bool), new(bool)
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	alerts, err := s.db.Alerts(c.Request.Context(), principal(c), filter)
	if err != nil {
		s.fail(c, err)
		return
	}
	list(c, alerts, pg.Limit, func(a store.AlertView) string { return a.ID })
}

func (s *Server) acknowledgeAlert(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := decodeNone(c); err != nil {
		s.fail(c, err)
		return
	}
	var a store.AlertView
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		a, err = tx.AcknowledgeAlert(principal(c), id)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

type dayCloseRequest struct {
	Date rawField `json:"date"`
	// ConfirmEarly confirms closing today before the scheduled close
	// time (earlyClose).
	ConfirmEarly bool `json:"confirm_early"`
}

func (s *Server) closeDay(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	p := principal(c)
	if p.OrgID != id {
		s.fail(c, problem.NotFoundf("pharmacy not found"))
		return
	}
	var req dayCloseRequest
	f, err := decodeOptional(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	day := date(&f, "date", req.Date, false)
	if day.IsZero() {
		day = s.today()
	}
	recordedDay(&f, "date", day, s.today(), "a day cannot be closed before it has happened")
	if !req.ConfirmEarly && day.Equal(s.today()) {
		var early problem.Fields
		s.earlyClose(&early, day)
		if early.Err() != nil && f.Err() == nil {
			// Today closed already, early and confirmed then: asked again
			// without confirm_early, the answer is that it is closed, as
			// for any day closed twice, and nothing is written.
			closed, err := s.db.ClosedOn(c.Request.Context(), day)
			if err != nil {
				s.fail(c, err)
				return
			}
			if slices.Contains(closed, id) {
				c.JSON(http.StatusOK, store.CloseDayResult{PharmacyID: id, Date: day, AlreadyRun: true})
				return
			}
		}
		s.earlyClose(&f, day)
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var res store.CloseDayResult
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		res, err = tx.CloseDay(s.cfg.Policy, s.cfg.Timezone, id, day)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// earlyClose refuses closing today, day, before its scheduled close time
// (DOSEBOOK_DAY_CLOSE_AT) unless confirm_early says so: every dose not yet
// recorded becomes missed, with its alerts, before the patients could
// come for it. A pharmacist on a late shift just after midnight, who meant
// the day just ended, gets today by default; a mis-tap in the morning
// would close the day before it opened.
func (s *Server) earlyClose(f *problem.Fields, day calendar.Date) {
	zone, at := s.cfg.Timezone, s.cfg.DayCloseAt
	start := day.Start(zone)
	closeAt := time.Date(start.Year(), start.Month(), start.Day(), int(at/time.Hour), int(at%time.Hour/time.Minute), 0, 0, zone)
	now := s.db.Now().In(zone)
	if !now.Before(closeAt) {
		return
	}
	f.Add("confirm_early", "early_close",
		"today (%s) is closed at %s (DOSEBOOK_DAY_CLOSE_AT); closing it now, at %s, marks every dose not yet recorded today missed, "+
			"before the patients could come for it, and alerts their prescribers. Send confirm_early: true to close today early; "+
			"to close yesterday, send date %s",
		day, closeAt.Format("15:04"), now.Format("15:04"), day.AddDays(-1))
}

func (s *Server) patientDoses(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var f problem.Fields
	to := s.dayParam(&f, c, "to", s.today())
	from := s.dayParam(&f, c, "from", to.AddDays(-27))
	if from.After(to) {
		f.Add("from", "before_to", "from must not be after to")
	} else if from.DaysUntil(to) > 366 {
		f.Add("from", "range", "the window is at most 366 days")
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	h, err := s.db.DoseHistory(c.Request.Context(), principal(c), s.cfg.Policy, id, from, to, s.today())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h)
}

func (s *Server) pharmacyBalance(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var f problem.Fields
	to := s.dayParam(&f, c, "to", s.today())
	from := s.dayParam(&f, c, "from", to)
	if from.After(to) || from.DaysUntil(to) > 92 {
		f.Add("from", "range", "from must be on or before to, at most 92 days earlier")
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	days, err := s.db.PharmacyBalance(c.Request.Context(), principal(c), id, from, to)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"items": days, "next_cursor": ""})
}

func (s *Server) prescriptionBalance(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	b, err := s.db.PrescriptionBalanceFor(c.Request.Context(), principal(c), s.cfg.Policy, id, s.today())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}
