package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// clientResponse is the body of a successful create or update.
type clientResponse struct {
	ID              int64   `json:"id"`
	CompanyID       int64   `json:"company_id"`
	Name            string  `json:"name"`
	BusinessName    *string `json:"business_name"`
	EmailContact    *string `json:"email_contact"`
	NameContact     *string `json:"name_contact"`
	LastNameContact *string `json:"last_name_contact"`
	Phone           *string `json:"phone"`
	Website         *string `json:"website"`
	Description     *string `json:"description"`
	CreatedAt       string  `json:"created_at"`
	UpdatedAt       string  `json:"updated_at"`
}

func TestCreate(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, Options{CompanyID: 77, Now: clock.Now})
	tok := h.login().AccessToken

	body := `{"metadata":{"source":"SALESFORCE"},"id":"001A","name":"Acme \"Widgets\"",
		"business_name":"Acme Widgets Ltd","email_contact":"ops@acme.example",
		"name_contact":"Ana","last_name_contact":"Ruiz","phone":"+1 555 0100",
		"website":"https://acme.example","description":"línea 1\nlínea 2",
		"unknown_field":true}`
	a := h.create(tok, body)
	if a.status != http.StatusCreated {
		t.Fatalf("create = %d %s, want 201", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var got clientResponse
	a.decode(t, &got)
	if got.ID <= 0 {
		t.Errorf("id = %d, want a positive COR id", got.ID)
	}
	if got.CompanyID != 77 {
		t.Errorf("company_id = %d, want 77", got.CompanyID)
	}
	if got.Name != `Acme "Widgets"` {
		t.Errorf("name = %q, want %q", got.Name, `Acme "Widgets"`)
	}
	if got.Description == nil || *got.Description != "línea 1\nlínea 2" {
		t.Errorf("description = %v, want the text sent", got.Description)
	}
	for _, ts := range []string{got.CreatedAt, got.UpdatedAt} {
		parsed, err := time.Parse(time.RFC3339, ts)
		if err != nil || !parsed.Equal(clock.Now()) {
			t.Errorf("timestamp %q = %v, %v; want %v in RFC 3339", ts, parsed, err, clock.Now())
		}
	}
	var raw map[string]any
	a.decode(t, &raw)
	if raw["id"] == "001A" || raw["external_id"] != nil {
		t.Errorf("create response %s echoes the external id", a.body)
	}

	stored := h.srv.Clients()
	if len(stored) != 1 {
		t.Fatalf("Clients() has %d clients, want 1", len(stored))
	}
	c := stored[0]
	if c.Source != "SALESFORCE" || c.ExternalID != "001A" || c.CORID != got.ID {
		t.Errorf("stored client = %+v, want SALESFORCE 001A with COR id %d", c, got.ID)
	}
	if c.Phone != "+1 555 0100" || c.LastNameContact != "Ruiz" {
		t.Errorf("stored client = %+v, want the optional fields sent", c)
	}
}

func TestCreateOmittedFieldsAreNull(t *testing.T) {
	h := newHarness(t, Options{})
	a := h.create(h.login().AccessToken, clientBody("GITHUB", "g1", "Octo"))
	var got clientResponse
	a.decode(t, &got)
	for name, v := range map[string]*string{
		"business_name": got.BusinessName, "email_contact": got.EmailContact,
		"phone": got.Phone, "website": got.Website, "description": got.Description,
	} {
		if v != nil {
			t.Errorf("%s = %q, want null", name, *v)
		}
	}
}

func TestCreateAssignsIncreasingIDs(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.login().AccessToken
	var last int64
	for i, src := range []string{"JIRA", "ZAPIER", "JIRA"} {
		var got clientResponse
		h.create(tok, clientBody(src, fmt.Sprint("id-", i), "N")).decode(t, &got)
		if got.ID <= last {
			t.Errorf("create %d: id = %d, want more than %d", i, got.ID, last)
		}
		last = got.ID
	}
}

func TestCreateErrors(t *testing.T) {
	h := newHarness(t, Options{MaxBodyBytes: 512})
	tok := h.login().AccessToken
	tests := []struct {
		name        string
		contentType string
		body        string
		wantCode    string
	}{
		{"no content type", "", clientBody("JIRA", "1", "A"), "ValidationError"},
		{"text content type", "text/plain", clientBody("JIRA", "1", "A"), "ValidationError"},
		{"form content type", "application/x-www-form-urlencoded", "id=1", "ValidationError"},
		{"broken content type", "application/json;;;=", clientBody("JIRA", "1", "A"),
			"ValidationError"},
		{"empty body", "application/json", "", "ValidationError"},
		{"malformed JSON", "application/json", `{"metadata":`, "ValidationError"},
		{"trailing data", "application/json", clientBody("JIRA", "1", "A") + "{}",
			"ValidationError"},
		{"array body", "application/json", `[1,2]`, "ValidationError"},
		{"string body", "application/json", `"x"`, "ValidationError"},
		{"null body", "application/json", `null`, "ValidationError"},
		{"numeric id", "application/json",
			`{"metadata":{"source":"JIRA"},"id":7,"name":"A"}`, "ValidationError"},
		{"object name", "application/json",
			`{"metadata":{"source":"JIRA"},"id":"7","name":{}}`, "ValidationError"},
		{"oversized body", "application/json", `{"metadata":{"source":"JIRA"},"id":"1",` +
			`"name":"` + strings.Repeat("x", 600) + `"}`, "ValidationError"},
		{"missing source", "application/json", `{"id":"1","name":"A"}`, "ValidationError"},
		{"empty source", "application/json", clientBody("", "1", "A"), "ValidationError"},
		{"unknown source", "application/json", clientBody("HUBSPOT", "1", "A"),
			"InvalidSourceError"},
		{"lower-case source", "application/json", clientBody("salesforce", "1", "A"),
			"InvalidSourceError"},
		{"metadata not an object", "application/json",
			`{"metadata":"JIRA","id":"1","name":"A"}`, "ValidationError"},
		{"source not a string", "application/json",
			`{"metadata":{"source":1},"id":"1","name":"A"}`, "ValidationError"},
		{"missing id", "application/json", `{"metadata":{"source":"JIRA"},"name":"A"}`,
			"ValidationError"},
		{"blank id", "application/json", clientBody("JIRA", "  ", "A"), "ValidationError"},
		{"null name", "application/json", `{"metadata":{"source":"JIRA"},"id":"1",` +
			`"name":null}`, "ValidationError"},
		{"empty name", "application/json", clientBody("JIRA", "1", ""), "ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := []string{"Authorization: Bearer " + tok}
			if tt.contentType != "" {
				headers = append(headers, "Content-Type: "+tt.contentType)
			}
			a := h.do("POST", clientsPath, tt.body, headers...)
			if a.status != 400 {
				t.Fatalf("create(%.60s) = %d %s, want 400", tt.body, a.status, a.body)
			}
			e := a.corError(t)
			if e.Code != tt.wantCode {
				t.Errorf("create(%.60s) code = %q, want %q", tt.body, e.Code, tt.wantCode)
			}
			if e.Status != 400 || e.Name != "CORCustomError" || e.Message == "" {
				t.Errorf("error body = %s, want status 400, name CORCustomError and "+
					"a message", a.body)
			}
		})
	}
	if n := len(h.srv.Clients()); n != 0 {
		t.Errorf("Clients() has %d clients after only invalid creates, want 0", n)
	}
}

