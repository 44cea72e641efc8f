package pdf

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dosebook/dosebook/internal/calendar"
)

// Service is the specialist service issuing a document.
type Service struct {
	Name    string
	Address string // lines separated by "\n" (or commas)
	Phone   string
}

// Prescriber is the person who signs the prescription. Where they work is
// printed because a CD prescription must carry the prescriber's address
// (L1): the specialist service for its prescribers, the GP practice for a
// GP prescribing under shared care. A Prescriber without organisation,
// address or phone is printed with the Service's; never field by field, so
// that a GP is not printed at the service's address.
type Prescriber struct {
	Name         string
	Role         string // "Specialist doctor", "Non-medical prescriber" or "GP"
	Registration string // e.g. "GMC 1234567"
	Organisation string // where they work, e.g. "Abbey Road Surgery"
	Address      string // lines separated by "\n" (or commas)
	Phone        string // the organisation's
	DirectLine   string // the prescriber's own number, when they have one
}

// Patient identifies the patient on both documents (L2, L9, SC4).
type Patient struct {
	Name        string
	Address     string // lines separated by "\n" (or commas)
	DateOfBirth calendar.Date
	NHSNumber   string // already formatted "943 476 5919"
	Phone       string // shown on the shared care summary
}

// Pharmacy is the dispensing community pharmacy.
type Pharmacy struct {
	Name    string
	Address string // lines separated by "\n" (or commas)
	Phone   string // optional
}

// InstalmentRow is one instalment: the day it is collected and what it covers.
type InstalmentRow struct {
	Date        calendar.Date // collection day
	DaysCovered string        // e.g. "Sat 2 – Sun 3"
	Supervised  string        // amount consumed under supervision, e.g. "60 ml"; "" when none
	TakeHome    string        // amount handed over, e.g. "60 ml"; "" when none
}

// PrescriptionView is everything printed on an instalment prescription. All
// amounts are preformatted by the caller.
type PrescriptionView struct {
	Serial string
	Status string // e.g. "issued", "cancelled"; printed in the header
	// Copy marks any print but the original: every page carries a "COPY"
	// watermark and "COPY — not for dispensing", so that only the original
	// the prescriber signs can be dispensed against.
	Copy bool

	Service    Service
	Prescriber Prescriber
	Patient    Patient
	Pharmacy   Pharmacy

	Medicine      string // e.g. "Methadone hydrochloride 1 mg/ml oral solution"
	Form          string // e.g. "Oral solution"
	Strength      string // e.g. "1 mg/ml"
	Dose          string // e.g. "60 mg (60 ml) once daily"
	TotalQuantity string // in words and figures (L2): "840 (eight hundred and forty) millilitres"
	Interval      string // instalment amount and interval (L2, L6), e.g. "Daily; Saturday's instalment also covers Sunday"

	Start, End  calendar.Date // first and last day of treatment
	Instalments []InstalmentRow
	Wording     []string // Home Office approved wording, printed exactly (L7)

	PrescriptionDate calendar.Date
	// Replaces says which cancelled prescription this one reissues, so the
	// pharmacy dispenses its remaining days from this one alone.
	Replaces string
	// FirstInstalmentBy is the last day the first instalment may be
	// dispensed, 28 days after PrescriptionDate (L3, reg 16). Later
	// instalments follow the schedule, which may run past it.
	FirstInstalmentBy calendar.Date
}

const prescriptionTitle = "FP10MDA-style instalment prescription — Controlled Drug (Schedule 2)"

const copyBanner = "COPY — not for dispensing"

// Prescription renders an instalment prescription laid out like an FP10MDA,
// so that a community pharmacist finds each item where they expect it.
func Prescription(v PrescriptionView, o Options) ([]byte, error) {
	if strings.TrimSpace(v.Serial) == "" {
		return nil, errors.New("pdf: prescription has no serial")
	}
	if strings.TrimSpace(v.Patient.Name) == "" {
		return nil, errors.New("pdf: prescription has no patient name")
	}
	d, err := newDoc(o, "Instalment prescription "+v.Serial)
	if err != nil {
		return nil, err
	}
	p := prescription{doc: d, v: v}
	d.f.SetHeaderFunc(p.pageHeader)
	d.f.SetFooterFunc(p.pageFooter)
	d.f.AddPage()
	p.parties()
	p.medicine()
	p.schedule()
	p.wording()
	p.signature()
	if err := d.f.Error(); err != nil {
		return nil, fmt.Errorf("render prescription %s: %w", v.Serial, err)
	}
	return d.output()
}

type prescription struct {
	*doc
	v PrescriptionView
}

