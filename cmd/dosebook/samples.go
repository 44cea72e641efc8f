package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/demo"
	"github.com/dosebook/dosebook/internal/httpapi"
	"github.com/dosebook/dosebook/internal/store"
)

// sampleDate is the demo's "today" for the committed samples. Fixed, so
// that running the command again gives the same documents byte for byte.
const sampleDate = "2026-06-10"

// cmdSamples writes the documents in docs/samples from demo data. It seeds
// the demo into a throwaway SQLite database whose clock is stopped at a
// fixed date, then drives the real API in process, as the demo users
// would: the prescriber issues and prints a prescription (the original),
// the pharmacist prints it (a COPY), the prescriber proposes shared care
// for the demo patient who meets the SC3 criteria, the GP accepts and
// downloads the summary. The environment's settings are ignored on
// purpose, so the output does not depend on who runs it.
func cmdSamples(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dosebook samples", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", filepath.Join("docs", "samples"), "directory to write the PDFs (and PNG previews) to")
	date := fs.String("date", sampleDate, "the demo's today, YYYY-MM-DD (the committed samples use the default)")
	png := fs.Bool("png", true, "render every page to PNG with pdftoppm -png -r 60 (poppler-utils)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{2, err}
	}
	if fs.NArg() > 0 {
		return &exitError{2, fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	day, err := calendar.Parse(*date)
	if err != nil {
		return &exitError{2, fmt.Errorf("--date: %w", err)}
	}
	pdftoppm := ""
	if *png {
		if pdftoppm, err = exec.LookPath("pdftoppm"); err != nil {
			return &exitError{2, errors.New("pdftoppm not found: install poppler-utils, or pass --png=false")}
		}
	}
	docs, err := sampleDocuments(ctx, day)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for _, d := range docs {
		path := filepath.Join(*out, d.name+".pdf")
		if err := os.WriteFile(path, d.pdf, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s\t%s\n", path, d.about)
		if pdftoppm == "" {
			continue
		}
		// Previews of an earlier, longer version would linger.
		old, _ := filepath.Glob(filepath.Join(*out, d.name+"-*.png"))
		for _, o := range old {
			if err := os.Remove(o); err != nil {
				return err
			}
		}
		cmd := exec.CommandContext(ctx, pdftoppm, "-png", "-r", "60", path, filepath.Join(*out, d.name))
		cmd.Stderr = stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("pdftoppm %s: %w", path, err)
		}
		pngs, _ := filepath.Glob(filepath.Join(*out, d.name+"-*.png"))
		for _, p := range pngs {
			fmt.Fprintf(stdout, "%s\tpreview\n", p)
		}
	}
	return nil
}

// sampleDoc is one generated document.
type sampleDoc struct {
	name, about string
	pdf         []byte
}

// sampleDocuments seeds the demo as of day (10:00 in London) and returns
// the documents, in the order they are written.
func sampleDocuments(ctx context.Context, day calendar.Date) ([]sampleDoc, error) {
	cfg, err := config.Load(flag.NewFlagSet("samples", flag.ContinueOnError), nil, func(string) string { return "" })
	if err != nil {
		return nil, err
	}
	start := day.Start(cfg.Timezone)
	now := time.Date(start.Year(), start.Month(), start.Day(), 10, 0, 0, 0, cfg.Timezone)
	dir, err := os.MkdirTemp("", "dosebook-samples-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, "sqlite://"+filepath.Join(dir, "samples.db"), store.Options{Now: func() time.Time { return now }, Zone: cfg.Timezone})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if err := db.Migrate(ctx, log); err != nil {
		return nil, err
	}
	res, err := demo.Seed(ctx, db, cfg)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	srv, err := httpapi.New(db, cfg, log)
	if err != nil {
		return nil, err
	}
	api := sampleClient{h: srv.Handler(), tokens: res.Tokens}

	// The demo patient who meets every SC3 criterion today.
	var patientID, patientName string
	for _, p := range res.Patients {
		var el struct{ Eligible bool }
		if err := api.call("prescriber", "GET", "/v1/patients/"+p.ID+"/shared-care/eligibility", nil, 200, &el); err != nil {
			continue // no active regime (a finished one, say): not a candidate
		}
		if el.Eligible {
			patientID, patientName = p.ID, p.Name
			break
		}
	}
	if patientID == "" {
		return nil, fmt.Errorf("no demo patient meets the shared care criteria on %s", day)
	}

	// A fortnight's prescription following the patient's last one.
	var issued struct {
		Items []struct {
			EndDate calendar.Date `json:"end_date"`
		}
	}
	if err := api.call("prescriber", "GET", "/v1/prescriptions?status=issued&limit=500&patient_id="+patientID, nil, 200, &issued); err != nil {
		return nil, err
	}
	from := day
	for _, p := range issued.Items {
		if !p.EndDate.Before(from) {
			from = p.EndDate.AddDays(1)
		}
	}
	var rx struct{ ID, Serial string }
	if err := api.call("prescriber", "POST", "/v1/prescriptions", map[string]any{"patient_id": patientID,
		"start_date": from, "days": 14, "wording": []int{1, 3, 4, 5}, "issue": true}, 201, &rx); err != nil {
		return nil, err
	}
	original, err := api.get("prescriber", "/v1/prescriptions/"+rx.ID+"/pdf")
	if err != nil {
		return nil, err
	}
	copyPDF, err := api.get("pharmacist", "/v1/prescriptions/"+rx.ID+"/pdf")
	if err != nil {
		return nil, err
	}

	var sc struct{ ID string }
	if err := api.call("prescriber", "POST", "/v1/patients/"+patientID+"/shared-care", nil, 201, &sc); err != nil {
		return nil, err
	}
	if err := api.call("gp", "POST", "/v1/shared-care/"+sc.ID+"/accept", nil, 200, nil); err != nil {
		return nil, err
	}
	summary, err := api.get("gp", "/v1/patients/"+patientID+"/shared-care-summary.pdf")
	if err != nil {
		return nil, err
	}
	return []sampleDoc{
		{"prescription", fmt.Sprintf("%s for %s, printed by the prescriber who signs it: the original", rx.Serial, patientName), original},
		{"prescription-copy", rx.Serial + " printed by the pharmacist: stamped COPY", copyPDF},
		{"shared-care-summary", "the summary the GP downloads after accepting shared care of " + patientName, summary},
	}, nil
}

// sampleClient calls the API in process as the demo users.
type sampleClient struct {
	h      http.Handler
	tokens map[string]string
}

func (c sampleClient) do(who, method, path string, body any) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+c.tokens[who])
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec
}

// call expects status and decodes the answer into out (when not nil).
func (c sampleClient) call(who, method, path string, body any, status int, out any) error {
	rec := c.do(who, method, path, body)
	if rec.Code != status {
		return fmt.Errorf("%s %s as %s: %d %s", method, path, who, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(rec.Body.Bytes(), out)
}

// get fetches a PDF.
func (c sampleClient) get(who, path string) ([]byte, error) {
	rec := c.do(who, "GET", path, nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" {
		return nil, fmt.Errorf("GET %s as %s: %d %s", path, who, rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	return rec.Body.Bytes(), nil
}