func TestCreateErrorMessages(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.login().AccessToken
	tests := []struct {
		body string
		want string
	}{
		{`{"metadata":"JIRA","id":"1","name":"A"}`,
			"field metadata must be a JSON object, not a JSON string"},
		{`{"metadata":{"source":"JIRA"},"id":7,"name":"A"}`,
			"field id must be a JSON string, not a JSON number"},
		{`{"metadata":{"source":["JIRA"]},"id":"7","name":"A"}`,
			"field metadata.source must be a JSON string, not a JSON array"},
		{`[]`, "request body must be a JSON object, not a JSON array"},
		{`{"id":`, "malformed JSON"},
		{clientBody("Jira", "1", "A"), `metadata.source "Jira" is not valid, use one of JIRA,`},
		{clientBody("JIRA", "1", ""), "name is required"},
	}
	for _, tt := range tests {
		e := h.create(tok, tt.body).corError(t)
		if !strings.Contains(e.Message, tt.want) {
			t.Errorf("create(%s) message = %q, want it to contain %q", tt.body, e.Message, tt.want)
		}
	}
}

func TestCreateAcceptsContentTypeVariants(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.login().AccessToken
	for i, ct := range []string{"application/json", "application/json; charset=utf-8",
		"Application/JSON;charset=UTF-8"} {
		a := h.do("POST", clientsPath, clientBody("VBS", fmt.Sprint(i), "A"),
			"Authorization: Bearer "+tok, "Content-Type: "+ct)
		if a.status != 201 {
			t.Errorf("create with Content-Type %q = %d %s, want 201", ct, a.status, a.body)
		}
	}
}