// pageHeader draws the full title box on page 1 and a continuation strip,
// which repeats the serial and patient, on the pages after it.
func (p *prescription) pageHeader() {
	f := p.f
	v := p.v
	y := marginT
	f.SetDrawColor(0, 0, 0)
	f.SetFillColor(greyFill, greyFill, greyFill)
	f.SetLineWidth(0.4)
	if f.PageNo() == 1 {
		h := 15.0
		f.Rect(marginL, y, contentW, h, "FD")
		p.font("B", 10.5)
		p.black()
		p.text(marginL+2.5, y+2, contentW-50, []string{prescriptionTitle}, 5.5, "L")
		p.font("", 8)
		p.grey(greyText)
		sub := "Misuse of Drugs Regulations 2001 — instalment dispensing"
		if v.Status != "" {
			sub += " — status: " + v.Status
		}
		p.text(marginL+2.5, y+8.2, contentW-60, []string{clean(sub)}, 4, "L")
		p.black()
		p.font("", 7.5)
		p.text(marginL+contentW-48, y+2, 45.5, []string{"Serial number"}, 4, "R")
		p.font("B", 12)
		p.text(marginL+contentW-48, y+6.5, 45.5, []string{clean(v.Serial)}, 6, "R")
		y += h + 2
	} else {
		h := 11.0
		f.Rect(marginL, y, contentW, h, "FD")
		p.font("B", 9.5)
		p.black()
		p.text(marginL+2.5, y+1.2, contentW-65, []string{"FP10MDA-style instalment prescription — continuation"}, 4.6, "L")
		p.font("", 8)
		p.text(marginL+2.5, y+5.8, contentW-65, []string{p.identity(v.Patient, "NHS", contentW-65)}, 4, "L")
		p.font("B", 11)
		p.text(marginL+contentW-62, y+3, 59.5, []string{"Serial " + clean(v.Serial)}, 5, "R")
		y += h + 2
	}
	f.SetLineWidth(0.2)
	if v.Copy {
		// A black bar reads as a warning on any printer.
		f.SetFillColor(0, 0, 0)
		f.Rect(marginL, y, contentW, 6.5, "F")
		p.font("B", 11)
		f.SetTextColor(255, 255, 255)
		p.text(marginL, y+0.25, contentW, []string{copyBanner}, 6, "C")
		p.black()
		y += 8
	}
	f.SetY(y)
}

func (p *prescription) pageFooter() {
	f := p.f
	v := p.v
	if v.Copy {
		p.watermark()
	}
	y := pageH - 14
	f.SetDrawColor(greyLine, greyLine, greyLine)
	f.Line(marginL, y, marginL+contentW, y)
	f.SetDrawColor(0, 0, 0)
	p.font("", 8)
	p.black()
	// Kept in one text run so that the page count alias is replaced within it.
	p.text(marginL, y+1.5, contentW, []string{clean(fmt.Sprintf("Serial %s — page %d of %s", v.Serial, f.PageNo(), nbPagesTag))}, 4, "C")
	p.grey(greyText)
	p.font("", 7)
	left := "Dosebook"
	if v.Copy {
		left = copyBanner
	}
	p.text(marginL, y+1.5, 60, []string{left}, 4, "L")
	p.black()
}

// watermark lays a large diagonal "COPY" over the page. It is drawn last and
// translucent so that it shows over table fills without hiding the text.
func (p *prescription) watermark() {
	f := p.f
	f.SetAlpha(0.35, "Normal")
	f.TransformBegin()
	f.TransformRotate(45, pageW/2, pageH/2)
	p.font("B", 130)
	p.grey(greyStamp)
	w := f.GetStringWidth("COPY")
	f.Text(pageW/2-w/2, pageH/2+16, "COPY")
	f.TransformEnd()
	f.SetAlpha(1, "Normal")
	p.black()
}

