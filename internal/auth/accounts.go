package auth

import (
	"strings"

	"github.com/dosebook/dosebook/internal/problem"
)

// CheckOrganisation is the rule for a new organisation's details, the same
// through the API and the CLI; the name is stored trimmed.
func CheckOrganisation(kind OrgKind, name, address, phone string) problem.Fields {
	var f problem.Fields
	if !kind.Valid() {
		f.Add("kind", "enum", "kind must be treatment_service, pharmacy or gp_practice")
	}
	f.RequireText("name", name, 200)
	// L1: a controlled drug prescription carries the prescriber's address;
	// the pharmacy's and the practice's go on prescriptions and letters too.
	if strings.TrimSpace(address) == "" {
		f.Add("address", "required", "address is required: it is printed on prescriptions and letters (L1: a controlled drug prescription carries the prescriber's address)")
	} else {
		f.OptionalText("address", address, 500)
	}
	f.OptionalText("phone", phone, 40)
	return f
}

// CheckUser is the rule for a new user's details, the same through the API
// and the CLI; the name is stored trimmed.
func CheckUser(role Role, name, registration, phone string) problem.Fields {
	var f problem.Fields
	if !role.Valid() {
		f.Add("role", "enum", "role must be admin, prescriber, pharmacist or gp")
	}
	f.RequireText("name", name, 200)
	f.OptionalText("registration", registration, 40)
	f.OptionalText("phone", phone, 40)
	return f
}
