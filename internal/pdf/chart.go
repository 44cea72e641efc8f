package pdf

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/dosebook/dosebook/internal/calendar"
)

// Chart geometry in mm. The outcome marks sit in lanes under the dose line,
// one lane per outcome: a day is ~0.85 mm wide over six months, so the lane
// tells the outcome even where the small shapes merge.
const (
	chartGutter  = 24.0 // left: mg labels and lane names
	chartRight   = 14.0 // right: current dose label and lane counts
	chartPlotH   = 46.0
	chartMonthH  = 6.0
	chartLaneH   = 4.2
	chartLegendH = 8.0
	chartHeight  = chartPlotH + chartMonthH + 4*chartLaneH + 2 + chartLegendH
	// An injection chart has no outcome lanes; each injection's date is
	// written upright under the axis, above the months.
	chartDatesH          = 9.0
	injectionChartHeight = chartPlotH + chartDatesH + chartMonthH + chartLegendH
	// chartFirstMonthOverhang is how far a part-month's label may reach
	// left of the plot, into the gutter under the mg labels.
	chartFirstMonthOverhang = 8.0
)

type lane struct {
	outcome, label string
}

var chartLanes = []lane{
	{OutcomeSupervised, "Supervised"},
	{OutcomeCollected, "Collected"},
	{OutcomeMissed, "Missed"},
	{OutcomeWithheld, "Withheld/refused"},
}

func (c ChartData) validate() error {
	for _, in := range c.Injections {
		if in.DoseMg < 0 || math.IsNaN(in.DoseMg) || math.IsInf(in.DoseMg, 0) {
			return fmt.Errorf("pdf: chart injection %s: dose %v out of range", in.Date, in.DoseMg)
		}
	}
	for _, d := range c.Days {
		switch d.Outcome {
		case OutcomeSupervised, OutcomeCollected, OutcomeMissed, OutcomeWithheld, OutcomeNone, "":
		default:
			return fmt.Errorf("pdf: chart day %s: unknown outcome %q", d.Date, d.Outcome)
		}
		if d.DoseMg < 0 || math.IsNaN(d.DoseMg) || math.IsInf(d.DoseMg, 0) {
			return fmt.Errorf("pdf: chart day %s: dose %v out of range", d.Date, d.DoseMg)
		}
	}
	return nil
}

// span is the chart's date range: From/To when set, else the days' extent.
func (c ChartData) span() (from, to calendar.Date) {
	from, to = c.From, c.To
	dates := make([]calendar.Date, 0, len(c.Days)+len(c.Injections))
	for _, d := range c.Days {
		dates = append(dates, d.Date)
	}
	for _, in := range c.Injections {
		dates = append(dates, in.Date)
	}
	for _, d := range dates {
		if c.From.IsZero() && (from.IsZero() || d.Before(from)) {
			from = d
		}
		if c.To.IsZero() && (to.IsZero() || d.After(to)) {
			to = d
		}
	}
	return from, to
}

// niceStep picks a tick step giving at most six ticks up to top.
func niceStep(top float64) float64 {
	for _, s := range []float64{2, 5, 10, 20, 25, 50, 100, 200, 500} {
		if top/s <= 6 {
			return s
		}
	}
	return 1000
}

func mgLabel(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64) + " mg"
}

// chartFrame is the plot area of a chart: days across, mg up.
type chartFrame struct {
	from           calendar.Date
	px, pw, py, ph float64
	dayW, top      float64
}

func (fr chartFrame) xOf(d calendar.Date) float64 {
	return fr.px + float64(fr.from.DaysUntil(d))*fr.dayW
}
func (fr chartFrame) yOf(mg float64) float64 { return fr.py + fr.ph - mg/fr.top*fr.ph }

// markInset is the least room between a lane mark and the lanes' frame.
const markInset = 0.3

// markX is the centre of a lane mark w mm wide for day d: the middle of
// the day, moved in where the mark would otherwise reach the frame's side
// lines (the first and last days, today's among them, where a day is
// narrower than the mark).
func (fr chartFrame) markX(d calendar.Date, w float64) float64 {
	x := fr.xOf(d) + fr.dayW/2
	return min(max(x, fr.px+w/2+markInset), fr.px+fr.pw-w/2-markInset)
}