func TestDuplicateExternalID(t *testing.T) {
	for _, tt := range []struct {
		name   string
		opt    int
		status int
	}{
		{"default", 0, 400},
		{"400", 400, 400},
		{"409", 409, 409},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Options{DuplicateStatus: tt.opt})
			tok := h.login().AccessToken
			if a := h.create(tok, clientBody("SAP", "S-1", "First")); a.status != 201 {
				t.Fatalf("first create = %d, want 201", a.status)
			}
			a := h.create(tok, clientBody("SAP", "S-1", "Second"))
			if a.status != tt.status {
				t.Errorf("second create = %d, want %d", a.status, tt.status)
			}
			e := a.corError(t)
			if e.Code != "DuplicateExternalIdError" || e.Status != tt.status {
				t.Errorf("second create body = %s, want DuplicateExternalIdError with "+
					"status %d", a.body, tt.status)
			}
			if a := h.create(tok, clientBody("GLOBANT", "S-1", "Other source")); a.status != 201 {
				t.Errorf("same id, other source = %d, want 201", a.status)
			}
			if got := h.srv.Clients(); len(got) != 2 || got[0].Name != "First" {
				t.Errorf("Clients() = %+v, want First (SAP) and the GLOBANT client", got)
			}
		})
	}
}

func TestUpdate(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, Options{Now: clock.Now})
	tok := h.login().AccessToken
	var created clientResponse
	h.create(tok, `{"metadata":{"source":"QUICKBOOKS"},"id":"Q/1","name":"Old",
		"phone":"111","website":"https://old.example"}`).decode(t, &created)

	clock.Advance(time.Minute)
	a := h.call("PUT", clientsPath+"/Q%2F1", tok,
		`{"metadata":{"source":"QUICKBOOKS"},"name":"New","phone":""}`)
	if a.status != 200 {
		t.Fatalf("update = %d %s, want 200", a.status, a.body)
	}
	var got clientResponse
	a.decode(t, &got)
	if got.ID != created.ID {
		t.Errorf("update id = %d, want the COR id %d", got.ID, created.ID)
	}
	if got.Name != "New" || got.Phone != nil {
		t.Errorf("update response = %s, want name New and phone null", a.body)
	}
	if got.Website == nil || *got.Website != "https://old.example" {
		t.Errorf("update response = %s, want the website kept", a.body)
	}
	if got.CreatedAt == got.UpdatedAt {
		t.Errorf("updated_at = created_at = %s, want a later updated_at", got.CreatedAt)
	}
	if c := h.srv.Clients()[0]; c.Name != "New" || c.ExternalID != "Q/1" {
		t.Errorf("stored client = %+v, want name New and external id Q/1", c)
	}
	if n := h.srv.Stats().Updated; n != 1 {
		t.Errorf("Stats().Updated = %d, want 1", n)
	}
}

func TestUpdateErrors(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.login().AccessToken
	h.create(tok, clientBody("OKTA", "O-1", "Okta client"))
	tests := []struct {
		name       string
		path       string
		body       string
		wantStatus int
		wantCode   string
	}{
		{"unknown id", "/O-2", `{"metadata":{"source":"OKTA"},"name":"X"}`, 404,
			"NotFoundError"},
		{"other source", "/O-1", `{"metadata":{"source":"JIRA"},"name":"X"}`, 404,
			"NotFoundError"},
		{"missing source", "/O-1", `{"name":"X"}`, 400, "ValidationError"},
		{"invalid source", "/O-1", `{"metadata":{"source":"okta"},"name":"X"}`, 400,
			"InvalidSourceError"},
		{"blank name", "/O-1", `{"metadata":{"source":"OKTA"},"name":" "}`, 400,
			"ValidationError"},
		{"id mismatch", "/O-1", `{"metadata":{"source":"OKTA"},"id":"O-9"}`, 400,
			"ValidationError"},
		{"malformed JSON", "/O-1", `{`, 400, "ValidationError"},
		{"nested path", "/O-1/extra", `{"metadata":{"source":"OKTA"}}`, 400,
			"ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := h.call("PUT", clientsPath+tt.path, tok, tt.body)
			if a.status != tt.wantStatus {
				t.Fatalf("PUT %s = %d %s, want %d", tt.path, a.status, a.body, tt.wantStatus)
			}
			if got := a.corError(t).Code; got != tt.wantCode {
				t.Errorf("PUT %s code = %q, want %q", tt.path, got, tt.wantCode)
			}
		})
	}
	if c := h.srv.Clients()[0]; c.Name != "Okta client" {
		t.Errorf("stored name = %q after failed updates, want unchanged", c.Name)
	}
}

