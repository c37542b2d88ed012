package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/corimport/corimport/importer/sandbox"
)

func TestStart(t *testing.T) {
	run, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(run.URL)
	if err != nil || u.Scheme != "http" || u.Hostname() != "127.0.0.1" || u.Port() == "0" {
		t.Errorf("URL = %q, want http://127.0.0.1:PORT", run.URL)
	}

	// a second server cannot take the same address
	if _, err := sandbox.Start(sandbox.Options{Addr: u.Host}); err == nil {
		t.Errorf("Start(Addr: %s) while it is in use = nil error, want a listen error", u.Host)
	}

	status, err := createClient(run.URL, "E-1")
	if err != nil || status != http.StatusCreated {
		t.Errorf("create = %d, %v; want 201", status, err)
	}
	if got := run.Server.Clients(); len(got) != 1 || got[0].ExternalID != "E-1" {
		t.Errorf("Clients() = %+v, want E-1", got)
	}

	if err := run.Close(); err != nil {
		t.Errorf("Close() = %v", err)
	}
	if _, err := http.Post(run.URL+"/v1/oauth/token", "text/plain", nil); err == nil {
		t.Errorf("request after Close succeeded, want a connection error")
	}
}

func TestStartOnGivenAddress(t *testing.T) {
	// reserve a free port, release it, and ask Start for it
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	run, err := sandbox.Start(sandbox.Options{Addr: addr})
	if err != nil {
		t.Skipf("port %s was taken between Close and Start: %v", addr, err)
	}
	defer run.Close()
	if run.URL != "http://"+addr {
		t.Errorf("URL = %q, want http://%s", run.URL, addr)
	}
}

// createClient fetches a token and creates one JIRA client; it returns
// the create's HTTP status.
func createClient(base, externalID string) (int, error) {
	req, _ := http.NewRequest("POST", base+"/v1/oauth/token?grant_type=client_credentials", nil)
	req.SetBasicAuth("sandbox", "sandbox")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil {
		return 0, fmt.Errorf("decode token response: %w", err)
	}

	body := `{"metadata":{"source":"JIRA"},"id":"` + externalID + `","name":"Example"}`
	req, _ = http.NewRequest("POST", base+"/v2/integrations/clients", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func ExampleStart() {
	run, err := sandbox.Start(sandbox.Options{DuplicateStatus: http.StatusConflict})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer run.Close()

	for range 2 {
		status, err := createClient(run.URL, "A-1")
		fmt.Println(status, err)
	}
	for _, c := range run.Server.Clients() {
		fmt.Println(c.Source, c.ExternalID, c.Name)
	}
	st := run.Server.Stats()
	fmt.Println(st.Created, st.RequestCount(sandbox.EndpointCreate, http.StatusConflict))
	// Output:
	// 201 <nil>
	// 409 <nil>
	// JIRA A-1 Example
	// 1 1
}

func TestRunningCloseTwice(t *testing.T) {
	run, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Close(); err != nil {
		t.Fatalf("first Close() = %v", err)
	}
	if err := run.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
}
