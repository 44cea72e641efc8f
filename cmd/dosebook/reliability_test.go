package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// The reliability suite runs in CI in a short form; `make reliability`
// (DOSEBOOK_RELIABILITY=full) runs the full figures.
func full() bool { return os.Getenv("DOSEBOOK_RELIABILITY") == "full" }

type demoOut struct {
	Tokens     map[string]string `json:"tokens"`
	PharmacyID string            `json:"pharmacy_id"`
	PracticeID string            `json:"gp_practice_id"`
}

func runDemo(t *testing.T, dbURL string) demoOut {
	t.Helper()
	out, err := exec.Command(dosebookBinary(t), "demo", "--database-url", dbURL).Output()
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	var d demoOut
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

// dueInstalments creates n patients with a prescription starting today at
// the demo pharmacy and returns today's instalment ids.
func dueInstalments(t *testing.T, base string, d demoOut, n int) []string {
	t.Helper()
	today := time.Now().In(mustLondon()).Format("2006-01-02")
	// Open every day, bank holidays included, so that the test has doses
	// due today whatever day CI runs.
	if status, body := call(t, "PUT", base+"/v1/pharmacies/"+d.PharmacyID+"/opening", d.Tokens["pharmacist"],
		map[string]any{"closed_weekdays": []string{}, "bank_holidays_closed": false}); status != 200 {
		t.Fatalf("opening: %d %s", status, body)
	}
	for i := range n {
		status, body := call(t, "POST", base+"/v1/patients", d.Tokens["prescriber"], map[string]any{
			"nhs_number": patients.TestNHSNumber(100 + i), "given_name": "Load", "family_name": fmt.Sprintf("Patient %d", i),
			"date_of_birth": "1980-01-01", "address": "1 Canal Row — Worcester WR1 3EE", "pharmacy_id": d.PharmacyID})
		if status != 201 {
			t.Fatalf("patient: %d %s", status, body)
		}
		var pt struct{ ID string }
		json.Unmarshal(body, &pt)
		if status, body = call(t, "POST", base+"/v1/patients/"+pt.ID+"/regimes", d.Tokens["prescriber"],
			map[string]any{"medicine": "methadone_oral_solution_1mg_ml", "dose": 20}); status != 201 {
			t.Fatalf("regime: %d %s", status, body)
		}
		if status, body = call(t, "POST", base+"/v1/prescriptions", d.Tokens["prescriber"],
			map[string]any{"patient_id": pt.ID, "start_date": today, "days": 1, "issue": true}); status != 201 {
			t.Fatalf("prescription: %d %s", status, body)
		}
	}
	status, body := call(t, "GET", base+"/v1/pharmacies/"+d.PharmacyID+"/doses?limit=500", d.Tokens["pharmacist"], nil)
	if status != 200 {
		t.Fatalf("day list: %d %s", status, body)
	}
	var list struct {
		Items []struct {
			InstalmentID string `json:"instalment_id"`
			State        string `json:"state"`
			PatientName  string `json:"patient_name"`
		} `json:"items"`
	}
	json.Unmarshal(body, &list)
	var ids []string
	for _, it := range list.Items {
		if it.State == "due" && strings.HasPrefix(it.PatientName, "Load ") {
			ids = append(ids, it.InstalmentID)
		}
	}
	return ids
}

func mustLondon() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(err)
	}
	return l
}

// Kill -9 during a load of recordings, restart: every recording that got a
// 2xx is there, and the audit chain verifies.
func TestCrashKeepsEveryAcknowledgedRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary")
	}
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dir := t.TempDir()
			dbURL := storetest.URL(t, d)
			if d == store.SQLite {
				dbURL = "sqlite://" + dir + "/crash.db"
			}
			srv := startServer(t, dir, dbURL)
			demo := runDemo(t, dbURL)
			n := 30
			if full() {
				n = 150
			}
			ids := dueInstalments(t, srv.base, demo, n)
			var mu sync.Mutex
			acked := map[string]string{} // instalment → event id
			var sent atomic.Int64
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := w; i < len(ids); i += 4 {
						sent.Add(1)
						status, body := call(t, "POST", srv.base+"/v1/instalments/"+ids[i]+"/events", demo.Tokens["pharmacist"],
							map[string]any{"outcome": "supervised", "identity_confirmed": true})
						if status == 201 {
							var r struct{ Event struct{ ID string } }
							json.Unmarshal(body, &r)
							mu.Lock()
							acked[ids[i]] = r.Event.ID
							mu.Unlock()
						}
					}
				}()
			}
			for sent.Load() < int64(len(ids)/2) {
				time.Sleep(time.Millisecond)
			}
			srv.cmd.Process.Signal(syscall.SIGKILL)
			wg.Wait()
			srv = startServer(t, dir, dbURL)
			mu.Lock()
			defer mu.Unlock()
			if len(acked) == 0 {
				t.Fatal("nothing was acknowledged before the kill")
			}
			for inst, evID := range acked {
				status, body := call(t, "POST", srv.base+"/v1/instalments/"+inst+"/events", demo.Tokens["pharmacist"],
					map[string]any{"outcome": "supervised", "identity_confirmed": true})
				if status != 409 || !strings.Contains(string(body), evID) {
					t.Errorf("acknowledged record %s for %s lost after restart: %d %s", evID, inst, status, body)
				}
			}
			out, err := exec.Command(dosebookBinary(t), "audit", "verify", "--database-url", dbURL).CombinedOutput()
			if err != nil {
				t.Fatalf("audit verify after crash: %v %s", err, out)
			}
			t.Logf("%d of %d recordings acknowledged before kill -9; all present; %s", len(acked), len(ids), strings.TrimSpace(string(out)))
		})
	}
}