// net/http rejects a malformed escape before the handler runs, so the
// handler's own check is tested directly.
func TestUnescapeExternalID(t *testing.T) {
	tests := []struct {
		escaped string
		want    string
		wantErr bool
	}{
		{"A-1", "A-1", false},
		{"a%2Fb", "a/b", false},
		{"a%20b", "a b", false},
		{"%E2%82%AC", "€", false},
		{"", "", true},
		{"a/b", "", true},
		{"a%zz", "", true},
	}
	for _, tt := range tests {
		got, err := unescapeExternalID(tt.escaped)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("unescapeExternalID(%q) = %q, %v; want %q, error %v",
				tt.escaped, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDelete(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.login().AccessToken
	var created clientResponse
	h.create(tok, clientBody("MICROSOFT_TEAMS", "T 1", "Teams")).decode(t, &created)

	a := h.call("DELETE", clientsPath+"/T%201", tok, `{"metadata":{"source":"MICROSOFT_TEAMS"}}`)
	if a.status != 200 {
		t.Fatalf("delete = %d %s, want 200", a.status, a.body)
	}
	var got struct {
		Message    string `json:"message"`
		ExternalID string `json:"external_id"`
		CORID      int64  `json:"cor_id"`
	}
	a.decode(t, &got)
	if got.Message == "" || got.ExternalID != "T 1" || got.CORID != created.ID {
		t.Errorf("delete response = %s, want a message, external_id \"T 1\" and cor_id %d",
			a.body, created.ID)
	}
	if n := len(h.srv.Clients()); n != 0 {
		t.Errorf("Clients() has %d clients after delete, want 0", n)
	}

	a = h.call("DELETE", clientsPath+"/T%201", tok, `{"metadata":{"source":"MICROSOFT_TEAMS"}}`)
	if a.status != 404 || a.corError(t).Code != "NotFoundError" {
		t.Errorf("second delete = %d %s, want 404 NotFoundError", a.status, a.body)
	}
	a = h.call("DELETE", clientsPath+"/T%201", tok, `{}`)
	if a.status != 400 || a.corError(t).Code != "ValidationError" {
		t.Errorf("delete without source = %d %s, want 400 ValidationError", a.status, a.body)
	}
	if a := h.create(tok, clientBody("MICROSOFT_TEAMS", "T 1", "Again")); a.status != 201 {
		t.Errorf("create after delete = %d, want 201", a.status)
	}
}

func TestRouting(t *testing.T) {
	h := newHarness(t, Options{})
	tests := []struct {
		method, path string
		wantStatus   int
		wantAllow    string
	}{
		{"GET", "/", 404, ""},
		{"GET", "/v2/integrations/clientsX", 404, ""},
		{"GET", "/v2/integrations/clients", 405, "POST"},
		{"PATCH", "/v2/integrations/clients/1", 405, "PUT, DELETE"},
		{"POST", "/v1/oauth/refreshtoken/", 404, ""},
		{"GET", "/v1/oauth/refreshtoken", 405, "POST"},
		{"POST", "/_sandbox/clients", 405, "GET"},
		{"DELETE", "/_sandbox/stats", 405, "GET"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			a := h.do(tt.method, tt.path, "")
			if a.status != tt.wantStatus {
				t.Errorf("%s %s = %d, want %d", tt.method, tt.path, a.status, tt.wantStatus)
			}
			if got := a.header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("%s %s Allow = %q, want %q", tt.method, tt.path, got, tt.wantAllow)
			}
			if e := a.corError(t); e.Name != "CORCustomError" {
				t.Errorf("%s %s body = %s, want a CORCustomError", tt.method, tt.path, a.body)
			}
		})
	}
}

func TestInspectClients(t *testing.T) {
	h := newHarness(t, Options{})
	empty := h.do("GET", "/_sandbox/clients", "")
	var none []Client
	empty.decode(t, &none)
	if empty.status != 200 || len(none) != 0 {
		t.Fatalf("GET /_sandbox/clients on an empty server = %d %s, want 200 []",
			empty.status, empty.body)
	}

	tok := h.login().AccessToken
	h.create(tok, clientBody("JIRA", "J-1", "Jira one"))
	h.create(tok, `{"metadata":{"source":"SAP"},"id":"S-1","name":"Sap one","phone":"9"}`)

	var all []Client
	h.do("GET", "/_sandbox/clients", "").decode(t, &all)
	if len(all) != 2 {
		t.Fatalf("GET /_sandbox/clients has %d clients, want 2", len(all))
	}
	if all[0].ExternalID != "J-1" || all[0].Source != "JIRA" || all[0].CORID == 0 {
		t.Errorf("first client = %+v, want JIRA J-1 with a COR id", all[0])
	}
	if all[1].Phone != "9" || all[1].Name != "Sap one" {
		t.Errorf("second client = %+v, want SAP S-1 with phone 9", all[1])
	}

	var sap []Client
	h.do("GET", "/_sandbox/clients?source=SAP", "").decode(t, &sap)
	if len(sap) != 1 || sap[0].ExternalID != "S-1" {
		t.Errorf("GET /_sandbox/clients?source=SAP = %+v, want S-1 only", sap)
	}
}

func TestInspectStats(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.login().AccessToken
	h.create(tok, clientBody("JIRA", "1", "A"))
	h.create(tok, clientBody("JIRA", "1", "A"))
	h.create(tok, clientBody("nope", "2", "B"))

	var st Stats
	a := h.do("GET", "/_sandbox/stats", "")
	a.decode(t, &st)
	if a.status != 200 {
		t.Fatalf("GET /_sandbox/stats = %d, want 200", a.status)
	}
	for _, c := range []struct {
		endpoint string
		status   int
		want     int64
	}{
		{EndpointToken, 200, 1},
		{EndpointCreate, 201, 1},
		{EndpointCreate, 400, 2},
	} {
		if got := st.RequestCount(c.endpoint, c.status); got != c.want {
			t.Errorf("requests[%s][%d] = %d, want %d", c.endpoint, c.status, got, c.want)
		}
	}
	if st.Created != 1 {
		t.Errorf("created = %d, want 1", st.Created)
	}
	if got := h.srv.Stats().RequestCount(EndpointStats, 200); got != 1 {
		t.Errorf("Stats() counts %d stats requests, want 1", got)
	}
}

func TestConcurrentCreates(t *testing.T) {
	h := newHarness(t, Options{})
	tok := h.login().AccessToken
	const workers, perWorker, distinct = 8, 50, 100

	// every worker sends the same 50 ids out of 100, so most are raced
	var wg sync.WaitGroup
	statuses := make(chan int, workers*perWorker)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				id := (w*7 + i) % distinct
				statuses <- h.create(tok, clientBody("ZAPIER", fmt.Sprint(id), "Z")).status
			}
		})
	}
	wg.Wait()
	close(statuses)

	counts := map[int]int{}
	for s := range statuses {
		counts[s]++
	}
	stored := h.srv.Clients()
	if counts[201] != len(stored) || counts[201]+counts[400] != workers*perWorker {
		t.Errorf("statuses = %v, stored %d; want one 201 per stored client and 400 "+
			"for the rest", counts, len(stored))
	}
	seen := map[string]bool{}
	ids := map[int64]bool{}
	for _, c := range stored {
		if seen[c.ExternalID] || ids[c.CORID] {
			t.Errorf("client %+v stored twice", c)
		}
		seen[c.ExternalID], ids[c.CORID] = true, true
	}
	if st := h.srv.Stats(); st.Created != int64(len(stored)) {
		t.Errorf("Stats().Created = %d, want %d", st.Created, len(stored))
	}
}

func TestClientJSONField(t *testing.T) {
	b, _ := json.Marshal(Client{CORID: 5, Source: "JIRA", ExternalID: "x", Name: "n"})
	var m map[string]any
	json.Unmarshal(b, &m)
	if m["id"] != "x" || m["cor_id"] != float64(5) || m["source"] != "JIRA" {
		t.Errorf("json.Marshal(Client) = %s, want id x, cor_id 5, source JIRA", b)
	}
}
