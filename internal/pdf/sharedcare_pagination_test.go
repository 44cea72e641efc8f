package pdf

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// summaryTable is what a test looks for of one of the summary's tables:
// its section title, its header row and one word unique to each row.
type summaryTable struct {
	title, header string
	rows          []string
}

// pageLines is a page's text a printed line to a line, words left to
// right, with a newline before and after each line.
func pageLines(p bboxPage) string {
	words := slices.Clone(p.words)
	slices.SortStableFunc(words, func(a, b bboxWord) int { return cmp.Compare(a.yMin+a.yMax, b.yMin+b.yMax) })
	var b strings.Builder
	b.WriteString("\n")
	for len(words) > 0 {
		mid := (words[0].yMin + words[0].yMax) / 2
		n := 0
		for n < len(words) && (words[n].yMin+words[n].yMax)/2 < mid+2 {
			n++
		}
		line := slices.Clone(words[:n])
		slices.SortFunc(line, func(a, b bboxWord) int { return cmp.Compare(a.xMin, b.xMin) })
		b.WriteString(lineText(line) + "\n")
		words = words[n:]
	}
	return b.String()
}

// assertTablesKept checks, page by page, that no table is split leaving
// fewer than minTableRows of its rows (or fewer than all of a shorter
// table) on a page, that every page with rows of a table has its header,
// and that a section title shares its page with the table's first rows.
func assertTablesKept(t *testing.T, label string, pages []string, tables []summaryTable) {
	t.Helper()
	for _, tb := range tables {
		least := min(minTableRows, len(tb.rows))
		seen := 0
		for i, text := range pages {
			n := 0
			for _, r := range tb.rows {
				if strings.Contains(text, r) {
					n++
				}
			}
			seen += n
			if n > 0 && n < least {
				t.Errorf("%s: %q has %d of its %d rows alone on page %d", label, tb.title, n, len(tb.rows), i+1)
			}
			if n > 0 && !strings.Contains(text, "\n"+tb.header+"\n") {
				t.Errorf("%s: %q has rows on page %d without its header %q", label, tb.title, i+1, tb.header)
			}
			if strings.Contains(text, "\n"+tb.title+"\n"+tb.header+"\n") {
				for _, r := range tb.rows[:least] {
					if !strings.Contains(text, r) {
						t.Errorf("%s: the title %q is on page %d without the row %q", label, tb.title, i+1, r)
					}
				}
			}
		}
		if seen != len(tb.rows) {
			t.Errorf("%s: %q: %d rows printed, want %d", label, tb.title, seen, len(tb.rows))
		}
	}
}

// A table is never split to leave its header with one or two rows at the
// foot of a page, nor one or two rows alone at the top of the next; where
// it goes on to another page its header is repeated. The text before the
// tables grows a line at a time, so that each table meets the foot of a
// page at every point of its rows.
func TestSummaryTablesNotSplitBadly(t *testing.T) {
	t.Parallel()
	for _, titrations := range []int{5, 8} {
		for extra := 0; extra <= 47; extra++ {
			t.Run(fmt.Sprintf("%d dose changes, %d lines", titrations, extra), func(t *testing.T) {
				t.Parallel()
				v := summaryFixture()
				v.Chart = ChartData{}
				var lines []string
				for i := range extra {
					lines = append(lines, fmt.Sprintf("Line %d of the treatment stage.", i+1))
				}
				v.Stage = strings.Join(append([]string{"Maintenance."}, lines...), "\n")
				var tables []summaryTable
				add := func(title, header, prefix string, n int) []string {
					rows := make([]string, n)
					for i := range rows {
						rows[i] = fmt.Sprintf("%s-%02d", prefix, i+1)
					}
					tables = append(tables, summaryTable{title, header, rows})
					return rows
				}

				tr := add("Dose changes", "Date From To Reason Prescriber Override", "titration", titrations)
				v.Titrations = nil
				for i, m := range tr {
					v.Titrations = append(v.Titrations, TitrationRow{Date: v.Date.AddDays(7 * (i - titrations)),
						From: fmt.Sprintf("%d mg", 30+5*i), To: fmt.Sprintf("%d mg", 35+5*i), Reason: "Cravings " + m, Prescriber: "Dr Ayodele Okafor"})
				}
				sc := add("Drug screens", "Date Sample Witnessed Results", "screen", 7)
				v.Screens = nil
				for i, m := range sc {
					v.Screens = append(v.Screens, ScreenRow{Date: v.Date.AddDays(-14 * (i + 1)), Sample: "Urine", Witnessed: i%2 == 0,
						Results: "Methadone positive; opiates negative " + m})
				}
				du := add("Who does what", "Party Responsibilities", "duty", 3)
				for i, m := range du {
					v.Responsibilities[i].Duty += " " + m
				}
				rv := add("Reviews", "Review Due", "review", 2)
				for i, m := range rv {
					v.Reviews[i].What += " " + m
				}
				ct := add("Contacts", "Role Name Phone", "contact", 4)
				v.Contacts = nil
				for i, m := range ct {
					v.Contacts = append(v.Contacts, Contact{Role: "Keyworker", Name: m, Phone: fmt.Sprintf("0113 496 01%02d", i)})
				}

				data, err := SharedCareSummary(v, testOptions())
				if err != nil {
					t.Fatal(err)
				}
				keepSummaryPDF(t, data)
				boxes := wordBoxes(t, data)
				pages := make([]string, len(boxes))
				for i, p := range boxes {
					pages[i] = pageLines(p)
				}
				assertTablesKept(t, t.Name(), pages, tables)
				// The adherence table's one row stays with its title.
				for i, text := range pages {
					if strings.Contains(text, "Adherence") && !strings.Contains(text, "Doses due") {
						t.Errorf("the adherence title is alone on page %d", i+1)
					}
				}
				assertLaidOut(t, boxes)
			})
		}
	}
}

// planTable splits only where each page keeps enough rows, moves a table
// that cannot start well, and keeps the space asked for after the last row.
func TestPlanTable(t *testing.T) {
	t.Parallel()
	rows := func(n int) []float64 {
		h := make([]float64, n)
		for i := range h {
			h[i] = 10
		}
		return h
	}
	tests := []struct {
		name      string
		y         float64
		n         int
		keepAfter float64
		strict    bool
		want      []int
		ok        bool
	}{
		{"fits", 40, 5, 0, true, nil, true},
		{"one row room for a short table", 80, 5, 0, true, nil, false},
		{"three rows room for four", 60, 4, 0, true, nil, false},
		{"split leaves three", 60, 6, 0, true, []int{3}, true},
		{"no widow on the next page", 50, 6, 0, true, []int{3}, true},
		{"keep after the last row", 60, 3, 6, true, nil, false},
		{"not strict", 80, 5, 0, false, []int{1}, true},
		{"over several pages", 60, 25, 0, true, []int{3, 12, 21}, true},
	}
	for _, tt := range tests {
		// Pages from 0 to 100 with a 5 mm header: 9 rows to a full page,
		// with y = 60 three rows, with y = 50 four.
		got, ok := planTable(tt.y, 0, 100, 5, rows(tt.n), tt.keepAfter, tt.strict)
		if ok != tt.ok || fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: got %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
