// Package pdf renders Dosebook's printed documents — the FP10MDA-style
// instalment prescription and the shared care summary sent to the GP — from
// plain view-models. Callers format doses and quantities; this package only
// lays them out, so a document says exactly what the clinical services decided.
package pdf

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jung-kurt/gofpdf"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/patients"
)

// Options control how a document is written, not what it says.
type Options struct {
	// CreatedAt is stamped as the PDF creation and modification date. Tests
	// pass a fixed time so the same input yields identical bytes; the zero
	// value means "now".
	CreatedAt time.Time
	// Compress deflates page content streams. Tests turn it off so that the
	// text can be inspected in the raw file.
	Compress bool
}

// The built-in PDF fonts are Latin-1 only: "£" and "é" come out garbled and
// "—" makes gofpdf panic (STYLE point 10). DejaVu Sans covers every name a
// UK patient list contains (Zoë, Łukasz, Nguyễn…).
//
//go:embed fonts/DejaVuSans.ttf fonts/DejaVuSans-Bold.ttf
var fontFiles embed.FS

const family = "DejaVu"

type fontSet struct{ regular, bold []byte }

// loadFonts reads the embedded TTFs once, and every document is given these
// same slices. That is safe and cheap only because gofpdf is carried patched
// in third_party/gofpdf (see PATCHES.md there): upstream v1.16.2 parsed both
// fonts twice for every document (most of the ~11 ms a prescription took)
// and wrote into the font bytes while subsetting them. The patched gofpdf
// parses each distinct font once per process and never writes into the
// bytes. The fonts are embedded whole, not subset, so that any name (Greek,
// Cyrillic, Vietnamese…) prints; each PDF still embeds only the glyphs it
// uses.
var loadFonts = sync.OnceValues(func() (fontSet, error) {
	reg, err := fontFiles.ReadFile("fonts/DejaVuSans.ttf")
	if err != nil {
		return fontSet{}, fmt.Errorf("read regular font: %w", err)
	}
	bold, err := fontFiles.ReadFile("fonts/DejaVuSans-Bold.ttf")
	if err != nil {
		return fontSet{}, fmt.Errorf("read bold font: %w", err)
	}
	return fontSet{regular: reg, bold: bold}, nil
})

// Page geometry in millimetres (A4 portrait).
const (
	pageW   = 210.0
	pageH   = 297.0
	marginL = 12.0
	marginR = 12.0
	marginT = 12.0
	// Content stops here; the footer lives below.
	contentBottom = pageH - 16.0
	contentW      = pageW - marginL - marginR
	pad           = 1.6 // inner padding of boxes and table cells
)

// Greys only, so both documents survive a black-and-white printer.
const (
	greyFill   = 232 // header rows, title bars
	greyLine   = 150 // light rules
	greyGrid   = 215 // chart grid lines
	greyText   = 85  // labels
	greyStamp  = 150 // COPY watermark
	nbPagesTag = "{nb}"
)

// doc wraps a gofpdf document with the few layout primitives both documents
// share: wrapped text, boxes, label/value grids and tables that flow across
// pages with a repeated header.
type doc struct {
	f *gofpdf.Fpdf
}

func newDoc(o Options, title string) (*doc, error) {
	fs, err := loadFonts()
	if err != nil {
		return nil, err
	}
	f := gofpdf.New("P", "mm", "A4", "")
	f.SetCompression(o.Compress)
	f.SetCatalogSort(true)
	created := o.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetTitle(title, true)
	f.SetCreator("Dosebook", true)
	f.SetProducer("Dosebook (gofpdf)", true)
	f.AddUTF8FontFromBytes(family, "", fs.regular)
	f.AddUTF8FontFromBytes(family, "B", fs.bold)
	f.AliasNbPages(nbPagesTag)
	f.SetMargins(marginL, marginT, marginR)
	// Page breaks are placed explicitly (ensure) so that blocks such as the
	// signature box are never split and table headers can be repeated.
	f.SetAutoPageBreak(false, 0)
	f.SetCellMargin(0)
	f.SetDrawColor(0, 0, 0)
	f.SetTextColor(0, 0, 0)
	f.SetLineWidth(0.2)
	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("set up pdf: %w", err)
	}
	return &doc{f: f}, nil
}

