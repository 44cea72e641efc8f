package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/demo"
	"github.com/dosebook/dosebook/internal/httpapi"
)

func cmdServe(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	var withDemo bool
	var pprofAddr string
	return withDB(ctx, "serve", args, env, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&withDemo, "demo", false, "seed demo data if needed and print demo tokens")
		fs.StringVar(&pprofAddr, "pprof-addr", "", "serve Go's profiler (net/http/pprof) on this loopback address, for performance work")
	}, func(a app) error {
		if pprofAddr != "" {
			stop, err := servePprof(pprofAddr)
			if err != nil {
				return &exitError{2, err}
			}
			defer stop()
		}
		if withDemo {
			res, err := demo.Seed(ctx, a.db, a.cfg)
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			printDemo(stdout, a.cfg.Addr, res)
		}
		srv, err := httpapi.New(a.db, a.cfg, a.log)
		if err != nil {
			return &exitError{2, err}
		}
		ln, err := net.Listen("tcp", a.cfg.Addr)
		if err != nil {
			return &exitError{2, fmt.Errorf("listen on %s: %w", a.cfg.Addr, err)}
		}
		hs := &http.Server{
			Handler:           srv.Handler(),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      a.cfg.RequestTimeout + 5*time.Second,
			IdleTimeout:       2 * time.Minute,
		}
		jobs, stopJobs := context.WithCancel(context.Background())
		defer stopJobs()
		closeMetrics := newDayCloseMetrics()
		if err := srv.RegisterMetrics(closeMetrics.collectors()...); err != nil {
			return err
		}
		go newDayCloser(a.db, a.cfg, a.log, closeMetrics).run(jobs)
		a.log.Info("dosebook serving", "addr", ln.Addr().String(), "database", string(a.db.Dialect()))
		errc := make(chan error, 1)
		go func() { errc <- hs.Serve(ln) }()
		select {
		case err := <-errc:
			return err
		case <-ctx.Done():
		}
		a.log.Info("shutting down: finishing requests in flight")
		stopJobs()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		a.log.Info("stopped")
		return nil
	})
}

// servePprof exposes the profiler on its own listener, never on the API's:
// profiles show request data in memory, so only loopback is allowed.
func servePprof(addr string) (stop func(), err error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--pprof-addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("--pprof-addr %q: only a loopback address is allowed", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	return func() { _ = hs.Close() }, nil
}

func printDemo(w io.Writer, addr string, res demo.Result) {
	b, _ := json.MarshalIndent(res, "", "  ")
	fmt.Fprintln(w, string(b))
	base := "http://" + addr
	fmt.Fprintf(w, `
Try it (tokens above; they are valid for 30 days):
  curl -H "Authorization: Bearer %s" %s/v1/me
  curl -H "Authorization: Bearer %s" %s/v1/patients
  curl -H "Authorization: Bearer %s" %s/v1/pharmacies/%s/doses
  curl -H "Authorization: Bearer %s" %s/v1/audit
`, res.Tokens["prescriber"], base, res.Tokens["prescriber"], base,
		res.Tokens["pharmacist"], base, res.PharmacyID, res.Tokens["admin"], base)
}

func cmdDemo(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	return withDB(ctx, "demo", args, env, stderr, nil, func(a app) error {
		res, err := demo.Seed(ctx, a.db, a.cfg)
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(res, "", "  ")
		fmt.Fprintln(stdout, string(b))
		return nil
	})
}