// parties prints prescriber and patient side by side (as on the FP10 form),
// then the dispensing pharmacy.
func (p *prescription) parties() {
	v := p.v
	const gapX = 4.0
	colW := (contentW - gapX) / 2
	type line struct {
		s     string
		style string
	}
	var left, right []line
	left = append(left, line{v.Prescriber.Name, "B"})
	if v.Prescriber.Role != "" || v.Prescriber.Registration != "" {
		left = append(left, line{joinNonEmpty(" — ", v.Prescriber.Role, v.Prescriber.Registration), ""})
	}
	org, addr, phone := v.Prescriber.Organisation, v.Prescriber.Address, v.Prescriber.Phone
	if org == "" && addr == "" && phone == "" {
		org, addr, phone = v.Service.Name, v.Service.Address, v.Service.Phone
	}
	if org != "" {
		left = append(left, line{org, ""})
	}
	for _, l := range addressLines(addr) {
		left = append(left, line{l, ""})
	}
	if phone != "" {
		left = append(left, line{"Tel " + phone, ""})
	}
	if d := v.Prescriber.DirectLine; d != "" && d != phone {
		left = append(left, line{"Direct line " + d, ""})
	}
	right = append(right, line{v.Patient.Name, "B"})
	for _, l := range addressLines(v.Patient.Address) {
		right = append(right, line{l, ""})
	}
	right = append(right, line{"Date of birth: " + longDate(v.Patient.DateOfBirth), ""})
	right = append(right, line{"NHS number: " + orDash(v.Patient.NHSNumber), "B"})

	const size = 9.0
	lh := lineH(size)
	layout := func(ls []line) ([][]string, []string, float64) {
		var out [][]string
		var styles []string
		n := 0
		for _, l := range ls {
			p.font(l.style, size)
			w := p.wrap(l.s, colW-2*pad)
			out = append(out, w)
			styles = append(styles, l.style)
			n += len(w)
		}
		return out, styles, float64(n) * lh
	}
	lw, ls, lh1 := layout(left)
	rw, rs, rh1 := layout(right)
	const labelH = 5.0
	h := labelH + max(lh1, rh1) + 2*pad
	y := p.f.GetY()
	draw := func(x float64, label string, wrapped [][]string, styles []string) {
		p.f.Rect(x, y, colW, h, "D")
		p.font("B", 7)
		p.grey(greyText)
		p.text(x+pad, y+pad-0.3, colW-2*pad, []string{label}, 3.6, "L")
		p.black()
		yy := y + labelH + pad - 1
		for i, w := range wrapped {
			p.font(styles[i], size)
			yy += p.text(x+pad, yy, colW-2*pad, w, lh, "L")
		}
	}
	draw(marginL, "PRESCRIBER", lw, ls)
	draw(marginL+colW+gapX, "PATIENT", rw, rs)
	p.f.SetY(y + h + 2.5)

	// Pharmacy on one line: the pharmacist checks it is theirs.
	y = p.f.GetY()
	phText := joinNonEmpty(", ", v.Pharmacy.Name, oneLine(v.Pharmacy.Address))
	if v.Pharmacy.Phone != "" {
		phText += " — Tel " + v.Pharmacy.Phone
	}
	p.font("", size)
	lines := p.wrap(orDash(phText), contentW-2*pad-38)
	ph := float64(len(lines))*lh + 2*pad
	p.f.Rect(marginL, y, contentW, ph, "D")
	p.font("B", 7)
	p.grey(greyText)
	p.text(marginL+pad, y+pad, 36, []string{"DISPENSING PHARMACY"}, lh, "L")
	p.black()
	p.font("", size)
	p.text(marginL+pad+38, y+pad, contentW-2*pad-38, lines, lh, "L")
	p.f.SetY(y + ph + 4)
}

func (p *prescription) medicine() {
	v := p.v
	p.sectionTitle("Medicine", 30)
	period := "—"
	if !v.Start.IsZero() && !v.End.IsZero() {
		n := v.Start.DaysUntil(v.End) + 1
		days := "days"
		if n == 1 {
			days = "day"
		}
		period = fmt.Sprintf("%s to %s (%d %s)", dayDate(v.Start), dayDate(v.End), n, days)
	}
	rows := []kv{
		{"Medicine", v.Medicine, true},
		{"Form", v.Form, false},
		{"Strength", v.Strength, false},
		{"Dose", v.Dose, true},
		{"Total quantity", v.TotalQuantity, true},
		{"Instalments", v.Interval, false},
		{"Treatment period", period, false},
	}
	if v.Replaces != "" {
		rows = append(rows, kv{"Replaces", v.Replaces, true})
	}
	p.kvGrid(rows, 44, 9)
	p.gap(3)
}

func (p *prescription) schedule() {
	v := p.v
	p.sectionTitle(fmt.Sprintf("Instalment schedule — %d instalments", len(v.Instalments)), 16)
	cols := []column{
		{"Instalment date", 40, "L"},
		{"Days covered", 44, "L"},
		{"Supervised", 34, "R"},
		{"Take-home", 34, "R"},
		{"Pharmacy record", 34, "L"},
	}
	rows := make([][]string, len(v.Instalments))
	for i, r := range v.Instalments {
		rows[i] = []string{dayDate(r.Date), orDash(r.DaysCovered), orDash(r.Supervised), orDash(r.TakeHome), ""}
	}
	// 8.5 pt with tight padding: a fortnight of daily instalments with
	// every approved wording still fits one page with the signature.
	// Without wording, the signature follows the schedule and is kept
	// with its last row.
	after := 0.0
	if len(v.Wording) == 0 {
		after = 3 + signatureH
	}
	p.tableKeep(cols, rows, 8.5, 0.5, after)
	p.gap(3)
}

