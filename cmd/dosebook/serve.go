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
	"strconv"
	"time"

	"github.com/dosebook/dosebook/internal/config"
	"github.com/dosebook/dosebook/internal/demo"
	"github.com/dosebook/dosebook/internal/httpapi"
)

func cmdServe(ctx context.Context, args []string, env config.Env, stdout, stderr io.Writer) error {
	var withDemo bool
	var pprofAddr string
	var ln net.Listener
	// The port is bound before the database is opened: a port in use is
	// one line and exit status 2, with nothing migrated or seeded and no
	// demo tokens printed for a server that will not run.
	listen := func(cfg config.Config) error {
		var err error
		if ln, err = net.Listen("tcp", cfg.Addr); err != nil {
			return &exitError{2, fmt.Errorf("cannot listen on %s (--addr, DOSEBOOK_ADDR): %w", cfg.Addr, listenCause(err))}
		}
		return nil
	}
	defer func() {
		if ln != nil {
			ln.Close()
		}
	}()
	var stopPprof func()
	defer func() {
		if stopPprof != nil {
			stopPprof()
		}
	}()
	return openDBAfter(ctx, "serve", true, args, env, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&withDemo, "demo", false, "seed demo data if needed and print demo tokens")
		fs.StringVar(&pprofAddr, "pprof-addr", "", "serve Go's profiler (net/http/pprof) on this loopback address, for performance work")
	}, func(cfg config.Config) error {
		if err := listen(cfg); err != nil {
			return err
		}
		if pprofAddr != "" {
			stop, err := servePprof(pprofAddr)
			if err != nil {
				return &exitError{2, err}
			}
			stopPprof = stop
		}
		return nil
	}, func(a app) error {
		if withDemo {
			// Seeded by whoever started the server, not by the service.
			res, err := demo.Seed(operatorContext(ctx), a.db, a.cfg)
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			printDemo(stdout, reachable(ln.Addr()), res)
		}
		srv, err := httpapi.New(a.db, a.cfg, a.log)
		if err != nil {
			return &exitError{2, err}
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

// reachable is an address to print for curl: the listener's, with the
// loopback address for "every interface" (0.0.0.0 in a container).
func reachable(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok && (tcp.IP == nil || tcp.IP.IsUnspecified()) {
		return net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	}
	return addr.String()
}

// listenCause is the reason a listen failed ("bind: address already in
// use") without the address, which the message already names.
func listenCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
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
