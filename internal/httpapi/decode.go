package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/dosebook/dosebook/internal/calendar"
	"github.com/dosebook/dosebook/internal/problem"
	"github.com/dosebook/dosebook/internal/store"
)

const maxBody = 1 << 20

var errBodyTooLarge = errors.New("body too large")

// decode reads a JSON body strictly: unknown fields, trailing data, invalid
// UTF-8 and wrong types are all client errors naming the field. A body
// that cannot be read as a request at all is the error, answered alone.
// A field whose value cannot be read is returned in fields, with v holding
// every other field, for the handler to add its own checks to: one answer
// then names every failing field. The handler must not act on v unless
// fields.Err() is nil, once its checks are added.
func decode(c *gin.Context, v any) (fields problem.Fields, err error) {
	body, err := readBody(c)
	if err != nil {
		return nil, err
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
	if len(bytes.TrimSpace(body)) > 0 {
		if err := jsonContentType(c.GetHeader("Content-Type")); err != nil {
			return nil, err
		}
	}
	return body, nil
}

// jsonContentType accepts a body declared as JSON in UTF-8 only. A form or
// a text body read as JSON by chance would be a guess about what the
// client meant, in a clinical record.
func jsonContentType(header string) error {
	const hint = `send the body as JSON with the header "Content-Type: application/json"`
	if header == "" {
		return &problem.Error{Code: problem.MediaType, Message: "the request has a body but no Content-Type: " + hint}
	}
	media, params, err := mime.ParseMediaType(header)
	if err != nil || media != "application/json" && !strings.HasSuffix(media, "+json") {
		return &problem.Error{Code: problem.MediaType, Message: fmt.Sprintf("the body's Content-Type %q is not JSON: %s", header, hint)}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return &problem.Error{Code: problem.MediaType, Message: fmt.Sprintf("the body's charset %q is not UTF-8: %s", cs, hint)}
	}
	return nil
}

// decodeBytes is decode of a body already read.
func decodeBytes(body []byte, v any) (problem.Fields, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &problem.Error{Code: problem.Malformed, Message: "a JSON request body is required"}
	}
	if !utf8.Valid(body) {
		return nil, &problem.Error{Code: problem.Malformed, Message: "the request body is not valid UTF-8"}
	}
	// A request is an object of fields. encoding/json reads a top-level
	// null into a struct as nothing at all, so a PUT of null would replace
	// what is recorded with the request's zero value: refused, as is any
	// other JSON value that is not an object, before anything is read.
	// (A body that is not JSON at all is malformed, below.)
	if t := reflect.TypeOf(v); t != nil && t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct &&
		!t.Implements(reflect.TypeFor[json.Unmarshaler]()) && bytes.TrimSpace(body)[0] != '{' && json.Valid(body) {
		return nil, problem.Invalidf("body", "type", "body must be a JSON object")
	}
	if field := duplicateKey(body); field != "" {
		return nil, problem.Invalidf(field, "duplicate", "%q is given more than once; send each field once", field)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err != nil {
		err = decodeError(err)
		if pe, ok := problem.As(err); !ok || len(pe.Fields) == 0 {
			return nil, err // not JSON, or not all of it
		}
	}
	if dec.More() {
		return nil, &problem.Error{Code: problem.Malformed, Message: "the request body holds more than one JSON value"}
	}
	var fields problem.Fields
	if err != nil {
		if fields, err = everyFieldError(body, v, err); err != nil {
			return nil, err
		}
	}
	// encoding/json reads a null item of a list as the item's zero value
	// (a date as 0001-01-01, a text as ""), which no client means: it is
	// refused by its path, and its field is not read.
	if t := reflect.TypeOf(v); t.Kind() == reflect.Pointer && !t.Implements(reflect.TypeFor[json.Unmarshaler]()) {
		for _, fe := range nullItems(t.Elem(), body, "") {
			top := fe.Field
			if i := strings.IndexAny(top, ".["); i > 0 {
				top = top[:i]
			}
			if !fields.NotReadAt(fe.Field) {
				fields.NotRead(top, fe)
			}
		}
	}
	return fields, nil
}

// nullItems lists a type error for each null item of a list in raw, a JSON
// value decoded into type t, by its path (closed_dates[0]). A list of
// pointers, or of values t reads itself with a meaning for null, is left
// as it is, as is anything not of the shape t expects.
func nullItems(t reflect.Type, raw json.RawMessage, path string) []problem.FieldError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return nil
	}
	var out []problem.FieldError
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		keys, values, err := topLevelFields(raw)
		if err != nil {
			return nil
		}
		for i, key := range keys {
			if elem, ok := memberType(t, key); ok {
				out = append(out, nullItems(elem, values[i], memberPath(path, key))...)
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil
		}
		et := t.Elem()
		for i, item := range items {
			at := path + "[" + strconv.Itoa(i) + "]"
			if string(bytes.TrimSpace(item)) != "null" {
				out = append(out, nullItems(et, item, at)...)
				continue
			}
			switch et.Kind() {
			case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
				continue
			}
			kind := jsonKind(et.Kind().String())
			if et == reflect.TypeFor[calendar.Date]() {
				kind = "a date YYYY-MM-DD"
			}
			out = append(out, problem.FieldError{Field: at, Rule: "type", Message: fmt.Sprintf("%s must be %s, not null", at, kind)})
		}
	}
	return out
}