// frame draws the mg grid and ticks, the month boundaries with each
// month's name at monthY, and the axes, for days from to to and doses up
// to maxDose, starting at y. ok is false for an empty range.
func (s *summary) frame(from, to calendar.Date, maxDose, y, monthGap float64) (fr chartFrame, ok bool) {
	f := s.f
	n := from.DaysUntil(to) + 1
	if n <= 0 {
		return fr, false
	}
	fr.from = from
	fr.px = marginL + chartGutter
	fr.pw = contentW - chartGutter - chartRight
	fr.dayW = fr.pw / float64(n)
	step := niceStep(max(maxDose*1.1, 1))
	fr.top = math.Ceil(max(maxDose*1.1, 1)/step) * step
	fr.py = y + 2
	fr.ph = chartPlotH - 2

	// Grid and mg ticks.
	s.font("", 7)
	s.grey(greyText)
	f.SetLineWidth(0.15)
	f.SetDrawColor(greyGrid, greyGrid, greyGrid)
	for v := 0.0; v <= fr.top+1e-9; v += step {
		yy := fr.yOf(v)
		f.Line(fr.px, yy, fr.px+fr.pw, yy)
		s.text(marginL, yy-1.75, chartGutter-2, []string{mgLabel(v)}, 3.5, "R")
	}

	// Month boundaries and labels, centred in each month's part of the
	// range. The first label printed carries the year, and so does each
	// January, so the reader always knows which year a month is in.
	base := fr.py + fr.ph
	monthStart := calendar.NewDate(from.Year(), from.Month(), 1)
	yearShown := false
	for m := monthStart; !m.After(to); m = calendar.NewDate(m.Year(), m.Month()+1, 1) {
		next := calendar.NewDate(m.Year(), m.Month()+1, 1)
		a, b := m, next.AddDays(-1)
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		x0, x1 := fr.xOf(a), fr.xOf(b)+fr.dayW
		if !m.Before(from) {
			f.SetDrawColor(greyGrid, greyGrid, greyGrid)
			f.Line(x0, fr.py, x0, fr.py+fr.ph)
			f.SetDrawColor(0, 0, 0)
			f.Line(x0, base+monthGap, x0, base+monthGap+1.2)
		}
		// The first month is usually a part-month: its label may reach
		// left into the gutter, which is empty at that height, and sits
		// against the next month's boundary.
		room, lx, align := x1-x0, x0, "C"
		if m.Equal(monthStart) && a.After(m) {
			room, lx, align = x1-(fr.px-chartFirstMonthOverhang), fr.px-chartFirstMonthOverhang, "R"
		}
		fits := func(l string) bool { return f.GetStringWidth(l)+1 < room }
		label := ""
		switch long, short := m.Format("Jan 2006"), m.Format("Jan"); {
		case (!yearShown || m.Month() == time.January) && fits(long):
			label, yearShown = long, true
		case fits(short):
			label = short
		}
		if label != "" {
			w := x1 - lx
			if align == "R" {
				w -= 0.5
			}
			s.text(lx, base+monthGap+1.3, w, []string{label}, 3.6, align)
		}
	}

	// Axes.
	f.SetDrawColor(0, 0, 0)
	f.SetLineWidth(0.3)
	f.Line(fr.px, fr.py, fr.px, fr.py+fr.ph)
	f.Line(fr.px, fr.py+fr.ph, fr.px+fr.pw, fr.py+fr.ph)
	return fr, true
}

// switches draws each change of regime as a dashed grey line up the plot,
// at the start of the switch day less shift; the captions under the chart
// say what changed. The injection chart shifts it left of the day, so that
// it does not run through the stem and dose label of an injection given on
// the switch day.
func (s *summary) switches(c ChartData, fr chartFrame, from, to calendar.Date, shift float64) {
	f := s.f
	f.SetDrawColor(greyText, greyText, greyText)
	f.SetLineWidth(0.3)
	f.SetDashPattern([]float64{1.2, 0.9}, 0)
	for _, sw := range c.Switches {
		if sw.Date.Before(from) || sw.Date.After(to) {
			continue
		}
		x := max(fr.xOf(sw.Date)-shift, fr.px)
		f.Line(x, fr.py, x, fr.py+fr.ph)
	}
	f.SetDrawColor(0, 0, 0)
	f.SetDashPattern([]float64{}, 0)
	f.SetLineWidth(0.2)
}

