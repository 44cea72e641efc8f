package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/policy"
	"github.com/dosebook/dosebook/internal/problem"
)

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail"`
	Instance  string               `json:"instance,omitempty"`
	RequestID string               `json:"request_id,omitempty"`
	Errors    []problem.FieldError `json:"errors,omitempty"`
	Rules     []policy.Finding     `json:"rules,omitempty"`
	Existing  any                  `json:"existing,omitempty"`
	Criteria  any                  `json:"criteria,omitempty"`
}

var statusOf = map[problem.Code]int{
	problem.Invalid:      http.StatusUnprocessableEntity,
	problem.Malformed:    http.StatusBadRequest,
	problem.Unauthorized: http.StatusUnauthorized,
	problem.Forbidden:    http.StatusForbidden,
	problem.NotFound:     http.StatusNotFound,
	problem.NotAllowed:   http.StatusMethodNotAllowed,
	problem.Conflict:     http.StatusConflict,
	problem.RuleBlocked:  http.StatusUnprocessableEntity,
	problem.TooMany:      http.StatusTooManyRequests,
	problem.Unavailable:  http.StatusServiceUnavailable,
	problem.TooLarge:     http.StatusRequestEntityTooLarge,
	problem.MediaType:    http.StatusUnsupportedMediaType,
	problem.Internal:     http.StatusInternalServerError,
	problem.Canceled:     statusClientClosedRequest,
}

// statusClientClosedRequest is nginx's 499: the client hung up before the
// answer. It is only ever logged and counted; no client receives it, so the
// API spec does not list it.
const statusClientClosedRequest = 499

var titleOf = map[problem.Code]string{
	problem.Invalid:      "Invalid request",
	problem.Malformed:    "Malformed request",
	problem.Unauthorized: "Unauthorized",
	problem.Forbidden:    "Forbidden",
	problem.NotFound:     "Not found",
	problem.NotAllowed:   "Method not allowed",
	problem.Conflict:     "Conflict",
	problem.RuleBlocked:  "Blocked by a clinical rule",
	problem.TooMany:      "Too many requests",
	problem.Unavailable:  "Service unavailable",
	problem.TooLarge:     "Request too large",
	problem.MediaType:    "Unsupported media type",
	problem.Internal:     "Internal error",
	problem.Canceled:     "Client closed request",
}

// problemType is the documented URI for each code (see api/openapi.yaml).
func problemType(code problem.Code) string { return "/problems/" + string(code) }

// fail writes err as a problem response. Only internal errors are logged;
// their details never reach the client.
func (s *Server) fail(c *gin.Context, err error) {
	pe, ok := problem.As(err)
	if !ok {
		pe = &problem.Error{Code: problem.Internal, Err: err}
	}
	if errors.Is(err, errBodyTooLarge) {
		pe = &problem.Error{Code: problem.TooLarge, Message: "the request body is larger than the limit"}
	}
	if clientGone(c, err, pe) {
		// Not an outage: a 503 here would page someone for a client's
		// impatience. The status is for the request line and metrics.
		s.log.Info("client disconnected", "request_id", requestID(c), "route", c.FullPath())
		c.Abort()
		c.Status(statusClientClosedRequest)
		return
	}
	status := statusOf[pe.Code]
	detail := pe.Message
	if pe.Code == problem.Internal {
		s.log.Error("internal error", "request_id", requestID(c), "route", c.FullPath(), "error", err.Error())
		detail = "Internal error. Quote the request id when reporting it."
	} else if pe.Code == problem.Unavailable {
		s.log.Warn("dependency unavailable", "request_id", requestID(c), "route", c.FullPath(), "error", err.Error())
	}
	body, _ := json.Marshal(Problem{
		Type:      problemType(pe.Code),
		Title:     titleOf[pe.Code],
		Status:    status,
		Detail:    detail,
		RequestID: requestID(c),
		Errors:    pe.Fields,
		Rules:     pe.Findings,
		Existing:  pe.Existing,
		Criteria:  pe.Criteria,
	})
	c.Abort()
	c.Data(status, "application/problem+json", body)
}

// clientGone reports a failure caused by the client hanging up: the
// request's own context was cancelled (not timed out: a request that runs
// out of DOSEBOOK_REQUEST_TIMEOUT is a 503). A database driver may report
// the cancelled query as a broken connection rather than as
// context.Canceled, so an unavailable database then counts too, as does
// any error a handler passed up unclassified that wraps the cancellation.
func clientGone(c *gin.Context, err error, pe *problem.Error) bool {
	if pe.Code == problem.Canceled {
		return true
	}
	if !errors.Is(c.Request.Context().Err(), context.Canceled) {
		return false
	}
	return pe.Code == problem.Unavailable || errors.Is(err, context.Canceled)
}