func (p *prescription) wording() {
	v := p.v
	if len(v.Wording) == 0 {
		return
	}
	const size = 9.0
	lh := lineH(size)
	p.font("", size)
	bodyW := contentW - 2*pad - 4
	var wrapped [][]string
	h := 5.5 + 2*pad
	for _, w := range v.Wording {
		l := p.wrap(w, bodyW)
		wrapped = append(wrapped, l)
		h += float64(len(l))*lh + 0.6
	}
	// The signature is kept with the wording it signs.
	p.ensure(h + 3 + signatureH)
	y := p.f.GetY()
	p.f.SetFillColor(246, 246, 246)
	p.f.Rect(marginL, y, contentW, h, "FD")
	p.font("B", 8)
	p.grey(greyText)
	p.text(marginL+pad, y+pad, contentW-2*pad, []string{"Instructions to the pharmacist (Home Office approved wording)"}, 4, "L")
	p.black()
	yy := y + pad + 5.5
	for _, l := range wrapped {
		p.font("B", size)
		p.text(marginL+pad, yy, 4, []string{"•"}, lh, "L")
		p.font("", size)
		yy += p.text(marginL+pad+4, yy, bodyW, l, lh, "L") + 0.6
	}
	p.f.SetY(y + h + 3)
}

// signatureH is the height of the dates and signature box.
const signatureH = 27.0

// signature keeps dates and the signature box together: an unsigned or
// undated CD prescription is not valid (L1), and L3 gives the first
// instalment 28 days from the prescription date.
func (p *prescription) signature() {
	v := p.v
	const h = signatureH
	p.ensure(h)
	y := p.f.GetY()
	const leftW = 70.0
	// Dates
	p.f.Rect(marginL, y, leftW, h, "D")
	p.font("B", 7)
	p.grey(greyText)
	p.text(marginL+pad, y+pad, leftW-2*pad, []string{"Prescription date"}, 3.6, "L")
	p.black()
	p.font("B", 11)
	p.text(marginL+pad, y+pad+4, leftW-2*pad, []string{longDate(v.PrescriptionDate)}, 5.5, "L")
	p.font("B", 7)
	p.grey(greyText)
	p.text(marginL+pad, y+pad+10, leftW-2*pad, []string{"First instalment to be dispensed by"}, 3.6, "L")
	p.black()
	p.font("B", 11)
	p.text(marginL+pad, y+pad+14, leftW-2*pad, []string{longDate(v.FirstInstalmentBy)}, 5.5, "L")
	p.font("", 7)
	p.grey(greyText)
	// Only the first instalment is bound to the 28 days (L3); a schedule
	// starting late in them runs past this date, as the law allows.
	p.text(marginL+pad, y+pad+19.5, leftW-2*pad, p.wrap("L3: within 28 days of the prescription date. Later instalments on their scheduled dates.", leftW-2*pad), 3.1, "L")
	p.black()

	// Signature
	x := marginL + leftW + 4
	w := contentW - leftW - 4
	p.f.SetLineWidth(0.4)
	p.f.Rect(x, y, w, h, "D")
	p.f.SetLineWidth(0.2)
	p.font("B", 7)
	p.grey(greyText)
	p.text(x+pad, y+pad, w-2*pad, []string{"PRESCRIBER'S SIGNATURE"}, 3.6, "L")
	p.black()
	sigY := y + 14
	p.f.SetDrawColor(0, 0, 0)
	p.f.Line(x+4, sigY, x+w-46, sigY)
	p.f.Line(x+w-40, sigY, x+w-4, sigY)
	p.font("", 7.5)
	p.grey(greyText)
	p.text(x+4, sigY+0.8, w-50, []string{"Signature"}, 3.6, "L")
	p.text(x+w-40, sigY+0.8, 36, []string{"Date"}, 3.6, "L")
	p.black()
	p.font("", 8.5)
	// One line under the signature: a long name is shortened, so that the
	// role and registration still show.
	rest := clean(joinNonEmpty(" — ", "", v.Prescriber.Role, v.Prescriber.Registration))
	if rest != "" {
		rest = " — " + rest
	}
	who := p.shorten(v.Prescriber.Name, max(w-8-p.f.GetStringWidth(rest), 10)) + rest
	p.text(x+4, y+h-6.5, w-8, []string{p.shorten(who, w-8)}, 4, "L")
	p.f.SetY(y + h)
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, s := range parts {
		if s = strings.TrimSpace(s); s != "" {
			keep = append(keep, s)
		}
	}
	return strings.Join(keep, sep)
}
