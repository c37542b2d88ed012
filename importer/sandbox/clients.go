package sandbox

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sources are the values of metadata.source that COR documents. Matching
// is case-sensitive.
var Sources = []string{
	"JIRA", "SALESFORCE", "ADVERTMIND", "QUICKBOOKS", "ZAPIER", "OKTA",
	"MICROSOFT_DYNAMICS", "GITHUB", "MICROSOFT_TEAMS", "VBS", "SAP", "GLOBANT",
}

var validSource = func() map[string]bool {
	m := make(map[string]bool, len(Sources))
	for _, s := range Sources {
		m[s] = true
	}
	return m
}()

// Client is a stored client. In the JSON of GET /_sandbox/clients, id is
// the external id and cor_id the number COR assigned.
type Client struct {
	CORID      int64  `json:"cor_id"`
	Source     string `json:"source"`
	ExternalID string `json:"id"`
	CompanyID  int64  `json:"company_id"`

	Name            string `json:"name"`
	BusinessName    string `json:"business_name,omitempty"`
	EmailContact    string `json:"email_contact,omitempty"`
	NameContact     string `json:"name_contact,omitempty"`
	LastNameContact string `json:"last_name_contact,omitempty"`
	Phone           string `json:"phone,omitempty"`
	Website         string `json:"website,omitempty"`
	Description     string `json:"description,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// clientRequest is the body of a create, update or delete. Pointers tell
// a field that is absent (or null) from one that is empty.
type clientRequest struct {
	Metadata struct {
		Source *string `json:"source"`
	} `json:"metadata"`
	ID              *string `json:"id"`
	Name            *string `json:"name"`
	BusinessName    *string `json:"business_name"`
	EmailContact    *string `json:"email_contact"`
	NameContact     *string `json:"name_contact"`
	LastNameContact *string `json:"last_name_contact"`
	Phone           *string `json:"phone"`
	Website         *string `json:"website"`
	Description     *string `json:"description"`
}

// apply copies the optional fields that the request sets onto c.
func (req *clientRequest) apply(c *Client) {
	for _, f := range [...]struct {
		from *string
		to   *string
	}{
		{req.Name, &c.Name},
		{req.BusinessName, &c.BusinessName},
		{req.EmailContact, &c.EmailContact},
		{req.NameContact, &c.NameContact},
		{req.LastNameContact, &c.LastNameContact},
		{req.Phone, &c.Phone},
		{req.Website, &c.Website},
		{req.Description, &c.Description},
	} {
		if f.from != nil {
			*f.to = *f.from
		}
	}
}

// clientStore holds the clients by source and external id.
type clientStore struct {
	mu     sync.Mutex
	byKey  map[string]*Client
	lastID int64
}

// firstCORID is the COR id of the first client, far from 1 so that a test
// cannot mistake a row number for a COR id.
const firstCORID = 100001

func (cs *clientStore) init() {
	cs.byKey = make(map[string]*Client)
	cs.lastID = firstCORID - 1
}

func storeKey(source, externalID string) string { return source + "\x00" + externalID }

// serveCreate implements POST /v2/integrations/clients.
func (s *Server) serveCreate(w *recorder, r *http.Request) {
	var req clientRequest
	if !s.decodeBody(w, r, &req) || !checkSource(w, req.Metadata.Source) {
		return
	}
	for _, f := range [...]struct {
		name  string
		value *string
	}{{"id", req.ID}, {"name", req.Name}} {
		if f.value == nil || strings.TrimSpace(*f.value) == "" {
			writeError(w, http.StatusBadRequest, "ValidationError",
				f.name+" is required and must not be empty")
			return
		}
	}

	// store the client unless the source already has the external id
	now := s.now()
	c := Client{
		Source:     *req.Metadata.Source,
		ExternalID: *req.ID,
		CompanyID:  s.opts.CompanyID,
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	req.apply(&c)
	key := storeKey(c.Source, c.ExternalID)
	cs := &s.store
	cs.mu.Lock()
	if _, dup := cs.byKey[key]; dup {
		cs.mu.Unlock()
		writeError(w, s.opts.DuplicateStatus, "DuplicateExternalIdError",
			"a client with external id "+strconv.Quote(c.ExternalID)+
				" already exists for source "+c.Source)
		return
	}
	cs.lastID++
	c.CORID = cs.lastID
	stored := c // c stays private to this request, so it can be read unlocked
	cs.byKey[key] = &stored
	cs.mu.Unlock()
	s.stats.created.Add(1)

	if s.dropAfterStore() {
		s.closeWithoutResponse(w, false)
		return
	}
	// NOTE: COR's documentation shows the created client but not the
	// status; 201 is a guess, so callers should accept any 2xx.
	b := getBuffer()
	*b = appendClient(*b, &c)
	writeJSON(w, http.StatusCreated, *b)
	putBuffer(b)
}

// serveUpdate implements PUT /v2/integrations/clients/{externalId}, a
// partial update of the fields the body sets.
func (s *Server) serveUpdate(w *recorder, r *http.Request, externalID string) {
	var req clientRequest
	if !s.decodeBody(w, r, &req) || !checkSource(w, req.Metadata.Source) {
		return
	}
	if req.ID != nil && *req.ID != externalID {
		writeError(w, http.StatusBadRequest, "ValidationError",
			"id "+strconv.Quote(*req.ID)+" in the body differs from external id "+
				strconv.Quote(externalID)+" in the path")
		return
	}
	if req.Name != nil && strings.TrimSpace(*req.Name) == "" {
		writeError(w, http.StatusBadRequest, "ValidationError", "name must not be empty")
		return
	}

	source := *req.Metadata.Source
	cs := &s.store
	cs.mu.Lock()
	stored, ok := cs.byKey[storeKey(source, externalID)]
	if !ok {
		cs.mu.Unlock()
		writeNotFound(w, source, externalID)
		return
	}
	req.apply(stored)
	stored.UpdatedAt = s.now()
	c := *stored
	cs.mu.Unlock()
	s.stats.updated.Add(1)

	b := getBuffer()
	*b = appendClient(*b, &c)
	writeJSON(w, http.StatusOK, *b)
	putBuffer(b)
}

// serveDelete implements DELETE /v2/integrations/clients/{externalId}.
func (s *Server) serveDelete(w *recorder, r *http.Request, externalID string) {
	var req clientRequest
	if !s.decodeBody(w, r, &req) || !checkSource(w, req.Metadata.Source) {
		return
	}
	source := *req.Metadata.Source
	key := storeKey(source, externalID)
	cs := &s.store
	cs.mu.Lock()
	stored, ok := cs.byKey[key]
	delete(cs.byKey, key)
	cs.mu.Unlock()
	if !ok {
		writeNotFound(w, source, externalID)
		return
	}
	s.stats.deleted.Add(1)

	b := getBuffer()
	*b = append(*b, `{"message":"Client deleted","external_id":`...)
	*b = appendString(*b, externalID)
	*b = append(*b, `,"cor_id":`...)
	*b = strconv.AppendInt(*b, stored.CORID, 10)
	*b = append(*b, '}')
	writeJSON(w, http.StatusOK, *b)
	putBuffer(b)
}

// now returns the time for a timestamp, in UTC and to the millisecond, as
// the responses show it.
func (s *Server) now() time.Time {
	return s.opts.Now().UTC().Truncate(time.Millisecond)
}

// writeNotFound reports an unknown external id. COR documents neither the
// status nor the code, so 404 NotFoundError is an assumption.
func writeNotFound(w http.ResponseWriter, source, externalID string) {
	writeError(w, http.StatusNotFound, "NotFoundError",
		"no client with external id "+strconv.Quote(externalID)+" for source "+source)
}

// checkSource responds with InvalidSourceError unless source is one of Sources,
// or ValidationError if it is missing.
func checkSource(w http.ResponseWriter, source *string) bool {
	switch {
	case source == nil || *source == "":
		writeError(w, http.StatusBadRequest, "ValidationError",
			"metadata.source is required")
		return false
	case !validSource[*source]:
		writeError(w, http.StatusBadRequest, "InvalidSourceError",
			"metadata.source "+strconv.Quote(*source)+" is not valid, use one of "+
				strings.Join(Sources, ", "))
		return false
	}
	return true
}

// decodeBody reads a JSON request body into v. It responds with 400
// ValidationError for a wrong content type, a body over the size limit,
// malformed JSON or a field of the wrong type.
func (s *Server) decodeBody(w *recorder, r *http.Request, v any) bool {
	if msg := checkContentType(r.Header.Get("Content-Type")); msg != "" {
		writeError(w, http.StatusBadRequest, "ValidationError", msg)
		return false
	}
	limit := s.opts.MaxBodyBytes
	if r.ContentLength > limit {
		writeTooLarge(w, limit)
		return false
	}

	b := getBuffer()
	defer putBuffer(b)
	body, err := readAtMost(*b, r.Body, limit+1)
	*b = body
	switch {
	case err != nil:
		writeError(w, http.StatusBadRequest, "ValidationError",
			"reading request body failed: "+err.Error())
		return false
	case int64(len(body)) > limit:
		writeTooLarge(w, limit)
		return false
	case len(body) == 0:
		writeError(w, http.StatusBadRequest, "ValidationError", "request body is empty")
		return false
	}

	if err := json.Unmarshal(body, v); err != nil {
		writeError(w, http.StatusBadRequest, "ValidationError", describeJSONError(err))
		return false
	}
	return true
}

func writeTooLarge(w http.ResponseWriter, limit int64) {
	writeError(w, http.StatusBadRequest, "ValidationError",
		"request body is larger than "+strconv.FormatInt(limit, 10)+" bytes")
}

// checkContentType returns why the header is not JSON, or "" if it is.
func checkContentType(header string) string {
	// the common case skips the allocations of mime.ParseMediaType
	if header == "application/json" {
		return ""
	}
	if header == "" {
		return "missing Content-Type, use application/json"
	}
	mediaType, _, err := mime.ParseMediaType(header)
	if err != nil {
		return "invalid Content-Type " + strconv.Quote(header) + ", use application/json"
	}
	if mediaType != "application/json" {
		return "Content-Type " + strconv.Quote(mediaType) + " is not supported, " +
			"use application/json"
	}
	return ""
}

// readAtMost appends up to n bytes of r to dst.
func readAtMost(dst []byte, r io.Reader, n int64) ([]byte, error) {
	lr := io.LimitedReader{R: r, N: n}
	for {
		if len(dst) == cap(dst) {
			dst = slices.Grow(dst, min(cap(dst)+512, int(n)))
		}
		m, err := lr.Read(dst[len(dst):cap(dst)])
		dst = dst[:len(dst)+m]
		if err == io.EOF {
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}

// describeJSONError turns a decoding error into a message that names the
// field or offset.
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return fmt.Sprintf("field %s must be a JSON %s, not a JSON %s",
			typeErr.Field, jsonKind(typeErr.Type), typeErr.Value)
	case errors.As(err, &typeErr):
		return "request body must be a JSON object, not a JSON " + typeErr.Value
	case errors.As(err, &syntaxErr):
		return fmt.Sprintf("malformed JSON at byte %d: %v", syntaxErr.Offset, err)
	}
	return "malformed JSON: " + err.Error()
}

// jsonKind names the JSON value that decodes into t.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return t.String()
}

// Clients returns a copy of the stored clients ordered by COR id.
func (s *Server) Clients() []Client {
	cs := &s.store
	cs.mu.Lock()
	out := make([]Client, 0, len(cs.byKey))
	for _, c := range cs.byKey {
		out = append(out, *c)
	}
	cs.mu.Unlock()
	slices.SortFunc(out, func(a, b Client) int { return cmp.Compare(a.CORID, b.CORID) })
	return out
}

// serveListClients implements GET /_sandbox/clients, with an optional
// ?source= filter. It writes one client per line inside the JSON array.
func (s *Server) serveListClients(w *recorder, r *http.Request) {
	source := r.URL.Query().Get("source")
	w.Header()["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)

	io.WriteString(w, "[")
	sep := "\n"
	for _, c := range s.Clients() {
		if source != "" && c.Source != source {
			continue
		}
		b, err := json.Marshal(c)
		if err != nil {
			return // only a timestamp outside years 0 to 9999 fails to marshal
		}
		io.WriteString(w, sep)
		if _, err := w.Write(b); err != nil {
			return // the caller went away
		}
		sep = ",\n"
	}
	io.WriteString(w, "\n]\n")
}

// serveStats implements GET /_sandbox/stats.
func (s *Server) serveStats(w *recorder, _ *http.Request) {
	body, err := json.MarshalIndent(s.Stats(), "", "  ")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "InternalServerError", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, append(body, '\n'))
}
