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
	// Status is the prescription's state ("issued", "expired"…). It is not
	// printed as such: a pharmacist does not know Dosebook's states. One
	// that can no longer be dispensed from (expired, completed) carries a
	// bar saying so in words on every page (notValidBanner); drafts and
	// cancelled prescriptions are not printed at all.
	Status string
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
	p := prescription{doc: d, v: v, rows: scheduleRows(v.Instalments)}
	d.f.SetHeaderFunc(p.pageHeader)
	d.f.SetFooterFunc(p.pageFooter)
	d.f.AddPage()
	p.layout()
	if err := d.f.Error(); err != nil {
		return nil, fmt.Errorf("render prescription %s: %w", v.Serial, err)
	}
	return d.output()
}

type prescription struct {
	*doc
	v    PrescriptionView
	rows [][]string // the schedule's table rows
}

// rxStyle is how densely page 1 is set.
type rxStyle struct {
	text  float64 // parties, medicine and wording, in pt
	lead  float64 // line height as a multiple of the font size
	table float64 // schedule, in pt
	vpad  float64 // space above and below the schedule's cell text, mm
	gap   float64 // space between blocks, mm
}

// rxStyles run from the loosest to the tightest that still reads well on
// paper. The signature must be on the sheet that states the medicine, dose
// and total (L1, L2), and a lawful FP10MDA covers at most 14 days (L6), so
// layout measures page 1 in each style and uses the first in which the
// whole prescription fits. A fortnight of daily instalments with a dose of
// three lines, a "Replaces" line, every approved wording, the longest
// names and a COPY bar fits in the third (TestWorstCasePrescription…); the
// last leaves about 20 mm more for what no test foresaw.
var rxStyles = []rxStyle{
	{text: 9, lead: 1.25, table: 8.5, vpad: 0.5, gap: 3},
	{text: 8.5, lead: 1.2, table: 8, vpad: 0.4, gap: 2.5},
	{text: 8, lead: 1.15, table: 7.5, vpad: 0.3, gap: 2},
	{text: 7.5, lead: 1.15, table: 7.5, vpad: 0.25, gap: 1.5},
}

// lh is the line height in mm of text of size pt.
func (s rxStyle) lh(size float64) float64 { return size * 0.3528 * s.lead }

// scheduleCols are the columns of the instalment schedule.
var scheduleCols = []column{
	{"Instalment date", 40, "L"},
	{"Days covered", 44, "L"},
	{"Supervised", 34, "R"},
	{"Take-home", 34, "R"},
	{"Pharmacy record", 34, "L"},
}

func scheduleRows(ins []InstalmentRow) [][]string {
	rows := make([][]string, len(ins))
	for i, r := range ins {
		rows[i] = []string{dayDate(r.Date), orDash(r.DaysCovered), orDash(r.Supervised), orDash(r.TakeHome), ""}
	}
	return rows
}

// layout prints the prescription. Everything the prescriber signs — the
// parties, the medicine with its dose and total, the schedule, the
// approved wording — goes on page 1 with the dates and the signature, in
// the loosest style that fits. What cannot fit even in the tightest style
// is the schedule's tail: it moves to continuation pages, and page 1 says
// which instalments are there. Only if page 1 cannot hold the rest even
// without a schedule row (an address of hundreds of characters) do the
// blocks flow from page to page, the signature then kept with the wording.
func (p *prescription) layout() {
	room := contentBottom - p.f.GetY()
	s, shown, fits := p.fit(room)
	p.parties(s, true)
	p.ensure(p.medicine(s, false))
	p.medicine(s, true)
	p.schedule(s, shown, true, !fits)
	p.ensure(p.wording(s, false) + p.signature(false))
	p.wording(s, true)
	p.signature(true)
	if shown < len(p.rows) {
		p.f.AddPage()
		p.continuation(s, shown)
	}
}

// fit chooses the style and how many schedule rows page 1 shows, and
// reports whether page 1 holds the signature with the medicine.
func (p *prescription) fit(room float64) (rxStyle, int, bool) {
	fixed := func(s rxStyle) float64 {
		return p.parties(s, false) + p.medicine(s, false) + p.wording(s, false) + p.signature(false)
	}
	for _, s := range rxStyles {
		if fixed(s)+p.schedule(s, len(p.rows), false, false) <= room {
			return s, len(p.rows), true
		}
	}
	s := rxStyles[len(rxStyles)-1]
	f := fixed(s)
	for k := len(p.rows) - 1; k >= 0; k-- {
		if f+p.schedule(s, k, false, false) <= room {
			return s, k, true
		}
	}
	return s, len(p.rows), false
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
		// No state: only issued prescriptions are printed, and one that can
		// no longer be dispensed from says so in plain words below.
		p.text(marginL+2.5, y+8.2, contentW-60, []string{"Misuse of Drugs Regulations 2001 — instalment dispensing"}, 4, "L")
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
	if b := p.banner(); b != "" {
		// A black bar reads as a warning on any printer.
		f.SetFillColor(0, 0, 0)
		f.Rect(marginL, y, contentW, 6.5, "F")
		p.font("B", 11)
		f.SetTextColor(255, 255, 255)
		p.text(marginL, y+0.25, contentW, []string{p.shorten(b, contentW-4)}, 6, "C")
		p.black()
		y += 8
	}
	f.SetY(y)
}

