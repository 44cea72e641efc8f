package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dosebook/dosebook/internal/demo"
)

// loadOptions are the load command's flags.
type loadOptions struct {
	url         string
	tokenFile   string
	duration    time.Duration
	concurrency int
	maxRequests int64
	mix         map[string]int
	timeout     time.Duration
	jsonOut     bool
	seed        uint64
}

// loadOps are the operations of the mix, in report order.
var loadOps = []string{"record", "daylist", "history"}

// cmdLoad drives a running server with a realistic pharmacy mix and reports
// throughput, latency percentiles and status codes per endpoint. It is
// bounded by --duration and --max-requests and talks only to loopback.
func cmdLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseLoadFlags(args, stderr)
	if err != nil {
		return err
	}
	tokens, err := readTokenFile(o.tokenFile)
	if err != nil {
		return &exitError{2, err}
	}
	lt := newLoadTarget(o)
	fmt.Fprintf(stderr, "load: discovering pharmacies and today's instalments for %d pharmacist token(s)\n", len(tokens))
	if err := lt.discover(ctx, tokens); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "load: %d pharmacies, %d instalments due today, %d patients; running %s with %d clients, mix %v\n",
		len(lt.pharmacies), lt.due.Load(), lt.patientCount(), o.duration, o.concurrency, o.mix)
	rep := lt.run(ctx)
	if o.jsonOut {
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return nil
	}
	rep.print(stdout)
	return nil
}

func parseLoadFlags(args []string, stderr io.Writer) (loadOptions, error) {
	var o loadOptions
	var mix string
	fs := flag.NewFlagSet("dosebook load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "base URL of a running server (loopback only)")
	fs.StringVar(&o.tokenFile, "token-file", "", "file holding pharmacists' tokens: the JSON printed by dosebook generate, dosebook demo or serve --demo, or one token per line")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long to run (at most 1h)")
	fs.IntVar(&o.concurrency, "concurrency", 8, "concurrent clients (1–256)")
	fs.Int64Var(&o.maxRequests, "max-requests", 1_000_000, "stop after this many requests")
	fs.StringVar(&mix, "mix", "record=20,daylist=40,history=40", "relative weights of record, daylist and history")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "per-request timeout")
	fs.BoolVar(&o.jsonOut, "json", false, "print the report as JSON")
	var seed int64
	fs.Int64Var(&seed, "seed", 1, "random seed for the mix")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, &exitError{2, err}
	}
	o.seed = uint64(seed)
	if fs.NArg() > 0 {
		return o, &exitError{2, fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	if err := checkLoopback(o.url); err != nil {
		return o, &exitError{2, err}
	}
	if o.tokenFile == "" {
		return o, &exitError{2, errors.New("--token-file is required")}
	}
	switch {
	case o.duration <= 0 || o.duration > time.Hour:
		return o, &exitError{2, errors.New("--duration must be more than 0 and at most 1h")}
	case o.concurrency < 1 || o.concurrency > 256:
		return o, &exitError{2, errors.New("--concurrency must be 1–256")}
	case o.maxRequests < 1 || o.maxRequests > 100_000_000:
		return o, &exitError{2, errors.New("--max-requests must be 1–100000000")}
	case o.timeout <= 0 || o.timeout > 5*time.Minute:
		return o, &exitError{2, errors.New("--timeout must be more than 0 and at most 5m")}
	}
	m, err := parseMix(mix)
	if err != nil {
		return o, &exitError{2, err}
	}
	o.mix = m
	return o, nil
}

// checkLoopback refuses any target that is not this machine.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("--url %q must be http://127.0.0.1:PORT", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--url %q: load only drives a server on loopback (127.0.0.1, ::1 or localhost)", raw)
}

// parseMix reads "record=20,daylist=40,history=40".
func parseMix(s string) (map[string]int, error) {
	m := map[string]int{}
	total := 0
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 || n > 1000 || !slices.Contains(loadOps, k) {
			return nil, fmt.Errorf("--mix %q: want op=weight with op record, daylist or history and weight 0–1000", part)
		}
		m[k] = n
		total += n
	}
	if total == 0 {
		return nil, errors.New("--mix: at least one weight must be above 0")
	}
	return m, nil
}

