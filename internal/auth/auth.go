// Package auth holds who may do what: roles, the permissions each role has,
// how far each role can see, and the bearer tokens that identify a user.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// Role is the one job a user does in Dosebook.
type Role string

const (
	Admin      Role = "admin"
	Prescriber Role = "prescriber"
	Pharmacist Role = "pharmacist"
	GP         Role = "gp"
)

func (r Role) Valid() bool { _, ok := rolePermissions[r]; return ok }

// OrgKind is the kind of organisation a user belongs to.
type OrgKind string

const (
	TreatmentService OrgKind = "treatment_service"
	Pharmacy         OrgKind = "pharmacy"
	GPPractice       OrgKind = "gp_practice"
)

func (k OrgKind) Valid() bool { return k == TreatmentService || k == Pharmacy || k == GPPractice }

// RoleOrgKind says which kind of organisation each role belongs to: a
// pharmacist works at a pharmacy, a GP at a practice, the rest at a service.
var RoleOrgKind = map[Role]OrgKind{
	Admin:      TreatmentService,
	Prescriber: TreatmentService,
	Pharmacist: Pharmacy,
	GP:         GPPractice,
}

// Permission is one thing a role may do. New features add rows to
// rolePermissions rather than role checks in handlers.
type Permission string

const (
	PermUsersManage   Permission = "users:manage"
	PermOrgsManage    Permission = "organisations:manage"
	PermAuditRead     Permission = "audit:read"
	PermPatientsRead  Permission = "patients:read"
	PermPatientsWrite Permission = "patients:write"
	PermRegimesWrite  Permission = "regimes:write"
	PermTitrate       Permission = "regimes:titrate"
	PermAdminister    Permission = "regimes:administer"
	PermScreensWrite  Permission = "drug_screens:write"
	PermPrescribe     Permission = "prescriptions:write"
	PermPrescRead     Permission = "prescriptions:read"
	PermDosesRead     Permission = "doses:read"
	PermDosesRecord   Permission = "doses:record"
	// PermPharmacyDoses reads a pharmacy's own working lists: its day list
	// and its controlled-drug balance. Reading is not recording: a
	// refusal says which it is.
	PermPharmacyDoses  Permission = "doses:pharmacy_read"
	PermDayClose       Permission = "doses:day_close"
	PermReviewsWrite   Permission = "reviews:write"
	PermAlertsRead     Permission = "alerts:read"
	PermAlertsAck      Permission = "alerts:acknowledge"
	PermPharmacyManage Permission = "pharmacy:manage"
	PermSharedPropose  Permission = "shared_care:propose"
	PermSharedRespond  Permission = "shared_care:respond"
	PermSharedHandBack Permission = "shared_care:hand_back"
	PermSharedRead     Permission = "shared_care:read"
	PermPolicyRead     Permission = "policy:read"
	PermFormularyRead  Permission = "formulary:read"
	// PermReportsRead reads the service's reports, which name patients.
	PermReportsRead Permission = "reports:read"
)

var rolePermissions = map[Role][]Permission{
	Admin: {PermUsersManage, PermOrgsManage, PermAuditRead, PermPolicyRead, PermFormularyRead},
	Prescriber: {
		PermPatientsRead, PermPatientsWrite, PermRegimesWrite, PermTitrate, PermAdminister,
		PermScreensWrite, PermPrescribe, PermPrescRead, PermDosesRead, PermReviewsWrite,
		PermAlertsRead, PermAlertsAck, PermSharedPropose, PermSharedHandBack, PermSharedRead,
		PermPolicyRead, PermFormularyRead, PermReportsRead,
	},
	Pharmacist: {
		PermPatientsRead, PermDosesRead, PermDosesRecord, PermPharmacyDoses, PermDayClose, PermAlertsRead,
		PermAlertsAck, PermPrescRead, PermPharmacyManage, PermPolicyRead, PermFormularyRead,
	},
	// A GP under shared care prescribes at the current dose but never
	// titrates (SC1): PermTitrate is deliberately absent. The GP records
	// reviews, so an MD1 block on the practice's prescriptions can be
	// lifted; the store allows it only under accepted shared care. A
	// Buvidal injection has no prescription the practice could write (BV2),
	// so the practice gives the regular injection at the current dose and
	// records it (PermAdminister); the store narrows it to accepted shared
	// care and refuses any other dose or an extra one (SC1).
	GP: {
		PermPatientsRead, PermDosesRead, PermPrescribe, PermPrescRead, PermReviewsWrite, PermAdminister,
		PermSharedRespond, PermSharedHandBack, PermSharedRead, PermAlertsRead, PermAlertsAck,
		PermPolicyRead, PermFormularyRead,
	},
}

