package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cli runs a command in-process against the SQLite file in dir and returns
// its stdout and exit status (0, 1, or 2 for usage and configuration).
func cli(t *testing.T, dir string, args ...string) (string, int, string) {
	t.Helper()
	return cliAt(t, "sqlite://"+filepath.Join(dir, "admin.db"), args...)
}

// cliAt is cli against the database at url (either dialect).
func cliAt(t *testing.T, url string, args ...string) (string, int, string) {
	t.Helper()
	env := func(k string) string {
		if k == "DOSEBOOK_DATABASE_URL" {
			return url
		}
		return ""
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), args, env, &stdout, &stderr)
	code := 0
	if err != nil {
		code = 1
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		return stdout.String(), code, err.Error()
	}
	return stdout.String(), code, ""
}

// users create prints the token's id, which is what tokens revoke --id
// takes; tokens revoke also takes the token itself, and says how to use it
// when given neither or the token as the id.
func TestTokensRevokeByIDOrToken(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, code, msg := cli(t, dir, "orgs", "create", "--kind", "treatment_service", "--name", "Riverside", "--address", "1 Quay St"); code != 0 {
		t.Fatalf("orgs create: %d %s", code, msg)
	}
	newUser := func(name string) (id, secret string) {
		out, code, msg := cli(t, dir, "users", "create", "--org", "Riverside", "--role", "admin", "--name", name)
		if code != 0 {
			t.Fatalf("users create: %d %s", code, msg)
		}
		var res struct {
			Token   string `json:"token"`
			TokenID string `json:"token_id"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.Token == "" || res.TokenID == "" {
			t.Fatalf("users create printed %s, want token and token_id", out)
		}
		return res.TokenID, res.Token
	}
	revoked := func(out string) bool {
		var tok struct {
			RevokedAt *string `json:"revoked_at"`
		}
		return json.Unmarshal([]byte(out), &tok) == nil && tok.RevokedAt != nil
	}

	id, secret := newUser("Sam Okafor")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "--id or --token is required"},
		{[]string{"--id", id, "--token", secret}, "either --id or --token"},
		{[]string{"--id", secret}, "--id takes a token id; pass the token itself with --token"},
		{[]string{"--token", "not-a-token"}, "--token: not a Dosebook token"},
	} {
		_, code, msg := cli(t, dir, append([]string{"tokens", "revoke"}, tt.args...)...)
		if code != 2 || !strings.Contains(msg, tt.want) {
			t.Errorf("tokens revoke %q: exit %d %q, want 2 and %q", tt.args, code, msg, tt.want)
		}
	}
	if out, code, msg := cli(t, dir, "tokens", "revoke", "--id", id); code != 0 || !revoked(out) {
		t.Fatalf("revoke --id: %d %s %s", code, out, msg)
	}
	_, secret2 := newUser("Jo Pritchard")
	if out, code, msg := cli(t, dir, "tokens", "revoke", "--token", secret2); code != 0 || !revoked(out) {
		t.Fatalf("revoke --token: %d %s %s", code, out, msg)
	}
	if _, code, _ := cli(t, dir, "tokens", "revoke", "--token", secret2+"x"); code != 1 && code != 2 {
		t.Fatalf("revoke an unknown token: exit %d", code)
	}
}

// The CLI refuses what the API refuses: a blank name is no name.
func TestCLIRefusesBlankNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, code, msg := cli(t, dir, "orgs", "create", "--kind", "pharmacy", "--name", "  ", "--address", "1 High St"); code != 2 || !strings.Contains(msg, "--name: name is required") {
		t.Errorf("orgs create with a blank name: exit %d %q", code, msg)
	}
	if _, code, msg := cli(t, dir, "orgs", "create", "--kind", "pharmacy", "--name", " Castle Street ", "--address", "1 High St"); code != 0 {
		t.Fatalf("orgs create: %d %s", code, msg)
	}
	if _, code, msg := cli(t, dir, "users", "create", "--org", "Castle Street", "--role", "pharmacist", "--name", "   "); code != 2 || !strings.Contains(msg, "--name: name is required") {
		t.Errorf("users create with a blank name: exit %d %q", code, msg)
	}
	out, code, msg := cli(t, dir, "users", "create", "--org", "Castle Street", "--role", "pharmacist", "--name", " Tom Hughes ")
	if code != 0 || !strings.Contains(out, `"name":"Tom Hughes"`) {
		t.Fatalf("users create: %d %s %s, want the name trimmed as the API does", code, out, msg)
	}
}

// The CLI refuses what the prescription and the letters cannot print, as
// the API does, and keeps a name as it prints (NFC, single spaces), so
// --org finds it however its accent or spaces were typed.
func TestCLIRefusesUnprintableNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, code, msg := cli(t, dir, "orgs", "create", "--kind", "gp_practice", "--name", "\u0645\u062d\u0645\u062f Surgery", "--address", "\u200b"); code != 2 ||
		!strings.Contains(msg, "--name: name holds") || !strings.Contains(msg, "--address: address is required: the text sent has no visible characters") {
		t.Errorf("orgs create with an Arabic name and an invisible address: exit %d %q", code, msg)
	}
	out, code, msg := cli(t, dir, "orgs", "create", "--kind", "treatment_service", "--name", "Cafe\u0301  Service", "--address", "1 High St")
	if code != 0 || !strings.Contains(out, "\"name\":\"Caf\u00e9 Service\"") {
		t.Fatalf("orgs create: %d %s %s", code, out, msg)
	}
	if _, code, msg := cli(t, dir, "orgs", "create", "--kind", "treatment_service", "--name", "caf\u00e9 service", "--address", "1 High St"); code == 0 ||
		!strings.Contains(msg, "already exists") {
		t.Errorf("orgs create with the same name: exit %d %q", code, msg)
	}
	if _, code, msg := cli(t, dir, "users", "create", "--org", "Caf\u00e9 Service", "--role", "prescriber", "--name", "\u200b", "--registration", "GMC 1234567"); code != 2 ||
		!strings.Contains(msg, "--name: name is required: the text sent has no visible characters") {
		t.Errorf("users create with an invisible name: exit %d %q", code, msg)
	}
	out, code, msg = cli(t, dir, "users", "create", "--org", "Cafe\u0301 service", "--role", "prescriber", "--name", "Dr Zoe\u0308  Price", "--registration", "GMC 1234567")
	if code != 0 || !strings.Contains(out, "\"name\":\"Dr Zo\u00eb Price\"") {
		t.Fatalf("users create: %d %s %s", code, out, msg)
	}
}

// load --token-file reads demo's JSON for the pharmacists' tokens; the
// token_ids beside them are not tokens.
func TestTokenFileFromDemoOutput(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "demo.json")
	demo := `{"tokens": {"admin": "dbk_a", "pharmacist": "dbk_p1", "pharmacist_2": "dbk_p2"},
		"token_ids": {"admin": "id-a", "pharmacist": "id-p1", "pharmacist_2": "id-p2"}}`
	if err := os.WriteFile(path, []byte(demo), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := readTokenFile(path)
	if err != nil || strings.Join(got, ",") != "dbk_p1,dbk_p2" {
		t.Fatalf("readTokenFile = %q %v, want the two pharmacists' tokens", got, err)
	}
}

// load --token-file takes serve --demo's stdout as it is (the tokens'
// JSON, then "Try it" lines), and the same with the log lines in front
// (stdout and stderr in one file); plain lines of tokens still work.
func TestTokenFileFromServeDemoOutput(t *testing.T) {
	t.Parallel()
	demo := `{
  "tokens": {"admin": "dbk_a", "pharmacist": "dbk_p1", "pharmacist_2": "dbk_p2"},
  "token_ids": {"admin": "id-a", "pharmacist": "id-p1", "pharmacist_2": "id-p2"}
}

Try it (tokens above; they are valid for 30 days):
  curl -H "Authorization: Bearer dbk_a" http://127.0.0.1:8080/v1/me
`
	logs := `{"time":"2026-12-03T09:34:35Z","level":"INFO","msg":"migration applied","version":1}
{"time":"2026-12-03T09:34:35Z","level":"INFO","msg":"listening","addr":"127.0.0.1:8080"}
`
	for _, tt := range []struct{ name, text, want string }{
		{"serve --demo stdout", demo, "dbk_p1,dbk_p2"},
		{"with log lines before", logs + demo, "dbk_p1,dbk_p2"},
		{"plain lines", "# pharmacists\ndbk_p1\n\ndbk_p2\n", "dbk_p1,dbk_p2"},
	} {
		path := filepath.Join(t.TempDir(), "tokens")
		if err := os.WriteFile(path, []byte(tt.text), 0o600); err != nil {
			t.Fatal(err)
		}
		got, err := readTokenFile(path)
		if err != nil || strings.Join(got, ",") != tt.want {
			t.Errorf("%s: readTokenFile = %q %v, want %s", tt.name, got, err, tt.want)
		}
	}
	// JSON naming no pharmacist is said as such, not read as token lines.
	path := filepath.Join(t.TempDir(), "logs")
	if err := os.WriteFile(path, []byte(logs), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := readTokenFile(path); err == nil || !strings.Contains(err.Error(), "holds no pharmacist tokens") {
		t.Errorf("log lines alone: readTokenFile = %q %v, want no pharmacist tokens", got, err)
	}
}

// load -h names each flag's argument by its type: the flag package would
// take back-quoted text in a usage string as the argument's name.
func TestLoadUsageNamesArgumentsPlainly(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	_, err := parseLoadFlags([]string{"-h"}, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("parseLoadFlags(-h) = %v, want flag.ErrHelp", err)
	}
	if !strings.Contains(stderr.String(), "-token-file string") || strings.Contains(stderr.String(), "`") {
		t.Fatalf("load -h:\n%s\nwant -token-file string and no back quotes", stderr.String())
	}
}

// load against a port where nothing listens says it cannot reach the
// server, not "status 0".
func TestLoadSaysWhenTheServerIsUnreachable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ln.Close()
	path := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(path, []byte("dbk_p1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err = cmdLoad(context.Background(), []string{"--url", url, "--token-file", path, "--duration", "1s"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "cannot reach the server at "+url) || strings.Contains(err.Error(), "status 0") {
		t.Fatalf("load = %v, want cannot reach the server at %s", err, url)
	}
}

// The CLI refuses an address of more lines than a prescription's or a
// letter's address block holds, as the API does.
func TestCLIRefusesAnAddressOfTooManyLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	address := "1, 2, 3, 4, 5, 6, 7, 8, Worcester WR1 2JJ"
	if _, code, msg := cli(t, dir, "orgs", "create", "--kind", "pharmacy", "--name", "Lines", "--address", address); code != 2 ||
		!strings.Contains(msg, "--address: address has 9 lines") {
		t.Errorf("orgs create with a 9-line address: exit %d %q", code, msg)
	}
}
