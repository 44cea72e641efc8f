package httpapi

import "testing"

// An organisation's name is unique ignoring case: "other surgery" is the
// same place as "Other Surgery", and the CLI's --org finds it either way.
func TestOrganisationNamesIgnoreCase(t *testing.T) {
	t.Parallel()
	eachEnv(t, func(t *testing.T, e *env) {
		first := e.must(201, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "gp_practice", "name": "Lych Gate Surgery",
			"address": "2 Church Walk, Worcester WR1 2AA"}))
		for _, name := range []string{"Lych Gate Surgery", "lych gate surgery", "LYCH GATE SURGERY "} {
			p := problemOf(t, e.do("admin", "POST", "/v1/organisations", map[string]any{"kind": "gp_practice", "name": name,
				"address": "2 Church Walk, Worcester WR1 2AA"}), 409)
			assertText(t, p["detail"].(string), `name: an organisation named "Lych Gate Surgery" already exists`)
			if ex := p["existing"].(map[string]any); ex["id"] != first["id"] || ex["address"] != "2 Church Walk, Worcester WR1 2AA" {
				t.Fatalf("%q clashed with %v", name, p["existing"])
			}
		}
	})
}