// readTokenFile accepts generate's JSON (pharmacists[].token), demo's JSON
// (tokens.pharmacist*), or plain lines of tokens. The JSON may be followed
// by other text, as when it is serve --demo's stdout (the tokens, then
// "Try it" lines), and preceded by other JSON values, such as the log
// lines of a stdout and stderr taken together: the first value naming
// pharmacists' tokens is used.
func readTokenFile(path string) ([]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--token-file: %w", err)
	}
	var out []string
	dec := json.NewDecoder(bytes.NewReader(b))
	decoded := false
	for len(out) == 0 {
		var doc tokenDoc
		if dec.Decode(&doc) != nil {
			break
		}
		decoded = true
		out = doc.pharmacistTokens()
	}
	if !decoded {
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			if t := strings.TrimSpace(sc.Text()); t != "" && !strings.HasPrefix(t, "#") {
				out = append(out, t)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("--token-file %s holds no pharmacist tokens", path)
	}
	if len(out) > 10000 {
		out = out[:10000]
	}
	return out, nil
}

// tokenDoc is what generate and demo print, as far as load needs it.
type tokenDoc struct {
	Pharmacists []struct {
		Token string `json:"token"`
	} `json:"pharmacists"`
	Tokens map[string]string `json:"tokens"`
}

// pharmacistTokens lists generate's pharmacists' tokens or, failing those,
// demo's tokens whose role starts "pharmacist", in name order.
func (d tokenDoc) pharmacistTokens() []string {
	var out []string
	for _, p := range d.Pharmacists {
		if p.Token != "" {
			out = append(out, p.Token)
		}
	}
	if len(out) > 0 {
		return out
	}
	keys := make([]string, 0, len(d.Tokens))
	for k := range d.Tokens {
		if strings.HasPrefix(k, "pharmacist") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, d.Tokens[k])
	}
	return out
}

// loadPharmacy is one pharmacist's view: the pharmacy, its due instalments
// (handed out once each) and its patients.
type loadPharmacy struct {
	token    string
	id       string
	mu       sync.Mutex
	due      []dueInstalment
	patients []string
}

type dueInstalment struct {
	id         string
	supervised bool
}

type loadTarget struct {
	o          loadOptions
	client     *http.Client
	pharmacies []*loadPharmacy
	due        atomic.Int64
	requests   atomic.Int64
}

func newLoadTarget(o loadOptions) *loadTarget {
	tr := &http.Transport{MaxIdleConns: o.concurrency * 2, MaxIdleConnsPerHost: o.concurrency * 2, IdleConnTimeout: time.Minute}
	return &loadTarget{o: o, client: &http.Client{Transport: tr, Timeout: o.timeout}}
}

func (lt *loadTarget) patientCount() int {
	n := 0
	for _, p := range lt.pharmacies {
		n += len(p.patients)
	}
	return n
}

