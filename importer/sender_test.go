package importer

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/corimport/corimport/importer/corapi"
	"github.com/corimport/corimport/importer/sandbox"
	"github.com/corimport/corimport/report"
)

// newTestSender starts a stand-in with opts and returns a sender that
// talks to it over loopback.
func newTestSender(t *testing.T, opts sandbox.Options) (*Sender, *sandbox.Running) {
	t.Helper()
	sb, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	cfg := corapi.Config{APIURL: sb.URL, AuthURL: sb.URL + "/v1/oauth/token", Timeout: 5 * time.Second}
	tokens := corapi.NewTokenSource(cfg, corapi.Credentials{APIKey: "sandbox", ClientSecret: "sandbox"})
	return &Sender{
		API:     corapi.New(cfg, tokens),
		Pacer:   NewPacer(0, 1),
		Backoff: Backoff{Base: time.Millisecond, Max: 2 * time.Millisecond},
		Retries: 5,
	}, sb
}

func body(id, name string) []byte {
	return fmt.Appendf(nil, `{"metadata":{"source":"SAP"},"id":%q,"name":%q}`, id, name)
}

func TestSenderOutcomes(t *testing.T) {
	s, sb := newTestSender(t, sandbox.Options{})
	ctx := context.Background()
	first := s.Send(ctx, ctx, Delivery{ExternalID: "S-1", Body: body("S-1", "Acme")})
	if first.Status != report.Created || first.CORID == 0 || first.Attempts != 1 {
		t.Fatalf("Send(new id) = %+v, want created with a COR id in 1 attempt", first)
	}

	tests := []struct {
		name     string
		delivery Delivery
		want     report.Status
		code     string
	}{
		{"existing id", Delivery{ExternalID: "S-1", Body: body("S-1", "Acme")}, report.Duplicate, "DuplicateExternalIdError"},
		{"missing name", Delivery{ExternalID: "S-2", Body: body("S-2", "")}, report.Invalid, "ValidationError"},
		{"unknown source", Delivery{ExternalID: "S-3",
			Body: []byte(`{"metadata":{"source":"HUBSPOT"},"id":"S-3","name":"N"}`)}, report.Invalid, "InvalidSourceError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.Send(ctx, ctx, tt.delivery)
			if got.Status != tt.want {
				t.Errorf("Send() status = %s (%s), want %s", got.Status, got.Message, tt.want)
			}
			if got.ErrorCode != tt.code || got.HTTPStatus != 400 {
				t.Errorf("Send() code = %q status %d, want %q 400", got.ErrorCode, got.HTTPStatus, tt.code)
			}
			if got.Attempts != 1 {
				t.Errorf("Send() attempts = %d, want 1: a final error is not retried", got.Attempts)
			}
		})
	}
	if n := len(sb.Server.Clients()); n != 1 {
		t.Errorf("stand-in holds %d clients, want 1", n)
	}
}

func TestSenderConfirmsDroppedCreate(t *testing.T) {
	s, sb := newTestSender(t, sandbox.Options{DropAfterStoreRate: 1})
	ctx := context.Background()
	got := s.Send(ctx, ctx, Delivery{ExternalID: "D-1", Body: body("D-1", "Dropped")})
	if got.Status != report.Created {
		t.Fatalf("Send() = %+v, want created after confirmation", got)
	}
	clients := sb.Server.Clients()
	if len(clients) != 1 || clients[0].CORID != got.CORID {
		t.Errorf("stand-in holds %+v, want one client with COR id %d", clients, got.CORID)
	}
	if got.Attempts != 3 {
		t.Errorf("Send() attempts = %d, want 3 (create dropped, duplicate, update)", got.Attempts)
	}
}

func TestSenderMaybeSentByEarlierRun(t *testing.T) {
	s, sb := newTestSender(t, sandbox.Options{})
	ctx := context.Background()
	s.Send(ctx, ctx, Delivery{ExternalID: "M-1", Body: body("M-1", "Earlier")})

	// Same record, flagged by the ledger: confirmed, not a duplicate.
	got := s.Send(ctx, ctx, Delivery{ExternalID: "M-1", Body: body("M-1", "Earlier"), MaybeSent: true})
	if got.Status != report.Created || got.CORID != sb.Server.Clients()[0].CORID {
		t.Errorf("Send(maybe sent) = %+v, want created with the stored COR id", got)
	}
	// Not flagged: a genuine duplicate.
	got = s.Send(ctx, ctx, Delivery{ExternalID: "M-1", Body: body("M-1", "Earlier")})
	if got.Status != report.Duplicate {
		t.Errorf("Send(not flagged) = %+v, want duplicate", got)
	}
}

func TestSenderGivesUpAfterRetries(t *testing.T) {
	s, sb := newTestSender(t, sandbox.Options{ErrorRate: 1})
	s.Retries = 2
	ctx := context.Background()
	got := s.Send(ctx, ctx, Delivery{ExternalID: "F-1", Body: body("F-1", "Failing")})
	if got.Status != report.Failed || got.Attempts != 3 {
		t.Errorf("Send() = %+v, want failed after 3 attempts", got)
	}
	if n := sb.Server.Stats().Faults.ServerErrors; n != 3 {
		t.Errorf("stand-in answered %d requests with 5xx, want 3", n)
	}
}

func TestSenderStopsWhenContextDone(t *testing.T) {
	s, _ := newTestSender(t, sandbox.Options{ErrorRate: 1})
	s.Backoff = Backoff{Base: time.Hour, Max: time.Hour}
	ctx, cancel := context.WithCancel(context.Background())
	s.OnRetry = func(string, int, time.Duration, error) { cancel() }
	got := s.Send(ctx, context.Background(), Delivery{ExternalID: "C-1", Body: body("C-1", "Cut")})
	if got.Status != report.Unprocessed || !got.Interrupted {
		t.Errorf("Send() = %+v, want unprocessed and interrupted", got)
	}
}
