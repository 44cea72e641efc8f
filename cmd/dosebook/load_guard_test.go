package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dosebook/dosebook/internal/demo"
)

// fakePharmacyServer answers /v1/me as a pharmacist of org and a day list
// of one due supervised instalment, and keeps the bodies of the doses
// recorded.
type fakePharmacyServer struct {
	org, user string
	mu        sync.Mutex
	posted    []string
}

func (f *fakePharmacyServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case r.URL.Path == "/v1/me":
		json.NewEncoder(w).Encode(map[string]any{"name": f.user, "role": "pharmacist",
			"organisation": map[string]string{"id": "00000000-0000-4000-8000-000000000001", "name": f.org}})
	case strings.HasSuffix(r.URL.Path, "/doses") && r.Method == "GET":
		io.WriteString(w, `{"items":[{"instalment_id":"00000000-0000-4000-8000-000000000002","patient_id":"00000000-0000-4000-8000-000000000003","state":"due","supervised":"60"}]}`)
	case r.Method == "POST":
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.posted = append(f.posted, string(b))
		f.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{}`)
	default:
		http.NotFound(w, r)
	}
}

// load writes supervised doses in a pharmacist's name only where generate
// or demo made the pharmacist: against any other server (the default --url
// is production's address) it refuses before writing anything, unless the
// mix only reads. Each dose it does write says in its notes what it is.
func TestLoadRecordsOnlyForSyntheticPharmacists(t *testing.T) {
	t.Parallel()
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("dbk_p1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, org, user, mix string
		wantErr              string
		wantPosts            int
	}{
		{"real pharmacy, record", "High Street Pharmacy", "Jo Bloggs", "record=20,daylist=40,history=40", "refusing to record doses", 0},
		{"real pharmacy, record only", "High Street Pharmacy", "Jo Bloggs", "record=1", "refusing to record doses", 0},
		{"generate's name, another person", generatedPharmacyName(1, "g20261203T101010123"), "Jo Bloggs", "record=1", "refusing to record doses", 0},
		{"demo's pharmacy, another person", "Castle Street Pharmacy", "Jo Bloggs", "record=1", "refusing to record doses", 0},
		{"real pharmacy, reads only", "High Street Pharmacy", "Jo Bloggs", "daylist=50,history=50", "", 0},
		{"generated pharmacist", generatedPharmacyName(12, "g20261203T101010123"), generatedPharmacistName(12), "record=1", "", 1},
		{"demo pharmacist", "Castle Street Pharmacy", "Tom Hughes", "record=1", "", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := &fakePharmacyServer{org: tt.org, user: tt.user}
			srv := httptest.NewServer(fake)
			defer srv.Close()
			var stdout, stderr bytes.Buffer
			err := cmdLoad(context.Background(), []string{"--url", srv.URL, "--token-file", tokens, "--duration", "1s",
				"--concurrency", "1", "--max-requests", "5", "--mix", tt.mix}, &stdout, &stderr)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("load = %v, want error containing %q", err, tt.wantErr)
			}
			fake.mu.Lock()
			defer fake.mu.Unlock()
			if len(fake.posted) != tt.wantPosts {
				t.Fatalf("posted %d doses %q, want %d", len(fake.posted), fake.posted, tt.wantPosts)
			}
			for _, b := range fake.posted {
				var body struct{ Notes string }
				if json.Unmarshal([]byte(b), &body) != nil || body.Notes != loadRecordNote {
					t.Errorf("posted %s, want notes %q", b, loadRecordNote)
				}
			}
		})
	}
}

func TestSyntheticPharmacistNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		org, user string
		want      bool
	}{
		{generatedPharmacyName(1, "g20261203T101010123"), generatedPharmacistName(1), true},
		{generatedPharmacyName(10000, "g20261203T101010123"), generatedPharmacistName(10000), true},
		{generatedPharmacyName(1, "g20261203T101010123"), generatedPharmacistName(2), false},
		{"Synthetic Pharmacy 0001", "Pharmacist 0001", false},
		{"Synthetic Pharmacy 0001 g20261203T101010123 Ltd", "Pharmacist 0001", false},
		{"Castle Street Pharmacy", "Tom Hughes", true},
		{"Market Square Pharmacy", "Aisha Begum", true},
		{"Market Square Pharmacy", "Tom Hughes", false},
		{"Riverside Community Drug Service", "Dr Priya Raman", false},
	}
	for _, tt := range tests {
		got := isGeneratedPharmacist(tt.org, tt.user) || demo.IsDemoPharmacist(tt.org, tt.user)
		if got != tt.want {
			t.Errorf("synthetic(%q, %q) = %v, want %v", tt.org, tt.user, got, tt.want)
		}
	}
}
