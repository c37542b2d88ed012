package corapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
)

const createdResponse = `{"id":123456,"company_id":7,"name":"Acme",` +
	`"created_at":"2025-03-01T12:00:00Z",` +
	`"updated_at":"2025-03-01T12:00:00Z"}`

func benchServer(b *testing.B) string {
	return newServer(b, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		writeJSON(w, http.StatusCreated, createdResponse)
	}).URL
}

// BenchmarkCreateClient measures one create over loopback, server
// included, with a fixed token.
func BenchmarkCreateClient(b *testing.B) {
	c := New(Config{APIURL: benchServer(b)}, fixedTokens("tok"))
	body := []byte(payload)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CreateClient(ctx, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBareHTTP is the baseline for BenchmarkCreateClient: the same
// request and response through a plain http.Client, without classification.
func BenchmarkBareHTTP(b *testing.B) {
	url := benchServer(b) + clientsPath
	client := &http.Client{}
	body := []byte(payload)
	b.ReportAllocs()
	for b.Loop() {
		req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer tok")
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}
