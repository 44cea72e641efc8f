// Package problem is Dosebook's one error vocabulary. Services return these
// errors; the HTTP layer maps each code to one status and an RFC 9457 body.
package problem

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dosebook/dosebook/internal/policy"
)

// Code classifies an error for the client.
type Code string

const (
	Invalid      Code = "invalid"            // input fails validation (field errors)
	Malformed    Code = "malformed"          // request body cannot be read at all
	Unauthorized Code = "unauthorized"       // no valid credentials
	Forbidden    Code = "forbidden"          // role may not act
	NotFound     Code = "not_found"          // absent, or not visible to this user
	NotAllowed   Code = "method_not_allowed" // the route exists, not with this method
	Conflict     Code = "conflict"           // clashes with the current state
	RuleBlocked  Code = "rule_blocked"       // a clinical or legal rule stops the action
	TooMany      Code = "too_many"           // throttled
	Unavailable  Code = "unavailable"        // a dependency (the database) is down
	TooLarge     Code = "too_large"          // request body over the limit
	MediaType    Code = "unsupported_media"  // request body not sent as JSON
	Internal     Code = "internal"           // a bug; details are logged, never shown
	// Canceled: the caller gave up first (a client that hung up, a CLI
	// interrupted). Not an outage; no client is left to receive it.
	Canceled Code = "canceled"
)

// FieldError names one failing field and the rule it broke.
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
	// unread is the request field whose value this error kept from being
	// read at all (NotRead).
	unread string
}

// Error is the error type every service returns for expected failures.
type Error struct {
	Code     Code
	Message  string
	Fields   []FieldError
	Findings []policy.Finding // rules that shaped the answer (RuleBlocked)
	Existing any              // the record a Conflict clashed with, when useful to the client
	// Criteria are every criterion a rule judged, met or not, when the
	// client needs the whole judgement to act (SC3: each criterion met,
	// failed or overridden).
	Criteria any
	Err      error // wrapped cause, never shown to clients
}

func (e *Error) Error() string {
	for _, f := range e.Fields {
		e = &Error{Code: e.Code, Message: e.Message + "; " + f.Field + ": " + f.Message, Err: e.Err}
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// CodeOf returns the code of err, Internal for anything unclassified.
func CodeOf(err error) Code {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return Internal
}

// As extracts a *Error from err.
func As(err error) (*Error, bool) {
	var pe *Error
	ok := errors.As(err, &pe)
	return pe, ok
}

func New(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func NotFoundf(format string, args ...any) *Error { return New(NotFound, format, args...) }
func Conflictf(format string, args ...any) *Error { return New(Conflict, format, args...) }
func Forbiddenf(format string, args ...any) *Error {
	return New(Forbidden, format, args...)
}

// Blocked is a rule refusal: it names every finding that stops the action.
// Findings that only warn may follow the stopping ones, so the prescriber
// sees them with the refusal; they are listed, never called stopping.
func Blocked(findings []policy.Finding) *Error {
	msg := "a safety rule stops this action"
	if len(findings) > 0 {
		msg = findings[0].Rule + ": " + findings[0].Message
		if findings[0].Action != "" {
			msg += " " + findings[0].Action
		}
	}
	// Every rule that stops it is named, so that overriding one does not
	// meet a refusal by another the detail never mentioned.
	var others []string
	for _, f := range findings[min(1, len(findings)):] {
		stops := f.Severity == policy.Block || f.Severity == policy.Override
		if stops && f.Rule != findings[0].Rule && !slices.Contains(others, f.Rule) {
			others = append(others, f.Rule)
		}
	}
	if len(others) > 0 {
		msg += " Also stopped by " + strings.Join(others, ", ") + " (see rules)."
	}
	return &Error{Code: RuleBlocked, Message: msg, Findings: findings}
}

// Fields collects field errors; Err returns nil when there are none, so a
// validator can report every failing field at once.
type Fields []FieldError

// Add adds an error about field, unless field (or the field it is part of:
// "overrides" for "overrides[0].rule") could not be read from the request
// (NotRead): its value came out empty, and an error about the empty value
// ("required") would contradict the one about what was sent.
func (f *Fields) Add(field, rule, format string, args ...any) {
	f.AddAll(FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

// AddAll adds each error as Add does.
func (f *Fields) AddAll(errs ...FieldError) {
	for _, e := range errs {
		if !f.NotReadAt(e.Field) {
			*f = append(*f, e)
		}
	}
}

// NotRead adds errs, the reasons the value of field, a top-level field of
// the request, could not be read at all (a wrong JSON type, a date that is
// no date); they may name a field inside it. Later errors about field or
// anything inside it are dropped (Add).
func (f *Fields) NotRead(field string, errs ...FieldError) {
	for _, e := range errs {
		e.unread = field
		*f = append(*f, e)
	}
}

// NotReadAt reports whether field, or the top-level field it is part of,
// could not be read (NotRead). Names match ignoring case, as encoding/json
// matches a key to its field.
func (f Fields) NotReadAt(field string) bool {
	top := field
	if i := strings.IndexAny(field, ".["); i >= 0 {
		top = field[:i]
	}
	for _, e := range f {
		if e.unread != "" && strings.EqualFold(e.unread, top) {
			return true
		}
	}
	return false
}

// Merge adds more, errors found by a later step (the store, with what it
// read), to f, the request's own, leaving out each about a field f names
// already: that field's value was not read, or was read as a default, and
// a later check of it would speak of the default, not of what was sent.
func (f *Fields) Merge(more ...FieldError) {
	known := *f
	for _, e := range more {
		named := slices.ContainsFunc(known, func(k FieldError) bool { return strings.EqualFold(k.Field, e.Field) })
		if !named && !known.NotReadAt(e.Field) {
			*f = append(*f, e)
		}
	}
}

func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Code: Invalid, Message: "the request has invalid fields", Fields: f}
}

// Invalidf is a single-field validation error.
func Invalidf(field, rule, format string, args ...any) *Error {
	var f Fields
	f.Add(field, rule, format, args...)
	return f.Err().(*Error)
}
