// Package config reads Dosebook's settings from the environment, with
// command-line flags overriding them.
package config

import (
	"flag"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/store"
)

// Config is everything the service needs to start.
type Config struct {
	Addr           string
	DatabaseURL    string
	Timezone       *time.Location
	LogLevel       slog.Level
	DayCloseAt     time.Duration // local time of day when due doses become missed
	TrustedProxies []string
	Policy         policy.Numbers
	TokenTTL       time.Duration
	RequestTimeout time.Duration
	// AuthCacheTTL is how long a server reuses a token it has checked. A
	// token revoked through this server stops at once; one revoked through
	// another process (the CLI, a second server) within this time. Zero
	// checks every request against the database.
	AuthCacheTTL time.Duration
}

// EarliestDayClose is the earliest DOSEBOOK_DAY_CLOSE_AT allowed. The day
// closed at that time is the day it is on, so an earlier time, before the
// pharmacies' day is under way, is a mistake: most likely an operator
// meaning "just after midnight", which would close each day before it
// began.
const EarliestDayClose = 12 * time.Hour

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Env is the subset of the environment config reads.
type Env func(string) string

// Load parses environment then flags. fs must be a fresh FlagSet for the
// subcommand; its other flags are left for the caller.
func Load(fs *flag.FlagSet, args []string, env Env) (Config, error) {
	get := func(k, def string) string {
		if v := env(k); v != "" {
			return v
		}
		return def
	}
	addr := fs.String("addr", get("DOSEBOOK_ADDR", "127.0.0.1:8080"), "listen address (DOSEBOOK_ADDR)")
	dbURL := fs.String("database-url", get("DOSEBOOK_DATABASE_URL", ""), "postgres://… or sqlite://file (DOSEBOOK_DATABASE_URL; unset: ./dosebook.db)")
	tz := fs.String("timezone", get("DOSEBOOK_TIMEZONE", "Europe/London"), "time zone of the pharmacies' day (DOSEBOOK_TIMEZONE)")
	level := fs.String("log-level", get("DOSEBOOK_LOG_LEVEL", "info"), "debug, info, warn or error (DOSEBOOK_LOG_LEVEL)")
	dayClose := fs.String("day-close-at", get("DOSEBOOK_DAY_CLOSE_AT", "23:00"), "local time HH:MM, from 12:00, when the day's due doses become missed: after the last pharmacy closes (DOSEBOOK_DAY_CLOSE_AT)")
	proxies := fs.String("trusted-proxies", get("DOSEBOOK_TRUSTED_PROXIES", ""), "comma-separated proxy addresses whose X-Forwarded-For is believed (DOSEBOOK_TRUSTED_PROXIES)")
	pol := fs.String("policy", get("DOSEBOOK_POLICY", ""), "rule number overrides, e.g. M2.max_step_mg=5 (DOSEBOOK_POLICY)")
	ttl := fs.String("token-ttl", get("DOSEBOOK_TOKEN_TTL", "2160h"), "lifetime of new tokens (DOSEBOOK_TOKEN_TTL)")
	timeout := fs.String("request-timeout", get("DOSEBOOK_REQUEST_TIMEOUT", "10s"), "longest a request may take (DOSEBOOK_REQUEST_TIMEOUT)")
	authCache := fs.String("auth-cache", get("DOSEBOOK_AUTH_CACHE", "5s"), "how long a checked token is reused; 0 checks every request (DOSEBOOK_AUTH_CACHE)")
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	// A bad value is reported under the name it was given by: the flag
	// when one was passed, otherwise the environment variable.
	passed := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { passed[f.Name] = true })
	from := func(flagName, envName string) string {
		if passed[flagName] {
			return "--" + flagName
		}
		return envName
	}

	var c Config
	c.Addr = *addr
	_, port, err := net.SplitHostPort(c.Addr)
	if err != nil || port == "" {
		return c, fmt.Errorf("%s: %q is not host:port", from("addr", "DOSEBOOK_ADDR"), c.Addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return c, fmt.Errorf("%s: %q: the port must be a number from 0 to 65535", from("addr", "DOSEBOOK_ADDR"), c.Addr)
	}
	c.DatabaseURL = *dbURL
	if _, _, err := store.DialectOf(c.DatabaseURL); err != nil {
		return c, fmt.Errorf("%s: %w", from("database-url", "DOSEBOOK_DATABASE_URL"), err)
	}
	if err := store.CheckSQLiteDir(c.DatabaseURL); err != nil {
		return c, fmt.Errorf("%s: %w", from("database-url", "DOSEBOOK_DATABASE_URL"), err)
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return c, fmt.Errorf("%s: unknown time zone %q", from("timezone", "DOSEBOOK_TIMEZONE"), *tz)
	}
	c.Timezone = loc
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return c, fmt.Errorf("%s: %q is not debug, info, warn or error", from("log-level", "DOSEBOOK_LOG_LEVEL"), *level)
	}
	at, err := time.Parse("15:04", *dayClose)
	if err != nil {
		return c, fmt.Errorf("%s: %q is not HH:MM", from("day-close-at", "DOSEBOOK_DAY_CLOSE_AT"), *dayClose)
	}
	c.DayCloseAt = time.Duration(at.Hour())*time.Hour + time.Duration(at.Minute())*time.Minute
	if c.DayCloseAt < EarliestDayClose {
		// The scheduler closes the day it is run on: a time "just after
		// midnight" would mark each day's doses missed before any
		// pharmacy opened, with MD2 alerts, and MD1 would stop the
		// prescriptions after three days.
		return c, fmt.Errorf("%s: %q would close each day's doses before pharmacies open (every dose that day missed); "+
			"choose a time after the last pharmacy closes, from %s, e.g. 23:00",
			from("day-close-at", "DOSEBOOK_DAY_CLOSE_AT"), *dayClose, clock(EarliestDayClose))
	}
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		// What gin's SetTrustedProxies accepts, checked here so that a
		// mistake stops the start before the database is touched.
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return c, fmt.Errorf("%s: %q is not an IP address or CIDR range", from("trusted-proxies", "DOSEBOOK_TRUSTED_PROXIES"), p)
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	c.Policy, err = policy.ParseOverrides(policy.Defaults(), *pol)
	if err != nil {
		return c, fmt.Errorf("%s: %w", from("policy", "DOSEBOOK_POLICY"), err)
	}
	if c.TokenTTL, err = time.ParseDuration(*ttl); err != nil || c.TokenTTL <= 0 {
		return c, fmt.Errorf("%s: %q is not a positive duration", from("token-ttl", "DOSEBOOK_TOKEN_TTL"), *ttl)
	}
	if c.RequestTimeout, err = time.ParseDuration(*timeout); err != nil || c.RequestTimeout <= 0 {
		return c, fmt.Errorf("%s: %q is not a positive duration", from("request-timeout", "DOSEBOOK_REQUEST_TIMEOUT"), *timeout)
	}
	if c.AuthCacheTTL, err = time.ParseDuration(*authCache); err != nil || c.AuthCacheTTL < 0 || c.AuthCacheTTL > time.Minute {
		return c, fmt.Errorf("%s: %q is not a duration from 0 to 1m", from("auth-cache", "DOSEBOOK_AUTH_CACHE"), *authCache)
	}
	return c, nil
}
