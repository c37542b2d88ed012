// Package corapi is the HTTP client for COR's Integrations API and the
// OAuth2 client-credentials token source it authenticates with.
//
// A TokenSource turns Credentials into bearer tokens. It fetches a token
// with the API key and client secret, caches it, and renews it ahead of
// expiry, through the refresh token when COR issued one. However many
// workers request a token, one fetch runs at a time. A Client sends one request per call,
// CreateClient or UpdateClient, and never retries: the caller owns the retry
// policy and decides with errors.As on the typed errors returned here.
//
//   - *APIError: COR responded, but not with a usable client. Its Kind is
//     the classification of status and body together (duplicate external
//     id, validation, rate limit, server error, ...).
//   - *TransportError: no response arrived. Sent reports whether the request
//     was written in full, so that COR may have created the client.
//   - *TokenError: no access token could be obtained, so the request was
//     not sent. It wraps ErrCredentialsRejected when the token endpoint
//     rejected the credentials.
//
// No error, String method or JSON encoding in this package contains an API
// key, client secret, access token or refresh token. URLs never carry
// secrets, so the URLs that net/http puts in its errors are safe as well.
package corapi
