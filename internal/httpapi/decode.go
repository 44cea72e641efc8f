package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

const maxBody = 1 << 20

var errBodyTooLarge = errors.New("body too large")

// decode reads a JSON body strictly: unknown fields, trailing data, invalid
// UTF-8 and wrong types are all client errors naming the field.
func decode(c *gin.Context, v any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeBytes(body, v)
}

// readBody reads the size-limited body once, so it can be hashed too.
func readBody(c *gin.Context) ([]byte, error) {
	if c.Request.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &problem.Error{Code: problem.TooLarge, Message: fmt.Sprintf("the request body is larger than %d bytes", maxBody)}
		}
		return nil, &problem.Error{Code: problem.Malformed, Message: "the request body could not be read"}
	}
	return body, nil
}

func decodeBytes(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &problem.Error{Code: problem.Malformed, Message: "a JSON request body is required"}
	}
	if !utf8.Valid(body) {
		return &problem.Error{Code: problem.Malformed, Message: "the request body is not valid UTF-8"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return &problem.Error{Code: problem.Malformed, Message: "the request body holds more than one JSON value"}
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return &problem.Error{Code: problem.Malformed, Message: fmt.Sprintf("the body is not valid JSON (at byte %d)", syn.Offset)}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return problem.Invalidf(field, "type", "must be %s", jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return problem.Invalidf(name, "unknown_field", "%q is not a field of this request", name)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &problem.Error{Code: problem.Malformed, Message: "the body is not complete JSON"}
	}
	var fe *fieldDecodeError
	if errors.As(err, &fe) {
		return problem.Invalidf(fe.field, "format", "%s", fe.msg)
	}
	// Custom UnmarshalJSON errors (dates, doses) arrive here without a field
	// name; json wraps none, so report the message against the body.
	return problem.Invalidf("body", "format", "%s", err.Error())
}

type fieldDecodeError struct{ field, msg string }

func (e *fieldDecodeError) Error() string { return e.field + ": " + e.msg }

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	if strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint") || strings.HasPrefix(k, "float") {
		return "a number"
	}
	return "of the right type"
}

// pathID reads a UUID path parameter; anything else cannot exist.
func pathID(c *gin.Context, name string) (string, error) {
	id := c.Param(name)
	if !store.ValidID(id) {
		return "", problem.NotFoundf("not found")
	}
	return id, nil
}

// page is a cursor request: ?limit=&cursor=.
type page struct {
	Limit int
	After string
}

func readPage(c *gin.Context) (page, error) {
	p := page{Limit: 50}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return p, problem.Invalidf("limit", "range", "limit must be a whole number from 1 to 500")
		}
		p.Limit = n
	}
	if s := c.Query("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		// Every cursor this API returns names an id or an audit sequence number.
		if err != nil || !store.ValidID(string(b)) && !isDigits(string(b)) {
			return p, problem.Invalidf("cursor", "format", "cursor is not one this API returned")
		}
		p.After = string(b)
	}
	return p, nil
}

func cursorOf(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// list writes the standard list envelope; next_cursor is empty on the last page.
func list[T any](c *gin.Context, items []T, limit int, key func(T) string) {
	next := ""
	if len(items) > limit {
		items = items[:limit]
		next = cursorOf(key(items[len(items)-1]))
	}
	if items == nil {
		items = []T{}
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}

func isDigits(s string) bool {
	if s == "" || len(s) > 19 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
