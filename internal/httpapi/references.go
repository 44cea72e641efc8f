package httpapi

import (
	"context"
	"slices"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

// withReferenceErrors adds to a request refused for invalid fields the
// references that name nothing (found by lookup), so that one answer
// names every field to fix: the store checks references only once the
// request is otherwise valid, and a client fixing the first answer would
// otherwise meet a second. Any other error is returned as it is.
func withReferenceErrors(ctx context.Context, err error, lookup func(context.Context) ([]problem.FieldError, error)) error {
	pe, ok := problem.As(err)
	if !ok || pe.Code != problem.Invalid {
		return err
	}
	more, lerr := lookup(ctx)
	if lerr != nil {
		return lerr
	}
	merged := *pe
	merged.Fields = slices.Clone(pe.Fields)
	for _, fe := range more {
		if !slices.ContainsFunc(merged.Fields, func(g problem.FieldError) bool { return g.Field == fe.Field }) {
			merged.Fields = append(merged.Fields, fe)
		}
	}
	return &merged
}

// patientReferenceErrors adds the request's GP practice and pharmacy that
// name no such organisation to err.
func (s *Server) patientReferenceErrors(ctx context.Context, err error, r patientRequest) error {
	return withReferenceErrors(ctx, err, func(ctx context.Context) ([]problem.FieldError, error) {
		return s.db.OrgRefErrors(ctx, store.PatientOrgRefs(r.GPPracticeID, r.PharmacyID)...)
	})
}

// userReferenceErrors adds the request's organisation naming none, or one
// its role does not belong to, to err.
func (s *Server) userReferenceErrors(ctx context.Context, err error, orgID string, role auth.Role) error {
	return withReferenceErrors(ctx, err, func(ctx context.Context) ([]problem.FieldError, error) {
		return s.db.UserOrgErrors(ctx, orgID, role)
	})
}