// memberType is the type a struct (by its JSON key) or a map (any key)
// holds at key; false for a key the struct does not have.
func memberType(t reflect.Type, key string) (reflect.Type, bool) {
	if t.Kind() == reflect.Map {
		return t.Elem(), true
	}
	return jsonField(t, key)
}

// memberPath is the field path of key inside path ("" at the top).
func memberPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// failingPath finds where in raw, a JSON value decoded into type t at
// path, a value t's own UnmarshalJSON refuses (a date that is no date)
// sits: encoding/json returns such an error without a path. "" if none.
func failingPath(t reflect.Type, raw json.RawMessage, path string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if string(bytes.TrimSpace(raw)) == "null" {
		return ""
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		if json.Unmarshal(raw, reflect.New(t).Interface()) != nil {
			return path
		}
		return ""
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		keys, values, err := topLevelFields(raw)
		if err != nil {
			return ""
		}
		for i, key := range keys {
			elem, ok := memberType(t, key)
			if !ok {
				continue
			}
			if p := failingPath(elem, values[i], memberPath(path, key)); p != "" {
				return p
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return ""
		}
		for i, item := range items {
			if p := failingPath(t.Elem(), item, path+"["+strconv.Itoa(i)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// everyFieldError turns the first field decoding stopped at into every
// field that is wrong, and v into the request without them: encoding/json
// reports one type error, and a date or dose it cannot read stops it
// altogether, leaving v half filled. Only when decoding failed (the happy
// path decodes once), each top-level field of the object is decoded alone
// into a fresh request value; a value that fails is named by its field even
// where its own error carries no name, and one that decodes is decoded
// into v, which holds nothing else. A body it cannot take apart so (not an
// object, a request that reads itself) is refused with first, at once.
func everyFieldError(body []byte, v any, first error) (problem.Fields, error) {
	t := reflect.TypeOf(v)
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct || t.Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return nil, first
	}
	keys, values, err := topLevelFields(body)
	if err != nil {
		return nil, first
	}
	read := reflect.New(t.Elem())
	var all problem.Fields
	for i, key := range keys {
		one, err := json.Marshal(map[string]json.RawMessage{key: values[i]})
		if err != nil {
			return nil, first
		}
		err = decodeStrict(one, reflect.New(t.Elem()).Interface())
		if err != nil {
			// encoding/json names an unknown key without its path (or
			// not at all, after a type error), and leaves the rest of
			// its field unread: name each by its path
			// (overrides[0].extra) and read the field again without them,
			// so that its other values are checked too.
			unknown, cleaned := unknownKeys(t.Elem(), one, "")
			for _, path := range unknown {
				all.AddAll(unknownFieldError(path))
			}
			if len(unknown) > 0 {
				one = cleaned
				err = decodeStrict(one, reflect.New(t.Elem()).Interface())
			}
		}
		if err != nil {
			fe, ok := problem.As(decodeError(err))
			if !ok || len(fe.Fields) == 0 {
				return nil, first
			}
			for j := range fe.Fields {
				if fe.Fields[j].Field == "body" {
					// A date deep inside (needs.blood_borne_virus.last_tested,
					// closed_dates[0]) is named where it is.
					fe.Fields[j].Field = key
					if p := failingPath(t.Elem(), one, ""); p != "" {
						fe.Fields[j].Field = p
					}
				}
			}
			all.NotRead(key, fe.Fields...)
			continue
		}
		if err := decodeStrict(one, read.Interface()); err != nil {
			return nil, first // decoded alone a moment ago
		}
	}
	if len(all) == 0 {
		return nil, first
	}
	reflect.ValueOf(v).Elem().Set(read.Elem())
	return all, nil
}

// unknownFieldError names a key the request has no field for, by its path.
func unknownFieldError(path string) problem.FieldError {
	i := strings.LastIndexAny(path, ".]")
	if i < 0 || path[i] == ']' {
		return problem.FieldError{Field: path, Rule: "unknown_field", Message: fmt.Sprintf("%q is not a field of this request", path)}
	}
	return problem.FieldError{Field: path, Rule: "unknown_field", Message: fmt.Sprintf("%q is not a field of %s", path[i+1:], path[:i])}
}

// unknownKeys lists the paths of the keys in raw, a JSON value decoded into
// type t, that encoding/json would refuse as unknown fields, and returns raw
// without them. Values t reads itself (json.Unmarshaler) are left as they
// are; so is anything not of the shape t expects, which decoding refuses.
func unknownKeys(t reflect.Type, raw json.RawMessage, path string) ([]string, json.RawMessage) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return nil, raw
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		keys, values, err := topLevelFields(raw)
		if err != nil {
			return nil, raw
		}
		var unknown []string
		var b bytes.Buffer
		b.WriteByte('{')
		for i, key := range keys {
			at := key
			if path != "" {
				at = path + "." + key
			}
			elem := t.Elem
			if t.Kind() == reflect.Struct {
				ft, ok := jsonField(t, key)
				if !ok {
					unknown = append(unknown, at)
					continue
				}
				elem = func() reflect.Type { return ft }
			}
			more, value := unknownKeys(elem(), values[i], at)
			unknown = append(unknown, more...)
			if b.Len() > 1 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(key)
			b.Write(k)
			b.WriteByte(':')
			b.Write(value)
		}
		b.WriteByte('}')
		return unknown, b.Bytes()
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, raw
		}
		var unknown []string
		for i := range items {
			var more []string
			more, items[i] = unknownKeys(t.Elem(), items[i], path+"["+strconv.Itoa(i)+"]")
			unknown = append(unknown, more...)
		}
		if len(unknown) == 0 {
			return nil, raw
		}
		out, err := json.Marshal(items)
		if err != nil {
			return nil, raw
		}
		return unknown, out
	}
	return nil, raw
}

// jsonField finds the type of the field of struct t that encoding/json
// decodes key into: by its name exactly, else ignoring case, as
// encoding/json matches; the fields of an embedded struct count as t's.
func jsonField(t reflect.Type, key string) (reflect.Type, bool) {
	var folded reflect.Type
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if sf.Anonymous && name == "" {
			et := sf.Type
			if et.Kind() == reflect.Pointer {
				et = et.Elem()
			}
			if et.Kind() == reflect.Struct {
				if ft, ok := jsonField(et, key); ok && folded == nil {
					folded = ft
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if name == key {
			return sf.Type, true
		}
		if folded == nil && strings.EqualFold(name, key) {
			folded = sf.Type
		}
	}
	return folded, folded != nil
}

func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// topLevelFields lists an object's keys and values in the order sent.
func topLevelFields(body []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, errors.New("not an object")
	}
	var keys []string
	var values []json.RawMessage
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, err
		}
		keys, values = append(keys, key), append(values, raw)
	}
	return keys, values, nil
}

