package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dosebook/dosebook/internal/calendar"
)

// The samples are made from demo data at a fixed date, so making them
// twice gives the same bytes, and they show what the workflow produced:
// the signing prescriber's original, the pharmacist's COPY, the summary the
// GP reads after accepting.
func TestSamplesAreReproducible(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"samples", "--out", dir, "--png=false"}, func(string) string { return "" }, &out, &errOut); err != nil {
		t.Fatalf("samples: %v\n%s", err, errOut.String())
	}
	again, err := sampleDocuments(ctx, calendar.MustParse(sampleDate))
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 3 {
		t.Fatalf("%d documents", len(again))
	}
	texts := map[string]string{}
	for _, d := range again {
		written, err := os.ReadFile(filepath.Join(dir, d.name+".pdf"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(written, d.pdf) {
			t.Errorf("%s differs between two runs", d.name)
		}
		if !strings.Contains(out.String(), d.name+".pdf") {
			t.Errorf("output does not list %s:\n%s", d.name, out.String())
		}
		if bin, err := exec.LookPath("pdftotext"); err == nil {
			txt, err := exec.Command(bin, "-enc", "UTF-8", filepath.Join(dir, d.name+".pdf"), "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			texts[d.name] = strings.Join(strings.Fields(string(txt)), " ")
		} else if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed (poppler-utils)")
		}
	}
	if len(texts) == 0 {
		return
	}
	for name, want := range map[string][]string{
		"prescription":      {"Zoë Łukasz-Nguyễn", "Dr Priya Raman", "Dispense daily doses in separate containers.", "page 1 of 1"},
		"prescription-copy": {"COPY — not for dispensing", "Zoë Łukasz-Nguyễn"},
		"shared-care-summary": {"Status: Accepted", "Prescribing passed to the practice under shared care on 10 Jun 2026.",
			"Current prescription ends 10 Jun 2026 Next prescriptions 11 Jun 2026 to 16 Jun 2026; 17 Jun 2026 to 30 Jun 2026"},
	} {
		for _, w := range want {
			if !strings.Contains(texts[name], w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	if strings.Contains(texts["prescription"], "COPY") {
		t.Error("the original is stamped COPY")
	}
}

// The committed samples in docs/samples say what the code prints now: the
// text of freshly made samples equals theirs, so a change to a document's
// wording fails here until `dosebook samples --out docs/samples` is run
// again and its output committed.
func TestCommittedSamplesAreCurrent(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is not installed (poppler-utils)")
		}
		t.Skip("pdftotext is not installed (poppler-utils)")
	}
	docs, err := sampleDocuments(context.Background(), calendar.MustParse(sampleDate))
	if err != nil {
		t.Fatal(err)
	}
	text := func(path string) string {
		t.Helper()
		out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext %s: %v", path, err)
		}
		return string(out)
	}
	dir := t.TempDir()
	for _, d := range docs {
		fresh := filepath.Join(dir, d.name+".pdf")
		if err := os.WriteFile(fresh, d.pdf, 0o600); err != nil {
			t.Fatal(err)
		}
		committed := filepath.Join("..", "..", "docs", "samples", d.name+".pdf")
		if _, err := os.Stat(committed); err != nil {
			t.Errorf("%s: %v (run: go run ./cmd/dosebook samples --out docs/samples)", d.name, err)
			continue
		}
		if got, want := text(fresh), text(committed); got != want {
			gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
			i := 0
			for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
				i++
			}
			line := func(ls []string) string {
				if i < len(ls) {
					return ls[i]
				}
				return "(end)"
			}
			t.Errorf("docs/samples/%s.pdf is out of date (run: go run ./cmd/dosebook samples --out docs/samples); first difference, line %d:\ncommitted: %q\nnow:       %q",
				d.name, i+1, line(wl), line(gl))
		}
	}
}
