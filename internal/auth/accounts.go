package auth

import (
	"strings"

	"github.com/dosebook/dosebook/internal/patients"
	"github.com/dosebook/dosebook/internal/problem"
)

// CheckOrganisation is the rule for a new organisation's details, the same
// through the API and the CLI; the name is kept as Name leaves it, the
// address and phone as patients.Printable leaves them.
func CheckOrganisation(kind OrgKind, name, address, phone string) problem.Fields {
	var f problem.Fields
	if !kind.Valid() {
		f.Add("kind", "enum", "kind must be treatment_service, pharmacy or gp_practice")
	}
	f.RequireText("name", name, 200)
	// L1: a controlled drug prescription carries the prescriber's address;
	// the pharmacy's and the practice's go on prescriptions and letters too.
	if !problem.Visible(address) {
		why := "address is required"
		if strings.TrimSpace(address) != "" {
			why = "address is required: the text sent has no visible characters"
		}
		f.Add("address", "required", "%s; it is printed on prescriptions and letters (L1: a controlled drug prescription carries the prescriber's address)", why)
	} else {
		f.OptionalText("address", address, 500)
		if n := patients.TooManyAddressLines(address); n > 0 {
			f.Add("address", "lines", "address has %d lines (a line per line break, or per comma when it is written on one line); at most %d are printed in the address block on prescriptions and letters (L1): "+
				"join parts of it onto fewer lines", n, patients.MaxAddressLines)
		}
	}
	f.OptionalText("phone", phone, 40)
	printable(&f, "name", name, false)
	printable(&f, "address", address, true)
	printable(&f, "phone", phone, false)
	return f
}

// CheckUser is the rule for a new user's details, the same through the API
// and the CLI; the name is kept as Name leaves it, the registration and
// phone as patients.Printable leaves them.
func CheckUser(role Role, name, registration, phone string) problem.Fields {
	var f problem.Fields
	if !role.Valid() {
		f.Add("role", "enum", "role must be admin, prescriber, pharmacist or gp")
	}
	f.RequireText("name", name, 200)
	f.OptionalText("registration", registration, 40)
	f.OptionalText("phone", phone, 40)
	printable(&f, "name", name, false)
	printable(&f, "registration", registration, false)
	printable(&f, "phone", phone, false)
	return f
}

// printable refuses a value the prescription, the shared-care letter or the
// summary cannot print as written, by the rule a patient's name and
// address follow (patients.Unprintable, ADR 0013): a controlled drug
// prescription carries the prescriber's name, address and registration
// (L1), and the letters carry the service's and the practice's. A value
// already refused for its characters, or blank, is not told twice.
func printable(f *problem.Fields, field, v string, lines bool) {
	if !problem.Visible(v) || !problem.IsText(v) {
		return
	}
	if c, bad := patients.Unprintable(patients.Printable(v), lines); bad {
		f.Add(field, "printable", "%s holds %q (U+%04X), which prescriptions and letters cannot print as written (L1, L2): "+
			"use Latin, Greek or Cyrillic letters, digits and punctuation on one line (an address may have several), with no invisible characters",
			field, c, c)
	}
}

// Name is an organisation's or a user's name as it is kept and printed:
// in NFC, trimmed, and with each run of spaces one space. "Cafe" with its
// accent typed apart, or "Riverside  Community Drug Service" with two
// spaces, differ from "Café Surgery" and "Riverside Community Drug
// Service" in nothing a reader of the form could see, so they are kept as
// those names.
func Name(s string) string { return strings.Join(strings.Fields(patients.Printable(s)), " ") }

// SameName reports whether two organisation names are one as a reader
// sees them: equal once each is Name's form, ignoring case.
func SameName(a, b string) bool { return strings.EqualFold(Name(a), Name(b)) }