const maxCheckedDepth = 64

// duplicateKey returns the path (e.g. "overrides[1].rule") of the first key
// repeated within one object, "" if none (or if the body is not valid JSON:
// decoding reports that). encoding/json keeps the last of two values
// silently, and a dose sent twice must not be read as whichever came second.
func duplicateKey(body []byte) string {
	type frame struct {
		segment string          // where this object or array sits in its parent
		keys    map[string]bool // nil for an array
		wantKey bool            // an object expecting its next key
		next    int             // an array's next index
	}
	var stack []*frame
	path := func(last string) string {
		var b strings.Builder
		for _, f := range stack[1:] {
			b.WriteString(f.segment)
		}
		b.WriteString(last)
		return strings.TrimPrefix(b.String(), ".")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	segment := "" // where the next value goes
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.wantKey && tok != json.Delim('}') {
			key, _ := tok.(string)
			// encoding/json matches keys to fields ignoring case.
			folded := strings.ToLower(strings.ToUpper(key))
			if top.keys[folded] {
				return path("." + key)
			}
			top.keys[folded], top.wantKey = true, false
			segment = "." + key
			continue
		}
		if top != nil && top.keys == nil && tok != json.Delim(']') {
			segment = "[" + strconv.Itoa(top.next) + "]"
			top.next++
		}
		switch tok {
		case json.Delim('{'):
			if len(stack) == maxCheckedDepth {
				// No request nests this deep; decoding refuses it.
				return ""
			}
			stack = append(stack, &frame{segment: segment, keys: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			if len(stack) == maxCheckedDepth {
				return ""
			}
			stack = append(stack, &frame{segment: segment})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				return ""
			}
			top = stack[len(stack)-1]
			top.wantKey = top.keys != nil
		default:
			if top != nil {
				top.wantKey = top.keys != nil
			}
		}
	}
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
	// A count (days, a limit) is whole: "a number" would accept 1.5.
	if strings.HasPrefix(k, "int") || strings.HasPrefix(k, "uint") {
		return "a whole number"
	}
	if strings.HasPrefix(k, "float") {
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

// readPage reads limit and cursor for a list keyed by id.
func readPage(c *gin.Context) (page, error) {
	return readPageOf(c, store.ValidID)
}

// readSeqPage reads limit and cursor for the audit trail, keyed by its
// sequence number.
func readSeqPage(c *gin.Context) (page, error) {
	return readPageOf(c, isDigits)
}

// maxPageLimit is the largest page a list gives.
const maxPageLimit = 500

func readPageOf(c *gin.Context, valid func(string) bool) (page, error) {
	p := page{Limit: 50}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageLimit {
			return p, problem.Invalidf("limit", "range", "limit must be a whole number from 1 to %d", maxPageLimit)
		}
		p.Limit = n
	}
	if s := c.Query("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		// Every cursor this API returns names an id or an audit sequence
		// number; anything else would reach the query as the wrong type.
		if err != nil || !valid(string(b)) {
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
