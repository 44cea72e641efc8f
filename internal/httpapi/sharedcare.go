package httpapi

import (
	"bytes"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/auth"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

// sharedCareRoutes are the GP shared-care and printed-document endpoints.
func (s *Server) sharedCareRoutes() []Route {
	return []Route{
		{Method: "POST", Path: "/v1/patients/:id/shared-care", Permission: auth.PermSharedPropose, handler: s.proposeSharedCare},
		{Method: "GET", Path: "/v1/patients/:id/shared-care", Permission: auth.PermSharedRead, handler: s.listSharedCare},
		// Checking eligibility is part of proposing, so it needs the
		// proposer's permission: the prescriber's.
		{Method: "GET", Path: "/v1/patients/:id/shared-care/eligibility", Permission: auth.PermSharedPropose, handler: s.sharedCareEligibility},
		{Method: "GET", Path: "/v1/patients/:id/shared-care-summary.pdf", Permission: auth.PermSharedRead, handler: s.sharedCareSummaryPDF},
		{Method: "GET", Path: "/v1/shared-care/:id", Permission: auth.PermSharedRead, handler: s.getSharedCare},
		{Method: "POST", Path: "/v1/shared-care/:id/accept", Permission: auth.PermSharedRespond, handler: s.acceptSharedCare},
		{Method: "POST", Path: "/v1/shared-care/:id/decline", Permission: auth.PermSharedRespond, handler: s.declineSharedCare},
		{Method: "POST", Path: "/v1/shared-care/:id/hand-back", Permission: auth.PermSharedHandBack, handler: s.handBackSharedCare},
		{Method: "GET", Path: "/v1/prescriptions/:id/pdf", Permission: auth.PermPrescRead, handler: s.prescriptionPDF},
	}
}

// decodeOptional decodes a JSON body when one is sent, as decode does; an
// empty body leaves v as it is, for endpoints whose every field is optional.
// So does a body of null: it gives no field, as no body does, and nothing
// is replaced by it (a required body of null is refused by decode).
func decodeOptional(c *gin.Context, v any) (problem.Fields, error) {
	body, err := readBody(c)
	if err != nil {
		return nil, err
	}
	if b := bytes.TrimSpace(body); len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	return decodeBytes(body, v)
}

// decodeNone reads the optional body of an action that takes no fields:
// any field sent is an error.
func decodeNone(c *gin.Context) error {
	f, err := decodeOptional(c, &struct{}{})
	if err != nil {
		return err
	}
	return f.Err()
}

type proposeSharedCareRequest struct {
	PracticeID string            `json:"practice_id"`
	Overrides  []overrideRequest `json:"overrides"`
}

func (s *Server) proposeSharedCare(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req proposeSharedCareRequest
	f, err := decodeOptional(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	if req.PracticeID != "" && !store.ValidID(req.PracticeID) {
		f.Add("practice_id", "format", "practice_id must be a UUID")
	}
	keys := store.CriterionKeys()
	in := store.ProposeSharedCare{PatientID: id, PracticeID: req.PracticeID}
	given := map[string]int{}
	firstKey := -1 // the first override of one criterion by its key
	for i, o := range req.Overrides {
		field := "overrides[" + itoa(i) + "]"
		// Each criterion takes one reason: SC3 gives it for every unmet
		// one, so SC3 and a criterion's key together would give two
		// reasons for that criterion, of which only one could be recorded.
		sc3, hasSC3 := given["SC3"]
		switch first, ok := given[o.Rule]; {
		case !slices.Contains(keys, o.Rule):
			f.Add(field+".rule", "rule_id", "rule must be SC3 (every unmet criterion) or a criterion key: %s", strings.Join(keys[1:], ", "))
		case ok:
			f.Add(field+".rule", "unique", "%s is already overridden at overrides[%d]; give each rule once, with one reason", o.Rule, first)
		case o.Rule == "SC3" && firstKey >= 0:
			f.Add(field+".rule", "unique", "SC3 overrides every unmet criterion, and %s is already overridden at overrides[%d]; "+
				"give SC3 alone, or each criterion's key, so that each criterion has one reason", req.Overrides[firstKey].Rule, firstKey)
		case o.Rule != "SC3" && hasSC3:
			f.Add(field+".rule", "unique", "%s is already overridden by SC3 at overrides[%d], which covers every unmet criterion; "+
				"give SC3 alone, or each criterion's key, so that each criterion has one reason", o.Rule, sc3)
		default:
			given[o.Rule] = i
			if o.Rule != "SC3" && firstKey < 0 {
				firstKey = i
			}
		}
		requireText(&f, field+".reason", o.Reason, 2000)
		in.Overrides = append(in.Overrides, store.CriterionOverride{Rule: o.Rule, Reason: problem.TrimText(o.Reason)})
	}
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var rec store.SharedCareProposal
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		rec, err = tx.ProposeSharedCare(principal(c), s.cfg.Policy, in, s.today())
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, rec)
}

// sharedCareEligibility answers what a proposal made today would find
// (SC3), writing nothing.
func (s *Server) sharedCareEligibility(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	el, err := s.db.SharedCareEligibility(c.Request.Context(), principal(c), s.cfg.Policy, id, s.today())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, el)
}

func (s *Server) listSharedCare(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	pg, err := readPage(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	recs, err := s.db.SharedCareOf(c.Request.Context(), principal(c), s.cfg.Policy, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := listPageOf(c, pg, recs, func(r store.SharedCareRecord) string { return r.ID }); err != nil {
		s.fail(c, err)
	}
}

func (s *Server) getSharedCare(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	rec, err := s.db.SharedCareByID(c.Request.Context(), principal(c), s.cfg.Policy, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rec)
}

func (s *Server) acceptSharedCare(c *gin.Context) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := decodeNone(c); err != nil {
		s.fail(c, err)
		return
	}
	var rec store.SharedCareAcceptance
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		rec, err = tx.AcceptSharedCare(principal(c), s.cfg.Policy, id, s.today(), s.cfg.Timezone)
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, rec)
}

type reasonRequest struct {
	Reason string `json:"reason"`
}

// withReason reads the required reason of a decline or hand-back.
func withReason[T any](s *Server, c *gin.Context, act func(tx *store.Tx, id, reason string) (T, error)) {
	id, err := pathID(c, "id")
	if err != nil {
		s.fail(c, err)
		return
	}
	var req reasonRequest
	f, err := decode(c, &req)
	if err != nil {
		s.fail(c, err)
		return
	}
	requireText(&f, "reason", req.Reason, 2000)
	if err := f.Err(); err != nil {
		s.fail(c, err)
		return
	}
	var out T
	err = s.db.Write(c.Request.Context(), func(tx *store.Tx) error {
		var err error
		out, err = act(tx, id, problem.TrimText(req.Reason))
		return err
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) declineSharedCare(c *gin.Context) {
	withReason(s, c, func(tx *store.Tx, id, reason string) (store.SharedCareRecord, error) {
		return tx.DeclineSharedCare(principal(c), s.cfg.Policy, id, reason)
	})
}

func (s *Server) handBackSharedCare(c *gin.Context) {
	withReason(s, c, func(tx *store.Tx, id, reason string) (store.HandBack, error) {
		return tx.HandBackSharedCare(principal(c), s.cfg.Policy, id, reason, s.today())
	})
}