// chart draws the dose step line and outcome lanes starting at y.
func (s *summary) chart(c ChartData, y float64) {
	f := s.f
	from, to := c.span()
	maxDose := 0.0
	for _, d := range c.Days {
		maxDose = max(maxDose, d.DoseMg)
	}
	fr, ok := s.frame(from, to, maxDose, y, 0)
	if !ok {
		return
	}
	px, pw, py, ph, dayW := fr.px, fr.pw, fr.py, fr.ph, fr.dayW
	xOf, yOf := fr.xOf, fr.yOf
	s.switches(c, fr, from, to, 0)
	// A change of regime breaks the dose line: the doses before and after
	// are of different regimes (perhaps different medicines), not a step.
	switchOn := map[string]bool{}
	for _, sw := range c.Switches {
		switchOn[sw.Date.String()] = true
	}

	// Dose as a step line: a dose holds for the whole day. Runs of the same
	// dose are one segment; days without data leave a gap.
	f.SetLineWidth(0.6)
	days := make([]ChartDay, 0, len(c.Days))
	for _, d := range c.Days {
		if !d.Date.Before(from) && !d.Date.After(to) {
			days = append(days, d)
		}
	}
	// One path per run of consecutive days, so corners join cleanly.
	var last *ChartDay
	open := false
	for i := range days {
		d := &days[i]
		x := xOf(d.Date)
		switch {
		case last == nil || !d.Date.Equal(last.Date.AddDays(1)) || switchOn[d.Date.String()]: // start, a gap in the data, or a switch
			if open {
				f.LineTo(xOf(last.Date)+dayW, yOf(last.DoseMg))
				f.DrawPath("D")
			}
			f.MoveTo(x, yOf(d.DoseMg))
			open = true
		case d.DoseMg != last.DoseMg:
			f.LineTo(x, yOf(last.DoseMg))
			f.LineTo(x, yOf(d.DoseMg))
		}
		last = d
	}
	if open {
		f.LineTo(xOf(last.Date)+dayW, yOf(last.DoseMg))
		f.DrawPath("D")
		s.font("B", 7.5)
		s.black()
		s.text(xOf(last.Date)+dayW+1, yOf(last.DoseMg)-1.8, chartRight-1, []string{mgLabel(last.DoseMg)}, 3.6, "L")
	}

	// Outcome lanes.
	ly := py + ph + chartMonthH
	// Supervised and collected days are the rule: narrow bars, one per day.
	// Missed and withheld days are the exceptions and are drawn large even
	// where they overlap their neighbours.
	barW := min(dayW*0.8, 2.0)
	const barH, eventSize = 2.0, 1.8
	counts := map[string]int{}
	for _, d := range days {
		counts[d.Outcome]++
	}
	// The counts on the right are days in each lane over the chart's range.
	s.font("B", 6.5)
	s.grey(greyText)
	s.text(px+pw+1, ly-3.7, chartRight-1, []string{"Days"}, 3.5, "L")
	for i, l := range chartLanes {
		cy := ly + float64(i)*chartLaneH + chartLaneH/2
		f.SetDrawColor(greyGrid, greyGrid, greyGrid)
		f.SetLineWidth(0.1)
		f.Line(px, cy, px+pw, cy)
		s.font("", 7)
		s.grey(greyText)
		s.text(marginL, cy-1.75, chartGutter-2, []string{l.label}, 3.5, "R")
		s.text(px+pw+1, cy-1.75, chartRight-1, []string{strconv.Itoa(counts[l.outcome])}, 3.5, "L")
		f.SetDrawColor(0, 0, 0)
		f.SetFillColor(0, 0, 0)
		for _, d := range days {
			if d.Outcome == l.outcome {
				if l.outcome == OutcomeSupervised || l.outcome == OutcomeCollected {
					mark(f, l.outcome, fr.markX(d.Date, barW), cy, barW, barH)
				} else {
					mark(f, l.outcome, fr.markX(d.Date, eventSize), cy, eventSize, eventSize)
				}
			}
		}
	}
	f.SetDrawColor(0, 0, 0)
	f.SetLineWidth(0.2)
	f.Rect(px, ly, pw, 4*chartLaneH, "D")

	// Legend.
	gy := ly + 4*chartLaneH + 2 + chartLegendH/2
	x := px
	s.font("", 7.5)
	s.black()
	f.SetLineWidth(0.6)
	f.Line(x, gy, x+6, gy)
	f.SetLineWidth(0.2)
	x += 7.5
	lbl := "Daily dose (mg)"
	s.text(x, gy-1.8, 40, []string{lbl}, 3.6, "L")
	x += f.GetStringWidth(lbl) + 6
	for _, l := range []lane{
		{OutcomeSupervised, "Supervised"},
		{OutcomeCollected, "Collected (take-home)"},
		{OutcomeMissed, "Missed"},
		{OutcomeWithheld, "Withheld or refused"},
	} {
		f.SetFillColor(0, 0, 0)
		mark(f, l.outcome, x+1.2, gy, 2.2, 2.2)
		x += 3.5
		s.text(x, gy-1.8, 40, []string{l.label}, 3.6, "L")
		x += f.GetStringWidth(l.label) + 6
	}
	f.SetY(gy + chartLegendH/2)
}