// Can reports whether role r holds permission p.
func (r Role) Can(p Permission) bool {
	for _, have := range rolePermissions[r] {
		if have == p {
			return true
		}
	}
	return false
}

// Permissions lists what role r may do.
func (r Role) Permissions() []Permission { return append([]Permission(nil), rolePermissions[r]...) }

// Principal is the authenticated user behind a request.
type Principal struct {
	UserID  string
	Name    string
	Role    Role
	OrgID   string
	OrgName string
	OrgKind OrgKind
	TokenID string
	// TokenExpiresAt bounds how long the principal may be reused.
	TokenExpiresAt time.Time
}

type principalKey struct{}

// WithPrincipal carries the user through a request's context.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the user of the request, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// TokenPrefix marks Dosebook tokens so they are recognisable in a leak scan.
const TokenPrefix = "dbk_"

var tokenEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewToken returns a fresh random bearer token and the hash to store; the
// token itself is shown once and never stored.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = TokenPrefix + strings.ToLower(tokenEncoding.EncodeToString(b))
	return token, HashToken(token), nil
}

// HashToken is how a token is looked up: SHA-256 is enough because tokens
// carry 256 random bits, unlike passwords.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// WellFormed rejects anything that cannot be a token before touching the
// database.
func WellFormed(token string) bool {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) != len(TokenPrefix)+52 {
		return false
	}
	_, err := tokenEncoding.DecodeString(strings.ToUpper(token[len(TokenPrefix):]))
	return err == nil
}

// Denial explains why a role may not act and what to do instead; Rule is
// the clinical rule behind it, when one is. HandBack marks a refusal whose
// way forward is the patient's shared care arrangement: the HTTP layer
// names that arrangement, when the request's record is under one the
// caller is party to.
type Denial struct {
	Rule, Reason, Instead string
	HandBack              bool
}

// denials tell a user, in plain words, why their role may not act and
// what to do instead; the permission itself is jargon, named only in
// brackets after them. Every permission a GP lacks has one: under shared
// care the practice prescribes what the specialist service decides (SC1).
var denials = map[Role]map[Permission]Denial{
	GP: {
		PermTitrate: {Rule: "SC1", Reason: "A GP practice does not change the dose under shared care: the specialist service titrates.",
			Instead: "Hand prescribing back to the specialist service for a dose change: the practice hands back the patient's shared care arrangement, giving the reason.", HandBack: true},
		PermRegimesWrite: {Rule: "SC1", Reason: "A GP practice does not start, change or end a regime, nor change its pickup pattern, under shared care: the specialist service does.",
			Instead: "Hand prescribing back to the specialist service to change the regime: the practice hands back the patient's shared care arrangement, giving the reason.", HandBack: true},
		PermSharedPropose: {Reason: "Shared care is proposed by the specialist service.", Instead: "A GP practice accepts or declines a proposal."},
		PermPatientsWrite: {Reason: "The specialist service keeps the patient's record; a GP practice reads it.",
			Instead: "Ask the specialist service to add or correct the patient's details."},
		PermScreensWrite: {Reason: "The specialist service records drug screens.", Instead: "Send the result to the specialist service to record."},
		PermReportsRead:  {Reason: "The specialist service's reports are read by its prescribers."},
		PermDosesRecord:  {Reason: "The pharmacy that supplies a dose records it."},
		PermPharmacyDoses: {Reason: "A pharmacy's day list and controlled-drug balance are its own working records, read at the pharmacy.",
			Instead: "A GP practice reads the doses of a patient under its shared care at GET /v1/patients/{id}/doses."},
		PermDayClose:       {Reason: "The pharmacy closes its own day."},
		PermPharmacyManage: {Reason: "A pharmacy keeps its own opening days."},
		PermUsersManage:    {Reason: "Users are managed by an administrator."},
		PermOrgsManage:     {Reason: "Organisations are managed by an administrator."},
		PermAuditRead:      {Reason: "The audit trail is read by an administrator."},
	},
	Pharmacist: {
		PermTitrate: {Reason: "Dose changes are made by the prescriber.", Instead: "Contact the prescriber."},
	},
	Prescriber: {
		PermPharmacyDoses: {Reason: "A pharmacy's day list and controlled-drug balance are its own working records, read at the pharmacy.",
			Instead: "Read a patient's doses at GET /v1/patients/{id}/doses, and what a prescription has supplied at GET /v1/prescriptions/{id}/balance."},
	},
}

// DenialOf explains a refusal; the zero Denial when there is nothing to add.
func DenialOf(r Role, p Permission) Denial { return denials[r][p] }