func (d *doc) output() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("write pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// font sets the font; size is in points.
func (d *doc) font(style string, size float64) { d.f.SetFont(family, style, size) }

func (d *doc) grey(v int) { d.f.SetTextColor(v, v, v) }
func (d *doc) black()     { d.f.SetTextColor(0, 0, 0) }

// lineH is a comfortable line height in mm for a font size in points.
func lineH(size float64) float64 { return size * 0.3528 * 1.25 }

// clean makes a string safe for gofpdf: its width tables stop at U+FFFF, so
// anything beyond (emoji) would index out of range; tabs become spaces.
func clean(s string) string {
	ok := true
	for _, r := range s {
		if r > 0xFFFF || r == '\t' || r == '\r' {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r > 0xFFFF:
			b.WriteRune('\uFFFD')
		case r == '\t':
			b.WriteByte(' ')
		case r == '\r':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wrap splits s into lines no wider than w with the current font; explicit
// newlines are kept.
func (d *doc) wrap(s string, w float64) []string {
	s = clean(s)
	if s == "" {
		return []string{""}
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		if para == "" {
			out = append(out, "")
			continue
		}
		out = append(out, d.splitKeepingNumbers(para, w)...)
	}
	return out
}

// spacedNumber is a telephone (or NHS) number written in groups, e.g.
// "01905 555 010", "+44 1905 555 010", "999 000 6725".
var spacedNumber = regexp.MustCompile(`\+?\d{2,5}(?: \d{2,4}){1,3}\b`)

// glue stands for a space inside a spaced number while the text is split
// into lines: it is no space to gofpdf, so the number is never broken
// across lines, which a reader dialling it would misread.
const glue = '\uE000'

// splitKeepingNumbers is SplitText that keeps every spaced number on one
// line. A glued space is not measured as one, so the lines of a paragraph
// holding such numbers are split narrower by their spaces' width.
func (d *doc) splitKeepingNumbers(para string, w float64) []string {
	glued := 0
	para = spacedNumber.ReplaceAllStringFunc(para, func(n string) string {
		if strings.Count(n, " ") == 0 || len(strings.ReplaceAll(strings.TrimPrefix(n, "+"), " ", "")) < 9 {
			return n
		}
		glued += strings.Count(n, " ")
		return strings.ReplaceAll(n, " ", string(glue))
	})
	if glued == 0 {
		return d.splitAtHyphens(para, w)
	}
	lines := d.splitAtHyphens(para, w-float64(glued)*d.f.GetStringWidth(" "))
	for i, l := range lines {
		lines[i] = strings.ReplaceAll(l, string(glue), " ")
	}
	return lines
}

// splitAtHyphens is SplitText, except that a word too long for a line is
// broken after one of its own hyphens where it has one: a double-barrelled
// name broken between letters reads as two names ("…Marjori" and
// "banks-…"), which a pharmacist checking identity could misread. Only a
// part still too long for a line is broken between letters.
func (d *doc) splitAtHyphens(para string, w float64) []string {
	words := strings.Fields(para)
	long := slices.ContainsFunc(words, func(word string) bool {
		return strings.Contains(strings.TrimSuffix(word, "-"), "-") && !d.fits(word, w)
	})
	if !long {
		return d.f.SplitText(para, w)
	}
	var lines []string
	line := ""
	add := func(part string, joined bool) {
		switch {
		case line == "":
			line = part
		case joined && d.fits(line+part, w):
			line += part
		case !joined && d.fits(line+" "+part, w):
			line += " " + part
		default:
			lines = append(lines, line)
			line = part
		}
	}
	for _, word := range words {
		if d.fits(word, w) {
			add(word, false)
			continue
		}
		for i, part := range strings.SplitAfter(word, "-") {
			if part == "" {
				continue
			}
			for j, piece := range d.f.SplitText(part, w) {
				add(piece, i > 0 || j > 0)
			}
		}
	}
	return append(lines, line)
}

// fits says whether s goes on one line of width w, measured as SplitText
// measures it.
func (d *doc) fits(s string, w float64) bool {
	return len(d.f.SplitText(s, w)) <= 1
}

// ellipsis marks text shortened to fit.
const ellipsis = "…"

// shorten cuts s to fit w with the current font, ending it with an
// ellipsis, for the one-line header and footer texts that cannot wrap.
func (d *doc) shorten(s string, w float64) string {
	s = clean(s)
	if d.f.GetStringWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.f.GetStringWidth(strings.TrimRight(string(r), " ")+ellipsis) > w {
		r = r[:len(r)-1]
	}
	return strings.TrimRight(string(r), " ") + ellipsis
}

// identity is a patient's name, date of birth and NHS number on one line
// of width w with the current font: a long name is shortened, never the
// date of birth or NHS number, which identify the patient when pages are
// separated.
func (d *doc) identity(pt Patient, nhsLabel string, w float64) string {
	rest := clean(fmt.Sprintf(" — DOB %s — %s %s", longDate(pt.DateOfBirth), nhsLabel, orDash(pt.NHSNumber)))
	return d.shorten(pt.Name, max(w-d.f.GetStringWidth(rest), 10)) + rest
}

// text writes lines at (x, y) = top-left of the first line and returns the
// height used.
func (d *doc) text(x, y, w float64, lines []string, lh float64, align string) float64 {
	for i, l := range lines {
		d.f.SetXY(x, y+float64(i)*lh)
		d.f.CellFormat(w, lh, l, "", 0, align+"M", false, 0, "")
	}
	return float64(len(lines)) * lh
}

// ensure starts a new page when h more millimetres do not fit; it reports
// whether it did.
func (d *doc) ensure(h float64) bool {
	if d.f.GetY()+h <= contentBottom {
		return false
	}
	d.f.AddPage()
	return true
}

// sectionTitle prints a bold heading with a rule under it and keeps at
// least keep mm of the following content on the same page.
func (d *doc) sectionTitle(title string, keep float64) {
	const size = 10.5
	h := lineH(size) + 2
	d.ensure(h + keep)
	y := d.f.GetY()
	d.font("B", size)
	d.black()
	d.text(marginL, y, contentW, []string{clean(title)}, lineH(size), "L")
	d.f.SetDrawColor(0, 0, 0)
	d.f.SetLineWidth(0.3)
	d.f.Line(marginL, y+lineH(size)+0.4, marginL+contentW, y+lineH(size)+0.4)
	d.f.SetLineWidth(0.2)
	d.f.SetY(y + h)
}

// paragraph prints wrapped text across the content width, flowing over
// pages line by line.
func (d *doc) paragraph(s string, style string, size float64) {
	d.font(style, size)
	lh := lineH(size)
	for _, l := range d.wrap(s, contentW) {
		d.ensure(lh)
		y := d.f.GetY()
		d.text(marginL, y, contentW, []string{l}, lh, "L")
		d.f.SetY(y + lh)
	}
}

// kv is one label/value row of a grid.
type kv struct {
	label, value string
	bold         bool
}

// kvGrid prints label/value rows with labels in grey on the left.
func (d *doc) kvGrid(rows []kv, labelW float64, size float64) {
	lh := lineH(size)
	valW := contentW - labelW
	for _, r := range rows {
		style := ""
		if r.bold {
			style = "B"
		}
		d.font("", size-0.5)
		labels := d.wrap(r.label, labelW-2)
		d.font(style, size)
		lines := d.wrap(orDash(r.value), valW)
		h := float64(max(len(lines), len(labels)))*lh + 0.8
		d.ensure(h)
		y := d.f.GetY()
		d.font("", size-0.5)
		d.grey(greyText)
		d.text(marginL, y, labelW, labels, lh, "L")
		d.black()
		d.font(style, size)
		d.text(marginL+labelW, y, valW, lines, lh, "L")
		d.f.SetY(y + h)
	}
}

// column describes one table column.
type column struct {
	title string
	width float64
	align string // "L", "C" or "R"
}

// tableHPad keeps cell text off the cell's side borders, however tight the
// rows are set.
const tableHPad = 1.2

// table prints a bordered table whose rows flow onto following pages, where
// the header row is repeated (a pharmacist reading page 2 still needs to
// know which column is supervised and which take-home). vpad is the space
// above and below each cell's text.
func (d *doc) table(cols []column, rows [][]string, size, vpad float64) {
	d.tableKeep(cols, rows, size, vpad, 0)
}

// tableKeep is table with keepAfter mm kept on the page of the last row, so
// that what follows (a signature) is not left alone on a page.
func (d *doc) tableKeep(cols []column, rows [][]string, size, vpad, keepAfter float64) {
	lh := lineH(size)
	titles, headerH := d.tableHeader(cols, size, vpad)
	header := func() { d.drawHeaderRow(cols, titles, headerH, size, vpad) }
	first := true
	d.f.SetDrawColor(0, 0, 0)
	for i, row := range rows {
		cells, h := d.tableRow(cols, row, size, vpad)
		keep := h
		if i == len(rows)-1 {
			keep += keepAfter
		}
		if first {
			d.ensure(headerH + keep)
			header()
			first = false
		} else if d.ensure(keep) {
			header()
		}
		d.font("", size)
		y := d.f.GetY()
		x := marginL
		for i, c := range cols {
			d.f.Rect(x, y, c.width, h, "D")
			d.text(x+tableHPad, y+vpad, c.width-2*tableHPad, cells[i], lh, c.align)
			x += c.width
		}
		d.f.SetY(y + h)
	}
}

// tableHeight is the height a table takes on one page.
func (d *doc) tableHeight(cols []column, rows [][]string, size, vpad float64) float64 {
	_, h := d.tableHeader(cols, size, vpad)
	for _, row := range rows {
		_, rh := d.tableRow(cols, row, size, vpad)
		h += rh
	}
	return h
}

// tableHeader wraps the column titles and gives the header row's height.
func (d *doc) tableHeader(cols []column, size, vpad float64) ([][]string, float64) {
	d.font("B", size-0.5)
	titles := make([][]string, len(cols))
	h := 0.0
	for i, c := range cols {
		titles[i] = d.wrap(c.title, c.width-2*tableHPad)
		h = max(h, float64(len(titles[i]))*lineH(size-0.5))
	}
	return titles, h + 2*vpad
}

// tableRow wraps one row's cells and gives its height.
func (d *doc) tableRow(cols []column, row []string, size, vpad float64) ([][]string, float64) {
	d.font("", size)
	lh := lineH(size)
	cells := make([][]string, len(cols))
	h := lh
	for i, c := range cols {
		v := ""
		if i < len(row) {
			v = row[i]
		}
		cells[i] = d.wrap(v, c.width-2*tableHPad)
		h = max(h, float64(len(cells[i]))*lh)
	}
	return cells, h + 2*vpad
}

// gap adds vertical space.
func (d *doc) gap(h float64) { d.f.SetY(d.f.GetY() + h) }

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// longDate is the form people read on letters: "2 Jan 1980".
func longDate(d calendar.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.Format("2 Jan 2006")
}

// dayDate adds the weekday, which is what a pharmacist checks an instalment
// against: "Sat 1 Mar 2025".
func dayDate(d calendar.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.Format("Mon 2 Jan 2006")
}

// addressLines accepts an address written with newlines or commas.
func addressLines(s string) []string { return patients.AddressLines(s) }

// blockLines is an address as a block prints it: a line each, or, for one
// of more lines than are accepted (patients.MaxAddressLines, refused since
// but possibly recorded before), its lines joined with commas, for the
// caller to wrap, so that it takes no more room than its characters need
// and cannot push what follows it off the page.
func blockLines(s string) []string {
	lines := addressLines(s)
	if len(lines) > patients.MaxAddressLines {
		return []string{strings.Join(lines, ", ")}
	}
	return lines
}

// oneLine joins an address onto one line.
func oneLine(s string) string { return strings.Join(addressLines(s), ", ") }

// drawHeaderRow draws a table's grey header row, titles already wrapped,
// at the current position, and moves below it.
func (d *doc) drawHeaderRow(cols []column, titles [][]string, headerH, size, vpad float64) {
	d.font("B", size-0.5)
	y := d.f.GetY()
	x := marginL
	d.f.SetFillColor(greyFill, greyFill, greyFill)
	for i, c := range cols {
		d.f.Rect(x, y, c.width, headerH, "FD")
		d.text(x+tableHPad, y+vpad, c.width-2*tableHPad, titles[i], lineH(size-0.5), c.align)
		x += c.width
	}
	d.f.SetY(y + headerH)
}