// discover finds each token's pharmacy and today's day list.
func (lt *loadTarget) discover(ctx context.Context, tokens []string) error {
	for _, tok := range tokens {
		var me struct {
			Name         string `json:"name"`
			Role         string `json:"role"`
			Organisation struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"organisation"`
		}
		if status, err := lt.getJSON(ctx, tok, "/v1/me", &me); err != nil || status != 200 {
			return lt.requestError("GET /v1/me", status, err)
		}
		if me.Role != "pharmacist" {
			continue
		}
		if err := lt.mayRecordAt(me.Organisation.Name, me.Name); err != nil {
			return err
		}
		var dl struct {
			Items []struct {
				InstalmentID string          `json:"instalment_id"`
				PatientID    string          `json:"patient_id"`
				State        string          `json:"state"`
				Supervised   json.RawMessage `json:"supervised"`
			} `json:"items"`
		}
		path := "/v1/pharmacies/" + me.Organisation.ID + "/doses"
		if status, err := lt.getJSON(ctx, tok, path, &dl); err != nil || status != 200 {
			return lt.requestError("GET day list", status, err)
		}
		p := &loadPharmacy{token: tok, id: me.Organisation.ID}
		seen := map[string]bool{}
		for _, it := range dl.Items {
			if it.State == "due" {
				sup := string(it.Supervised)
				p.due = append(p.due, dueInstalment{id: it.InstalmentID, supervised: sup != "0" && sup != `"0"`})
			}
			if !seen[it.PatientID] {
				seen[it.PatientID] = true
				p.patients = append(p.patients, it.PatientID)
			}
		}
		lt.due.Add(int64(len(p.due)))
		lt.pharmacies = append(lt.pharmacies, p)
	}
	if len(lt.pharmacies) == 0 {
		return errors.New("no pharmacist token in --token-file")
	}
	return nil
}

// mayRecordAt refuses a record mix for a pharmacist generate or demo did
// not make. Recording writes supervised doses with identity confirmed in
// the pharmacist's name; against a real pharmacy's database (the default
// --url is the production server's address) those would be false clinical
// records, which are append-only. Only generate's and demo's made-up
// pharmacists are known by name; anything else is taken for real.
func (lt *loadTarget) mayRecordAt(org, user string) error {
	if lt.o.mix["record"] == 0 || isGeneratedPharmacist(org, user) || demo.IsDemoPharmacist(org, user) {
		return nil
	}
	return fmt.Errorf("refusing to record doses: %s at %q is not a pharmacist dosebook generate or demo made, "+
		"and load would write made-up dose records in their name; drive only a server on a generated or demo database, "+
		"or leave record out of --mix (e.g. --mix daylist=50,history=50)", user, org)
}

// loadRecordNote is in the notes of every dose load records, so that the
// records say what they are wherever they are read.
const loadRecordNote = "dosebook load: synthetic load-test record"

// requestError says what went wrong with a discovery request: no answer at
// all (status 0: the server is not listening yet, or not at --url) is said
// as such rather than as a status.
func (lt *loadTarget) requestError(what string, status int, err error) error {
	if status == 0 {
		return fmt.Errorf("cannot reach the server at %s (is it running and ready? curl %s/readyz): %v", lt.o.url, lt.o.url, err)
	}
	return fmt.Errorf("%s: status %d: %v", what, status, err)
}

func (lt *loadTarget) getJSON(ctx context.Context, token, path string, v any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", lt.o.url+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := lt.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode != 200 {
		return resp.StatusCode, fmt.Errorf("%s", bytes.TrimSpace(b[:min(len(b), 300)]))
	}
	return resp.StatusCode, json.Unmarshal(b, v)
}

// takeDue hands out one due instalment, starting at pharmacy i.
func (lt *loadTarget) takeDue(i int) (*loadPharmacy, dueInstalment, bool) {
	for k := range lt.pharmacies {
		p := lt.pharmacies[(i+k)%len(lt.pharmacies)]
		p.mu.Lock()
		if n := len(p.due); n > 0 {
			d := p.due[n-1]
			p.due = p.due[:n-1]
			p.mu.Unlock()
			lt.due.Add(-1)
			return p, d, true
		}
		p.mu.Unlock()
	}
	return nil, dueInstalment{}, false
}

// sample is one request's result.
type sample struct {
	op      string
	status  int // 0: transport error
	elapsed time.Duration
}

// run drives the mix until the duration passes or max requests are sent.
func (lt *loadTarget) run(ctx context.Context) loadReport {
	ctx, cancel := context.WithTimeout(ctx, lt.o.duration)
	defer cancel()
	var ops []string
	var weights []int
	for _, op := range loadOps {
		if w := lt.o.mix[op]; w > 0 {
			ops, weights = append(ops, op), append(weights, w)
		}
	}
	results := make([][]sample, lt.o.concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for c := range lt.o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(lt.o.seed, uint64(c)))
			for ctx.Err() == nil && lt.requests.Add(1) <= lt.o.maxRequests {
				op := pickWeighted(rng, ops, weights)
				if op == "record" && lt.due.Load() <= 0 {
					if len(ops) == 1 {
						return // nothing left to record
					}
					continue
				}
				s, ok := lt.once(ctx, rng, op)
				if ok {
					results[c] = append(results[c], s)
				}
			}
		}()
	}
	wg.Wait()
	return summarise(results, time.Since(start), lt.o)
}

func pickWeighted(rng *rand.Rand, ops []string, weights []int) string {
	total := 0
	for _, w := range weights {
		total += w
	}
	r := rng.IntN(total)
	for i, w := range weights {
		if r < w {
			return ops[i]
		}
		r -= w
	}
	return ops[len(ops)-1]
}

// once sends one request of op; ok is false when the run ended under it.
func (lt *loadTarget) once(ctx context.Context, rng *rand.Rand, op string) (sample, bool) {
	p := lt.pharmacies[rng.IntN(len(lt.pharmacies))]
	var method, path string
	var body []byte
	switch op {
	case "record":
		ph, d, ok := lt.takeDue(rng.IntN(len(lt.pharmacies)))
		if !ok {
			return sample{}, false
		}
		p = ph
		outcome := "collected"
		if d.supervised {
			outcome = "supervised"
		}
		method, path = "POST", "/v1/instalments/"+d.id+"/events"
		body = []byte(`{"outcome":"` + outcome + `","identity_confirmed":true,"notes":"` + loadRecordNote + `"}`)
	case "daylist":
		method, path = "GET", "/v1/pharmacies/"+p.id+"/doses"
	case "history":
		if len(p.patients) == 0 {
			return sample{}, false
		}
		method, path = "GET", "/v1/patients/"+p.patients[rng.IntN(len(p.patients))]+"/doses"
	}
	req, err := http.NewRequestWithContext(ctx, method, lt.o.url+path, bytes.NewReader(body))
	if err != nil {
		return sample{}, false
	}
	req.Header.Set("Authorization", "Bearer "+p.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	t0 := time.Now()
	resp, err := lt.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return sample{}, false
		}
		return sample{op: op, elapsed: time.Since(t0)}, true
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return sample{op: op, status: resp.StatusCode, elapsed: time.Since(t0)}, true
}

// loadReport is the outcome of a run.
type loadReport struct {
	Seconds     float64        `json:"seconds"`
	Concurrency int            `json:"concurrency"`
	Requests    int            `json:"requests"`
	PerSecond   float64        `json:"requests_per_second"`
	Endpoints   []endpointStat `json:"endpoints"`
}

type endpointStat struct {
	Op        string         `json:"op"`
	Requests  int            `json:"requests"`
	PerSecond float64        `json:"per_second"`
	P50ms     float64        `json:"p50_ms"`
	P95ms     float64        `json:"p95_ms"`
	P99ms     float64        `json:"p99_ms"`
	Maxms     float64        `json:"max_ms"`
	Status    map[string]int `json:"status"`
}

func summarise(results [][]sample, elapsed time.Duration, o loadOptions) loadReport {
	rep := loadReport{Seconds: elapsed.Seconds(), Concurrency: o.concurrency}
	byOp := map[string][]sample{}
	for _, rs := range results {
		for _, s := range rs {
			byOp[s.op] = append(byOp[s.op], s)
		}
	}
	for _, op := range loadOps {
		ss := byOp[op]
		if len(ss) == 0 {
			continue
		}
		durs := make([]time.Duration, len(ss))
		st := endpointStat{Op: op, Requests: len(ss), PerSecond: float64(len(ss)) / rep.Seconds, Status: map[string]int{}}
		for i, s := range ss {
			durs[i] = s.elapsed
			k := strconv.Itoa(s.status)
			if s.status == 0 {
				k = "error"
			}
			st.Status[k]++
		}
		slices.Sort(durs)
		st.P50ms, st.P95ms, st.P99ms = pct(durs, 50), pct(durs, 95), pct(durs, 99)
		st.Maxms = ms(durs[len(durs)-1])
		rep.Requests += len(ss)
		rep.Endpoints = append(rep.Endpoints, st)
	}
	rep.PerSecond = float64(rep.Requests) / rep.Seconds
	return rep
}

// pct is the nearest-rank percentile of sorted durations.
func pct(sorted []time.Duration, p int) float64 {
	i := (len(sorted)*p + 99) / 100
	return ms(sorted[max(0, min(len(sorted)-1, i-1))])
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (r loadReport) print(w io.Writer) {
	fmt.Fprintf(w, "%d requests in %.1f s with %d clients: %.1f req/s\n", r.Requests, r.Seconds, r.Concurrency, r.PerSecond)
	fmt.Fprintf(w, "%-8s %9s %9s %9s %9s %9s %9s  %s\n", "endpoint", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "status")
	for _, e := range r.Endpoints {
		keys := make([]string, 0, len(e.Status))
		for k := range e.Status {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprintf("%s×%d", k, e.Status[k]))
		}
		fmt.Fprintf(w, "%-8s %9d %9.1f %9.2f %9.2f %9.2f %9.2f  %s\n", e.Op, e.Requests, e.PerSecond, e.P50ms, e.P95ms, e.P99ms, e.Maxms,
			strings.Join(parts, " "))
	}
}