// injectionChart draws each injection as a stem up to its dose, labelled
// with the dose, and its date upright under the axis; an additional dose
// (BV6) is a hollow mark. Where injections are too close for two labels
// (an additional dose a day after a regular one), the later label is left
// out: the injection table lists every one.
func (s *summary) injectionChart(c ChartData, y float64) {
	f := s.f
	from, to := c.span()
	maxDose := 0.0
	for _, in := range c.Injections {
		maxDose = max(maxDose, in.DoseMg)
	}
	fr, ok := s.frame(from, to, maxDose, y, chartDatesH)
	if !ok {
		return
	}
	base := fr.py + fr.ph
	s.switches(c, fr, from, to, 1.6)
	const r = 0.9 // mark radius
	doseEnd, dateEnd := math.Inf(-1), math.Inf(-1)
	for _, in := range c.Injections {
		if in.Date.Before(from) || in.Date.After(to) {
			continue
		}
		x := fr.xOf(in.Date) + fr.dayW/2
		top := fr.yOf(in.DoseMg)
		f.SetDrawColor(0, 0, 0)
		f.SetLineWidth(0.4)
		f.Line(x, base, x, top)
		f.SetLineWidth(0.3)
		f.SetFillColor(255, 255, 255)
		style := "FD"
		if !in.Extra {
			f.SetFillColor(0, 0, 0)
		}
		f.Circle(x, top, r, style)

		s.font("", 6.5)
		s.black()
		dose := strconv.FormatFloat(in.DoseMg, 'f', -1, 64)
		if w := f.GetStringWidth(dose); x-w/2 > doseEnd+0.5 {
			s.text(x-w/2-0.5, top-r-3.4, w+1, []string{dose}, 3, "C")
			doseEnd = x + w/2
		}
		// The date reads upwards from the axis, one narrow column per
		// injection, so weekly injections each keep theirs.
		s.font("", 6)
		s.grey(greyText)
		const colW = 2.4 // the upright text's line height
		if x-colW/2 > dateEnd+0.2 {
			date := in.Date.Format("2 Jan")
			f.TransformBegin()
			f.TransformRotate(90, x, base+1)
			f.Text(x-f.GetStringWidth(date)-1, base+1+0.8, date)
			f.TransformEnd()
			dateEnd = x + colW/2
		}
		s.black()
	}

	// Legend.
	gy := base + chartDatesH + chartMonthH + chartLegendH/2
	x := fr.px
	s.font("", 7.5)
	s.black()
	f.SetLineWidth(0.3)
	type key struct {
		extra bool
		label string
	}
	keys := []key{{false, "Injection (label: dose in mg)"}}
	for _, in := range c.Injections {
		if in.Extra {
			keys = append(keys, key{true, "Additional dose (between regular doses)"})
			break
		}
	}
	for _, l := range keys {
		f.SetFillColor(255, 255, 255)
		if !l.extra {
			f.SetFillColor(0, 0, 0)
		}
		f.Circle(x+1.2, gy, r, "FD")
		x += 3.5
		s.text(x, gy-1.8, 60, []string{l.label}, 3.6, "L")
		x += f.GetStringWidth(l.label) + 6
	}
	f.SetLineWidth(0.2)
	f.SetY(gy + chartLegendH/2)
}

// mark draws an outcome shape centred on (x, y), legible in black and white:
// filled square or bar, hollow square or bar, cross, triangle.
func mark(f *gofpdf.Fpdf, outcome string, x, y, w, h float64) {
	hw, hh := w/2, h/2
	switch outcome {
	case OutcomeSupervised:
		f.Rect(x-hw, y-hh, w, h, "F")
	case OutcomeCollected:
		lw := min(0.2, w/5)
		f.SetLineWidth(lw)
		f.Rect(x-hw+lw/2, y-hh+lw/2, w-lw, h-lw, "D")
	case OutcomeMissed:
		f.SetLineWidth(0.3)
		f.Line(x-hw, y-hh, x+hw, y+hh)
		f.Line(x-hw, y+hh, x+hw, y-hh)
	case OutcomeWithheld:
		f.Polygon([]gofpdf.PointType{{X: x - hw, Y: y + hh}, {X: x + hw, Y: y + hh}, {X: x, Y: y - hh}}, "F")
	}
}