// headerBottom is where the content of page n starts, below pageHeader.
func (p *prescription) headerBottom(n int) float64 {
	y := marginT + 13
	if n == 1 {
		y = marginT + 17
	}
	if p.banner() != "" {
		y += 8
	}
	return y
}

// banner is the black bar on every page of a print that must not be
// dispensed from: a copy, or a prescription no longer valid.
func (p *prescription) banner() string {
	var parts []string
	if p.v.Copy {
		parts = append(parts, copyBanner)
	}
	if nv := notValidBanner(p.v.Status); nv != "" {
		parts = append(parts, nv)
	}
	return strings.Join(parts, " · ")
}

// notValidBanner says in plain words why a prescription in state status
// cannot be dispensed from; "" for an issued one. A pharmacist does not
// know Dosebook's state names, so none is printed as it is.
func notValidBanner(status string) string {
	switch status {
	case "", "issued":
		return ""
	case "expired":
		return "EXPIRED — not valid for dispensing"
	case "completed":
		return "COMPLETED — every instalment date has passed"
	case "cancelled":
		return "CANCELLED — not valid for dispensing"
	case "draft":
		return "DRAFT — not valid for dispensing"
	}
	return "NOT VALID FOR DISPENSING"
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
// then the dispensing pharmacy, and returns the height they take; with
// draw false it only measures.
func (p *prescription) parties(s rxStyle, draw bool) float64 {
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
	for _, l := range blockLines(addr) {
		left = append(left, line{l, ""})
	}
	if phone != "" {
		left = append(left, line{"Tel " + phone, ""})
	}
	if d := v.Prescriber.DirectLine; d != "" && d != phone {
		left = append(left, line{"Direct line " + d, ""})
	}
	right = append(right, line{v.Patient.Name, "B"})
	for _, l := range blockLines(v.Patient.Address) {
		right = append(right, line{l, ""})
	}
	right = append(right, line{"Date of birth: " + longDate(v.Patient.DateOfBirth), ""})
	right = append(right, line{"NHS number: " + orDash(v.Patient.NHSNumber), "B"})

	size := s.text
	lh := s.lh(size)
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
	labelH := s.lh(7) + 1.9
	h := labelH + max(lh1, rh1) + 2*pad

	// Pharmacy on one line: the pharmacist checks it is theirs.
	phText := joinNonEmpty(", ", v.Pharmacy.Name, oneLine(v.Pharmacy.Address))
	if v.Pharmacy.Phone != "" {
		phText += " — Tel " + v.Pharmacy.Phone
	}
	p.font("", size)
	lines := p.wrap(orDash(phText), contentW-2*pad-38)
	ph := float64(len(lines))*lh + 2*pad
	gapAfter := s.gap + 1
	if !draw {
		return h + s.gap - 0.5 + ph + gapAfter
	}

	top := p.f.GetY()
	y := top
	box := func(x float64, label string, wrapped [][]string, styles []string) {
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
	box(marginL, "PRESCRIBER", lw, ls)
	box(marginL+colW+gapX, "PATIENT", rw, rs)
	y += h + s.gap - 0.5

	p.f.Rect(marginL, y, contentW, ph, "D")
	p.font("B", 7)
	p.grey(greyText)
	p.text(marginL+pad, y+pad, 36, []string{"DISPENSING PHARMACY"}, lh, "L")
	p.black()
	p.font("", size)
	p.text(marginL+pad+38, y+pad, contentW-2*pad-38, lines, lh, "L")
	p.f.SetY(y + ph + gapAfter)
	return y + ph + gapAfter - top
}

// medicine prints what is prescribed, with its dose and total in words and
// figures (L2), and returns the height it takes; with draw false it only
// measures.
func (p *prescription) medicine(s rxStyle, draw bool) float64 {
	v := p.v
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
	h := p.title("Medicine", s, draw) + p.grid(rows, 44, s, draw) + s.gap
	if draw {
		p.gap(s.gap)
	}
	return h
}

// title prints a bold heading with a rule under it and returns its height.
func (p *prescription) title(t string, s rxStyle, draw bool) float64 {
	size := s.text + 1.5
	lh := s.lh(size)
	h := lh + 2
	if !draw {
		return h
	}
	y := p.f.GetY()
	p.font("B", size)
	p.black()
	p.text(marginL, y, contentW, []string{clean(t)}, lh, "L")
	p.f.SetDrawColor(0, 0, 0)
	p.f.SetLineWidth(0.3)
	p.f.Line(marginL, y+lh+0.4, marginL+contentW, y+lh+0.4)
	p.f.SetLineWidth(0.2)
	p.f.SetY(y + h)
	return h
}

// grid prints label/value rows with labels in grey on the left and returns
// their height.
func (p *prescription) grid(rows []kv, labelW float64, s rxStyle, draw bool) float64 {
	size := s.text
	lh := s.lh(size)
	valW := contentW - labelW
	total := 0.0
	for _, r := range rows {
		style := ""
		if r.bold {
			style = "B"
		}
		p.font("", size-0.5)
		labels := p.wrap(r.label, labelW-2)
		p.font(style, size)
		lines := p.wrap(orDash(r.value), valW)
		h := float64(max(len(lines), len(labels)))*lh + s.gap*0.8/3
		total += h
		if !draw {
			continue
		}
		y := p.f.GetY()
		p.font("", size-0.5)
		p.grey(greyText)
		p.text(marginL, y, labelW, labels, lh, "L")
		p.black()
		p.font(style, size)
		p.text(marginL+labelW, y, valW, lines, lh, "L")
		p.f.SetY(y + h)
	}
	return total
}

// schedule prints the schedule's first shown rows and returns the height
// taken. When rows are left for a continuation page, page 1 says which.
// With flow set (the prescription does not fit one page) the table flows
// over pages, and without wording the signature is kept with its last row.
func (p *prescription) schedule(s rxStyle, shown int, draw, flow bool) float64 {
	h := p.title(fmt.Sprintf("Instalment schedule — %d instalments", len(p.rows)), s, false)
	if shown > 0 {
		h += p.tableHeight(scheduleCols, p.rows[:shown], s.table, s.vpad)
	}
	note := p.continuedNote(s, shown)
	lh := s.lh(s.text)
	if len(note) > 0 {
		p.font("B", s.text)
		h += float64(len(note))*lh + 1
	}
	h += s.gap
	if !draw {
		return h
	}
	if flow {
		_, headerH := p.tableHeader(scheduleCols, s.table, s.vpad)
		p.ensure(p.title("", s, false) + headerH + 16)
	}
	p.title(fmt.Sprintf("Instalment schedule — %d instalments", len(p.rows)), s, true)
	if shown > 0 {
		after := 0.0
		if flow && len(p.v.Wording) == 0 {
			after = s.gap + p.signature(false)
		}
		p.tableKeep(scheduleCols, p.rows[:shown], s.table, s.vpad, after)
	}
	if len(note) > 0 {
		y := p.f.GetY() + 1
		p.font("B", s.text)
		p.text(marginL, y, contentW, note, lh, "L")
		p.f.SetY(y + float64(len(note))*lh)
	}
	p.gap(s.gap)
	return h
}

// continuedNote tells the pharmacist, under the rows page 1 shows, which
// instalments are on the continuation pages; nil when none are.
func (p *prescription) continuedNote(s rxStyle, shown int) []string {
	n := len(p.rows)
	if shown >= n {
		return nil
	}
	ins := p.v.Instalments
	var which string
	switch {
	case shown == 0 && n > 1:
		which = fmt.Sprintf("All %d instalments (%s to %s)", n, dayDate(ins[0].Date), dayDate(ins[n-1].Date))
	case shown == n-1:
		which = fmt.Sprintf("Instalment %d (%s)", n, dayDate(ins[n-1].Date))
	default:
		which = fmt.Sprintf("Instalments %d to %d (%s to %s)", shown+1, n, dayDate(ins[shown].Date), dayDate(ins[n-1].Date))
	}
	pages := "page 2"
	if last := 1 + p.continuationPages(s, shown); last > 2 {
		pages = fmt.Sprintf("pages 2 to %d", last)
	}
	p.font("B", s.text)
	return p.wrap(fmt.Sprintf("%s: continued on %s, which carries this serial number. The prescription is signed on this page.", which, pages), contentW)
}

// continuation prints the schedule's rows from the first not shown on page
// 1, on the pages after it, with the table header on each.
func (p *prescription) continuation(s rxStyle, from int) {
	n := len(p.rows)
	t := fmt.Sprintf("Instalment schedule, continued from page 1 — instalments %d to %d of %d", from+1, n, n)
	if from == n-1 {
		t = fmt.Sprintf("Instalment schedule, continued from page 1 — instalment %d of %d", n, n)
	}
	p.title(t, s, true)
	p.table(scheduleCols, p.rows[from:], s.table, s.vpad)
}

// continuationPages counts the pages continuation takes, placing rows as
// tableKeep does.
func (p *prescription) continuationPages(s rxStyle, from int) int {
	top := p.headerBottom(2)
	_, headerH := p.tableHeader(scheduleCols, s.table, s.vpad)
	pages := 1
	y := top + p.title("", s, false)
	for i, r := range p.rows[from:] {
		_, h := p.tableRow(scheduleCols, r, s.table, s.vpad)
		if i == 0 {
			if y+headerH+h > contentBottom {
				pages, y = pages+1, top
			}
			y += headerH
		} else if y+h > contentBottom {
			pages, y = pages+1, top+headerH
		}
		y += h
	}
	return pages
}

// wording prints the approved wording (L7) and returns the height taken.
func (p *prescription) wording(s rxStyle, draw bool) float64 {
	v := p.v
	if len(v.Wording) == 0 {
		return 0
	}
	size := s.text
	lh := s.lh(size)
	p.font("", size)
	bodyW := contentW - 2*pad - 4
	var wrapped [][]string
	headH := s.lh(8) + 2
	h := headH + 2*pad
	for _, w := range v.Wording {
		l := p.wrap(w, bodyW)
		wrapped = append(wrapped, l)
		h += float64(len(l))*lh + 0.6
	}
	if !draw {
		return h + s.gap
	}
	y := p.f.GetY()
	p.f.SetFillColor(246, 246, 246)
	p.f.Rect(marginL, y, contentW, h, "FD")
	p.font("B", 8)
	p.grey(greyText)
	p.text(marginL+pad, y+pad, contentW-2*pad, []string{"Instructions to the pharmacist (Home Office approved wording)"}, headH-1.5, "L")
	p.black()
	yy := y + pad + headH
	for _, l := range wrapped {
		p.font("B", size)
		p.text(marginL+pad, yy, 4, []string{"•"}, lh, "L")
		p.font("", size)
		yy += p.text(marginL+pad+4, yy, bodyW, l, lh, "L") + 0.6
	}
	p.f.SetY(y + h + s.gap)
	return h + s.gap
}

// validityNote explains the date the first instalment is due by in plain
// words (L3, reg 16): only the first instalment is bound to it, and a
// schedule starting late in the period runs past it, as the law allows.
func validityNote(v PrescriptionView) string {
	if v.PrescriptionDate.IsZero() || v.FirstInstalmentBy.IsZero() {
		return "Later instalments on their scheduled dates."
	}
	return fmt.Sprintf("The first instalment must be dispensed within %d days of the prescription date. Later instalments on their scheduled dates.",
		v.PrescriptionDate.DaysUntil(v.FirstInstalmentBy))
}

// The dates box is this wide; the signature box takes the rest.
const datesW = 84.0

// signatureMinH is the least height of the dates and signature boxes: room
// to sign by hand.
const signatureMinH = 24.0

// signature keeps dates and the signature box together, and returns their
// height: an unsigned or undated CD prescription is not valid (L1), and
// the first instalment is due within 28 days of the prescription date
// (L3).
func (p *prescription) signature(draw bool) float64 {
	v := p.v
	const leftW = datesW
	p.font("", 7)
	note := p.wrap(validityNote(v), leftW-2*pad)
	const noteLH = 3.1
	const noteY = pad + 18.6 // below the two dates
	h := max(signatureMinH, noteY+float64(len(note))*noteLH+pad)
	if !draw {
		return h
	}
	y := p.f.GetY()
	// Dates
	p.f.Rect(marginL, y, leftW, h, "D")
	p.font("B", 7)
	p.grey(greyText)
	p.text(marginL+pad, y+pad, leftW-2*pad, []string{"Prescription date"}, 3.4, "L")
	p.black()
	p.font("B", 11)
	p.text(marginL+pad, y+pad+3.6, leftW-2*pad, []string{longDate(v.PrescriptionDate)}, 5.2, "L")
	p.font("B", 7)
	p.grey(greyText)
	p.text(marginL+pad, y+pad+9.2, leftW-2*pad, []string{"First instalment to be dispensed by"}, 3.4, "L")
	p.black()
	p.font("B", 11)
	p.text(marginL+pad, y+pad+12.6, leftW-2*pad, []string{longDate(v.FirstInstalmentBy)}, 5.2, "L")
	p.font("", 7)
	p.grey(greyText)
	p.text(marginL+pad, y+noteY, leftW-2*pad, note, noteLH, "L")
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
	sigY := y + h/2 + 0.5
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
	return h
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
