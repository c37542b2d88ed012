package importer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/corimport/corimport/importer/corapi"
	"github.com/corimport/corimport/report"
)

// API is the part of the COR client that the sender uses. *corapi.Client
// implements it.
type API interface {
	CreateClient(ctx context.Context, body []byte) (corapi.Created, error)
	UpdateClient(ctx context.Context, externalID string, body []byte) (corapi.Created, error)
}

// Sender turns one client payload into one outcome: it paces requests,
// retries what may succeed later and resolves creates whose response was
// lost. It is safe for concurrent use.
type Sender struct {
	API     API
	Pacer   *Pacer
	Backoff Backoff
	Retries int // retries after the first attempt

	// FixedToken is set when the access token cannot be renewed (it was
	// given as COR_ACCESS_TOKEN), so that a 401 stops the run at once.
	FixedToken bool

	// OnRetry, when set, is called before each wait between attempts.
	OnRetry func(externalID string, attempt int, wait time.Duration, err error)

	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Delivery is a client payload ready to send.
type Delivery struct {
	ExternalID string
	Body       []byte // JSON body, sent as it is

	// MaybeSent is set when an earlier run may have sent this record
	// without recording the response, so that a duplicate error is
	// confirmed as our own create rather than reported as a duplicate.
	MaybeSent bool
}

// SendResult is the result of one delivery.
type SendResult struct {
	Status     report.Status
	CORID      int64
	HTTPStatus int
	ErrorCode  string
	Message    string
	Attempts   int

	// Interrupted is set when ctx ended the delivery. With Attempts 0
	// nothing was sent.
	Interrupted bool

	// Fatal is set when no later record can succeed either, such as when
	// the token endpoint rejects the credentials. The run must stop.
	Fatal error

	// Unresolved is set when an attempt got no response and COR's state
	// is unknown: the client may exist. A resumed run confirms it.
	Unresolved bool
}

// maxRenewals is how many times one record may meet a 401 and retry with
// a renewed token. Tokens that live only seconds can expire between the
// renewal and the request, so one renewal is not always enough.
const maxRenewals = 3

// Send delivers d, retrying as the policy allows, and returns its result.
// Two contexts bound it: once ctx is done no new attempt starts and waits
// end, while reqCtx bounds the request in flight, so that a shutdown lets
// a response on its way arrive.
func (s *Sender) Send(ctx, reqCtx context.Context, d Delivery) SendResult {
	maybeSent := d.MaybeSent
	var res SendResult
	unauthorized := 0
	for {
		if err := s.Pacer.Wait(ctx); err != nil {
			return s.interrupted(res, maybeSent)
		}
		res.Attempts++
		created, err := s.API.CreateClient(reqCtx, d.Body)
		if err == nil {
			s.Pacer.Succeeded(s.now())
			return created2result(res, created, "")
		}

		// decide: final, resolve, or retry
		c := s.classify(err)
		res.HTTPStatus, res.ErrorCode, res.Message = c.status, c.code, c.message
		maybeSent = maybeSent || c.maybeSent
		if c.unauthorized {
			unauthorized++
		}
		switch {
		case c.fatal != nil:
			res.Fatal = c.fatal
			return s.interrupted(res, maybeSent)
		case unauthorized > maxRenewals:
			res.Status = report.Failed
			res.Unresolved = maybeSent
			res.Message = "COR rejected renewed access tokens: " + res.Message
			return res
		case c.unauthorized:
			// The client dropped the rejected token, so retry at once
			// with a new one. A token that expired in flight is no
			// sign of trouble and uses up no retry.
			continue
		case c.duplicate && maybeSent:
			return s.confirm(ctx, reqCtx, d, res)
		case c.final != "":
			// A final status is COR's own response, except Failed for a
			// response that cannot be read, which leaves an earlier
			// unanswered attempt unresolved.
			res.Status = c.final
			res.Unresolved = maybeSent && c.final == report.Failed
			return res
		case ctx.Err() != nil:
			return s.interrupted(res, maybeSent)
		case res.Attempts > s.Retries:
			res.Status = report.Failed
			res.Message = fmt.Sprintf("gave up after %d attempts: %s", res.Attempts, res.Message)
			if maybeSent {
				res.Unresolved = true
				res.Message = fmt.Sprintf("gave up after %d attempts, one of which got no "+
					"response, so COR may have created the client (--resume confirms it): %s",
					res.Attempts, c.message)
			}
			return res
		}

		// wait before the next attempt
		wait := s.Backoff.Wait(res.Attempts, c.retryAfter)
		if s.OnRetry != nil {
			s.OnRetry(d.ExternalID, res.Attempts, wait, err)
		}
		if !sleep(ctx, wait) {
			return s.interrupted(res, maybeSent)
		}
	}
}

// confirm resolves a create that may have reached COR without a response
// and then met "duplicate external id": the client was most likely created
// by that attempt. An update with the same payload is harmless if so, and
// its response carries the COR id.
func (s *Sender) confirm(ctx, reqCtx context.Context, d Delivery, res SendResult) SendResult {
	for n := 1; ; n++ {
		if err := s.Pacer.Wait(ctx); err != nil {
			return s.interrupted(res, true)
		}
		res.Attempts++
		created, err := s.API.UpdateClient(reqCtx, d.ExternalID, d.Body)
		if err == nil {
			s.Pacer.Succeeded(s.now())
			return created2result(res, created,
				"created; an attempt got no response and COR then reported the "+
					"external id as existing, so an update with the same payload "+
					"confirmed it and returned its COR id (had the client existed "+
					"before this run, the update replaced its fields)")
		}

		c := s.classify(err)
		res.HTTPStatus, res.ErrorCode, res.Message = c.status, c.code, c.message
		if c.final != "" || n > s.Retries || ctx.Err() != nil {
			res.Status = report.Failed
			res.Unresolved = true
			res.Message = "may have been created, but the confirming update failed: " + c.message
			return res
		}
		if !sleep(ctx, s.Backoff.Wait(n, c.retryAfter)) {
			return s.interrupted(res, true)
		}
	}
}

func created2result(res SendResult, c corapi.Created, msg string) SendResult {
	res.Status = report.Created
	res.CORID = c.ID
	res.HTTPStatus, res.ErrorCode, res.Message = 0, "", msg
	return res
}

// interrupted is the result of a delivery cut short. A record that may
// have reached COR is failed, so that a resumed run confirms it; one that
// COR cannot have stored is unprocessed.
func (s *Sender) interrupted(res SendResult, maybeSent bool) SendResult {
	res.Interrupted = true
	if maybeSent {
		res.Unresolved = true
		res.Status = report.Failed
		res.Message = "interrupted; the create may have reached COR, and a resumed run will confirm it"
		return res
	}
	res.Status = report.Unprocessed
	res.Message = "stopped before COR stored the client"
	return res
}

// verdict is the sender's reading of one failed attempt.
type verdict struct {
	final        report.Status // set when no retry can help
	duplicate    bool          // COR reported that the external id exists
	unauthorized bool          // COR rejected the access token
	fatal        error         // no record can be sent any more
	maybeSent    bool          // the request may have reached COR
	retryAfter   time.Duration
	status       int
	code         string
	message      string
}

// classify is the one place that decides what an error from the API client
// means for the record: every retry and final status comes from here.
func (s *Sender) classify(err error) verdict {
	var apiErr *corapi.APIError
	var netErr *corapi.TransportError
	var tokenErr *corapi.TokenError
	switch {
	case errors.As(err, &tokenErr):
		// no request was sent without a token
		v := verdict{retryAfter: tokenErr.RetryAfter, message: tokenErr.Error()}
		if !tokenErr.Retryable() {
			v.fatal = err
		}
		return v
	case errors.As(err, &apiErr):
		return s.classifyAPI(apiErr)
	case errors.As(err, &netErr):
		v := verdict{maybeSent: netErr.Sent, message: netErr.Error()}
		return v
	default:
		return verdict{message: err.Error()}
	}
}

func (s *Sender) classifyAPI(e *corapi.APIError) verdict {
	v := verdict{status: e.Status, code: errorCode(e), message: e.Message}
	if v.message == "" {
		v.message = e.Error()
	}
	switch e.Kind {
	case corapi.KindDuplicate:
		v.duplicate = true
		v.final = report.Duplicate
	case corapi.KindValidation, corapi.KindInvalidSource, corapi.KindRejected:
		v.final = report.Invalid
	case corapi.KindUnauthorized:
		if s.FixedToken {
			v.fatal = fmt.Errorf("COR rejected the access token, which cannot be renewed; "+
				"set a valid %s, or %s and %s: %w",
				corapi.EnvAccessToken, corapi.EnvAPIKey, corapi.EnvClientSecret, e)
			break
		}
		// The client dropped the rejected token, so the retry fetches a
		// new one, up to maxRenewals times.
		v.unauthorized = true
	case corapi.KindRateLimited:
		s.Pacer.Throttled(s.now())
		v.retryAfter = e.RetryAfter
	case corapi.KindServer:
		v.retryAfter = e.RetryAfter
	case corapi.KindUnknown:
		// a 2xx without a usable id may still have created the client
		v.maybeSent = e.Status >= 200 && e.Status < 300
		if !v.maybeSent {
			v.final = report.Failed
		}
	default:
		v.final = report.Failed
	}
	return v
}

func errorCode(e *corapi.APIError) string {
	if e.Code != "" {
		return e.Code
	}
	return e.Name
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// sleep waits for d or until ctx is done, and reports whether it waited
// the whole time.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
