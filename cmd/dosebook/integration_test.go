package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dosebook/dosebook/internal/store"
	"github.com/dosebook/dosebook/internal/store/storetest"
)

// buildBinary compiles dosebook once per test binary run.
var buildOnce sync.Once
var binary string
var buildErr error

func dosebookBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dosebook-bin")
		if err != nil {
			buildErr = err
			return
		}
		binary = filepath.Join(dir, "dosebook")
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// server is a running dosebook serve process.
type server struct {
	base string
	cmd  *exec.Cmd
	logs *bytes.Buffer
}

func startServer(t *testing.T, dir, dbURL string) *server {
	t.Helper()
	return startServerArgs(t, dir, dbURL)
}

func startServerArgs(t *testing.T, dir, dbURL string, extra ...string) *server {
	t.Helper()
	cmd := exec.Command(dosebookBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, extra...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DOSEBOOK_DATABASE_URL="+dbURL, "DOSEBOOK_LOG_LEVEL=info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{cmd: cmd, logs: &bytes.Buffer{}}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			s.logs.WriteString(line + "\n")
			var entry struct{ Msg, Addr string }
			if !sent && json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "dosebook serving" {
				ready <- entry.Addr
				sent = true
			}
		}
		if !sent {
			close(ready)
		}
	}()
	select {
	case addr, ok := <-ready:
		if !ok {
			t.Fatalf("server exited before serving:\n%s", s.logs)
		}
		s.base = "http://" + addr
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start:\n%s", s.logs)
	}
	return s
}

func call(t *testing.T, method, url, token string, body any, headers ...string) (int, []byte) {
	t.Helper()
	status, _, b := callHeader(t, method, url, token, body, headers...)
	return status, b
}

// callHeader is call with the response headers.
func callHeader(t *testing.T, method, url, token string, body any, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// Two server processes on one database: started at the same moment on an
// empty database both come up (the migration lock), and many simultaneous
// confirmations of one instalment make exactly one record, the rest 409.
func TestTwoServersExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dir := t.TempDir()
			dbURL := storetest.URL(t, d)
			if d == store.SQLite {
				dbURL = "sqlite://" + filepath.Join(dir, "shared.db")
			}
			var servers [2]*server
			var wg sync.WaitGroup
			for i := range servers {
				wg.Add(1)
				go func() { defer wg.Done(); servers[i] = startServer(t, dir, dbURL) }()
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			out, err := exec.Command(dosebookBinary(t), "demo", "--database-url", dbURL).Output()
			if err != nil {
				t.Fatalf("demo: %v", err)
			}
			var demo struct {
				Tokens     map[string]string `json:"tokens"`
				PharmacyID string            `json:"pharmacy_id"`
			}
			if err := json.Unmarshal(out, &demo); err != nil {
				t.Fatal(err)
			}
			// An instalment due today at the demo pharmacy, whatever the day.
			due := dueInstalments(t, servers[0].base, demoOut{Tokens: demo.Tokens, PharmacyID: demo.PharmacyID}, 1)
			if len(due) != 1 {
				t.Fatalf("instalments due today: %v", due)
			}
			inst := due[0]
			attempts := 200 // issue 6: 200 concurrent recordings through two servers
			statuses := make([]int, attempts)
			bodies := make([][]byte, attempts)
			start := make(chan struct{})
			for i := range attempts {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					statuses[i], bodies[i] = call(t, "POST", servers[i%2].base+"/v1/instalments/"+inst+"/events", demo.Tokens["pharmacist"],
						map[string]any{"outcome": "supervised", "identity_confirmed": true})
				}()
			}
			close(start)
			wg.Wait()
			created, conflicts := 0, 0
			for i, s := range statuses {
				switch s {
				case 201:
					created++
				case 409:
					conflicts++
				default:
					t.Errorf("attempt %d: %d %s", i, s, bodies[i])
				}
			}
			if t.Failed() {
				t.Logf("server logs:\n%s\n%s", servers[0].logs, servers[1].logs)
			}
			if created != 1 || conflicts != attempts-1 {
				t.Fatalf("created %d, conflicts %d\nserver logs:\n%s\n%s", created, conflicts, servers[0].logs, servers[1].logs)
			}
			t.Logf("%d simultaneous confirmations through two servers: %d × 201, %d × 409, no other status", attempts, created, conflicts)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			verify := exec.CommandContext(ctx, dosebookBinary(t), "audit", "verify", "--database-url", dbURL)
			if out, err := verify.CombinedOutput(); err != nil || !strings.Contains(string(out), "intact") {
				t.Fatalf("audit verify: %v %s", err, out)
			}
		})
	}
}

// Two `serve --demo` started at the same moment on one empty database both
// come up, and neither's catch-up day close settles days the other is still
// seeding: the demo pharmacy's list holds the one patient the demo blocks
// under MD1, not every demo patient.
func TestTwoDemoServersOnOneEmptyDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dir := t.TempDir()
			dbURL := storetest.URL(t, d)
			if d == store.SQLite {
				dbURL = "sqlite://" + filepath.Join(dir, "shared.db")
			}
			var servers [2]*server
			var wg sync.WaitGroup
			for i := range servers {
				wg.Add(1)
				go func() { defer wg.Done(); servers[i] = startServerArgs(t, dir, dbURL, "--demo") }()
			}
			wg.Wait()
			if t.Failed() {
				return
			}
			demo := runDemo(t, dbURL)
			for i, s := range servers {
				status, body := call(t, "GET", s.base+"/v1/pharmacies/"+demo.PharmacyID+"/doses?limit=500", demo.Tokens["pharmacist"], nil)
				if status != 200 {
					t.Fatalf("server %d day list: %d %s", i, status, body)
				}
				var list struct {
					Items []struct{ State string } `json:"items"`
				}
				if err := json.Unmarshal(body, &list); err != nil {
					t.Fatal(err)
				}
				states := map[string]int{}
				for _, it := range list.Items {
					states[it.State]++
				}
				if states["blocked"] != 1 || states["due"] < 4 {
					t.Fatalf("server %d day list states %v, want several due and one blocked (MD1)\nlogs:\n%s\n%s",
						i, states, servers[0].logs, servers[1].logs)
				}
			}
		})
	}
}