// proxy forwards TCP to PostgreSQL and can be cut to simulate an outage.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  map[net.Conn]bool
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		down := p.down
		p.mu.Unlock()
		if down {
			c.Close() // the database is unreachable
			continue
		}
		up, err := net.DialTimeout("tcp", p.target, 5*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns[c], p.conns[up] = true, true
		p.mu.Unlock()
		go func() { io.Copy(up, c); up.Close(); c.Close() }()
		go func() { io.Copy(c, up); up.Close(); c.Close() }()
	}
}

// cut drops every connection and refuses new ones until restore.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *proxy) restore() { p.mu.Lock(); p.down = false; p.mu.Unlock() }

// PostgreSQL unreachable during load: requests answer 503 problems within
// the request timeout, /readyz says 503, and the service recovers by itself
// when the database returns, with nothing half-written.
func TestDatabaseOutage(t *testing.T) {
	if testing.Short() || storetest.PostgresURL() == "" {
		t.Skip("needs PostgreSQL and the binary")
	}
	dir := t.TempDir()
	direct := storetest.URL(t, store.Postgres)
	u, _ := url.Parse(direct)
	px := newProxy(t, u.Host)
	u.Host = px.ln.Addr().String()
	viaProxy := u.String()
	demo := runDemo(t, direct)
	srv := startServerArgs(t, dir, viaProxy, "--request-timeout", "3s")
	ids := dueInstalments(t, srv.base, demo, 20)
	outage := 6 * time.Second
	if full() {
		outage = 30 * time.Second
	}
	px.cut()
	deadline := time.Now().Add(outage)
	var during []int
	slowest := time.Duration(0)
	for i := 0; time.Now().Before(deadline); i++ {
		start := time.Now()
		status, header, body := callHeader(t, "POST", srv.base+"/v1/instalments/"+ids[i%len(ids)]+"/events", demo.Tokens["pharmacist"],
			map[string]any{"outcome": "supervised", "identity_confirmed": true})
		if el := time.Since(start); el > slowest {
			slowest = el
		}
		during = append(during, status)
		var p struct {
			Type   string `json:"type"`
			Status int    `json:"status"`
		}
		if status != 503 || header.Get("Content-Type") != "application/problem+json" || json.Unmarshal(body, &p) != nil ||
			p.Type != "/problems/unavailable" || p.Status != 503 {
			t.Errorf("during outage: %d %q %s", status, header.Get("Content-Type"), body)
		}
		if status, _ := call(t, "GET", srv.base+"/readyz", "", nil); status != 503 {
			t.Errorf("readyz during outage: %d", status)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if t.Failed() {
		for _, line := range strings.Split(srv.logs.String(), "\n") {
			if strings.Contains(line, `"level":"ERROR"`) && !strings.Contains(line, `"msg":"request"`) {
				t.Log(line)
			}
		}
	}
	if slowest > 5*time.Second {
		t.Errorf("a request took %s during the outage (timeout 3s)", slowest)
	}
	px.restore()
	recovered := false
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		if status, _ := call(t, "GET", srv.base+"/readyz", "", nil); status == 200 {
			recovered = true
			break
		}
	}
	if !recovered {
		t.Fatal("service did not recover after the database returned")
	}
	created := 0
	for _, id := range ids {
		status, body := call(t, "POST", srv.base+"/v1/instalments/"+id+"/events", demo.Tokens["pharmacist"],
			map[string]any{"outcome": "supervised", "identity_confirmed": true})
		switch status {
		case 201:
			created++
		default:
			t.Errorf("after recovery: %d %s", status, body)
		}
	}
	if created != len(ids) {
		t.Fatalf("after recovery %d of %d recorded: something was half-written during the outage", created, len(ids))
	}
	out, err := exec.Command(dosebookBinary(t), "audit", "verify", "--database-url", direct).CombinedOutput()
	if err != nil {
		t.Fatalf("audit verify: %v %s", err, out)
	}
	t.Logf("outage %s: %d requests, all 503, slowest %s; recovered; %s", outage, len(during), slowest, strings.TrimSpace(string(out)))
}
