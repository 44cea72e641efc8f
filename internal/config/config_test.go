package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"
)

func load(args []string, env map[string]string) (Config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return Load(fs, args, func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	c, err := load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DatabaseURL != "" || c.Timezone.String() != "Europe/London" || c.DayCloseAt != 23*time.Hour {
		t.Fatalf("defaults = %+v", c)
	}
}

// A bad value is named the way it was given: the flag when passed, else the
// environment variable; a flag overrides the environment.
func TestBadValueNamesItsSource(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{env: map[string]string{"DOSEBOOK_TIMEZONE": "Mars/Olympus"}, want: `DOSEBOOK_TIMEZONE: unknown time zone "Mars/Olympus"`},
		{args: []string{"--timezone", "Mars/Olympus"}, want: `--timezone: unknown time zone "Mars/Olympus"`},
		{args: []string{"--policy", "M2.nonsense=1"}, want: "--policy: "},
		{env: map[string]string{"DOSEBOOK_POLICY": "M2.nonsense=1"}, want: "DOSEBOOK_POLICY: "},
		{env: map[string]string{"DOSEBOOK_POLICY": "L5.max_supply_days=10"}, want: "DOSEBOOK_POLICY: policy: L6.max_days (14) is above L5.max_supply_days (10); an FP10MDA may not cover more days than L5 allows"},
		{env: map[string]string{"DOSEBOOK_POLICY": "L3.valid_days=90,L5.max_supply_days=60,L6.max_days=56"},
			want: `DOSEBOOK_POLICY: policy override "L3.valid_days": 90 is above the legal limit of 28 days (`},
		{args: []string{"--addr", "8080"}, env: map[string]string{"DOSEBOOK_ADDR": "127.0.0.1:9000"}, want: `--addr: "8080" is not host:port`},
		{env: map[string]string{"DOSEBOOK_DAY_CLOSE_AT": "11pm"}, want: `DOSEBOOK_DAY_CLOSE_AT: "11pm" is not HH:MM`},
		{env: map[string]string{"DOSEBOOK_DAY_CLOSE_AT": "00:30"}, want: `DOSEBOOK_DAY_CLOSE_AT: "00:30" would close each day's doses before pharmacies open`},
		{args: []string{"--day-close-at", "11:59"}, want: `--day-close-at: "11:59" would close each day's doses before pharmacies open`},
		{args: []string{"--day-close-at", "00:00"}, want: `--day-close-at: "00:00" would close`},
		{args: []string{"--auth-cache", "2m"}, want: `--auth-cache: "2m" is not a duration from 0 to 1m`},
		{env: map[string]string{"DOSEBOOK_TRUSTED_PROXIES": "not-an-ip"}, want: `DOSEBOOK_TRUSTED_PROXIES: "not-an-ip" is not an IP address or CIDR range`},
		{args: []string{"--trusted-proxies", "10.0.0.1, 10.0.0.0/33"}, want: `--trusted-proxies: "10.0.0.0/33" is not an IP address or CIDR range`},
		{env: map[string]string{"DOSEBOOK_ADDR": "127.0.0.1:99999"}, want: `DOSEBOOK_ADDR: "127.0.0.1:99999": the port must be a number from 0 to 65535`},
		{args: []string{"--addr", "127.0.0.1:http"}, want: `--addr: "127.0.0.1:http": the port must be a number from 0 to 65535`},
		{env: map[string]string{"DOSEBOOK_DATABASE_URL": "sqlite://"}, want: `DOSEBOOK_DATABASE_URL: `},
		{args: []string{"--database-url", "sqlite:///nonexistent/dir/x.db"},
			want: `--database-url: directory /nonexistent/dir for the SQLite database does not exist`},
	}
	for _, tt := range tests {
		_, err := load(tt.args, tt.env)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("args %v env %v: error %v, want %q…", tt.args, tt.env, err, tt.want)
		}
	}
	c, err := load([]string{"--timezone", "UTC"}, map[string]string{"DOSEBOOK_TIMEZONE": "Mars/Olympus"})
	if err != nil || c.Timezone.String() != "UTC" {
		t.Fatalf("the flag does not override the environment: %v %v", c.Timezone, err)
	}
}

// A close time is accepted from EarliestDayClose through the end of the
// day: the day closed is the day the time falls on.
func TestDayCloseTimes(t *testing.T) {
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"23:00", 23 * time.Hour, true},
		{"23:59", 23*time.Hour + 59*time.Minute, true},
		{"12:00", 12 * time.Hour, true},
		{"18:30", 18*time.Hour + 30*time.Minute, true},
		{"11:59", 0, false},
		{"00:30", 0, false},
		{"00:00", 0, false},
		{"06:00", 0, false},
		{"24:00", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			c, err := load(nil, map[string]string{"DOSEBOOK_DAY_CLOSE_AT": tt.value})
			if ok := err == nil; ok != tt.ok || (ok && c.DayCloseAt != tt.want) {
				t.Fatalf("DayCloseAt = %v, error %v; want %v, accepted %v", c.DayCloseAt, err, tt.want, tt.ok)
			}
		})
	}
}

func TestGoodProxiesAndAddresses(t *testing.T) {
	c, err := load([]string{"--addr", ":0"}, map[string]string{"DOSEBOOK_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16,::1, fd00::/8"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.TrustedProxies) != 4 || c.TrustedProxies[1] != "192.168.0.0/16" {
		t.Fatalf("proxies = %q", c.TrustedProxies)
	}
}
