package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Endpoint names used as keys of Stats.Requests.
const (
	EndpointToken       = "POST /v1/oauth/token"
	EndpointRefresh     = "POST /v1/oauth/refreshtoken"
	EndpointCreate      = "POST /v2/integrations/clients"
	EndpointUpdate      = "PUT /v2/integrations/clients/{externalId}"
	EndpointDelete      = "DELETE /v2/integrations/clients/{externalId}"
	EndpointListClients = "GET /_sandbox/clients"
	EndpointStats       = "GET /_sandbox/stats"

	// EndpointUnknown counts requests for paths or methods that no
	// endpoint serves.
	EndpointUnknown = "unknown"
)

const (
	clientsPath   = "/v2/integrations/clients"
	clientsPrefix = clientsPath + "/"
)

// handlerFunc serves one endpoint after routing, faults and authorization.
type handlerFunc func(w *recorder, r *http.Request)

// ServeHTTP routes a request to its endpoint.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	switch {
	case path == "/v1/oauth/token":
		s.serveAPI(w, r, EndpointToken, http.MethodPost, s.serveToken)
	case path == "/v1/oauth/refreshtoken":
		s.serveAPI(w, r, EndpointRefresh, http.MethodPost, s.serveRefresh)
	case path == clientsPath:
		s.serveAPI(w, r, EndpointCreate, http.MethodPost, s.serveCreate)
	case strings.HasPrefix(path, clientsPrefix):
		s.routeClient(w, r, path[len(clientsPrefix):])
	case path == "/_sandbox/clients":
		s.serveInspect(w, r, EndpointListClients, s.serveListClients)
	case path == "/_sandbox/stats":
		s.serveInspect(w, r, EndpointStats, s.serveStats)
	default:
		rec := s.stats.begin(w, EndpointUnknown)
		writeError(rec, http.StatusNotFound, "NotFoundError",
			"no route for "+r.Method+" "+r.URL.Path)
		rec.end()
	}
}

// routeClient dispatches /v2/integrations/clients/{externalId} by method.
func (s *Server) routeClient(w http.ResponseWriter, r *http.Request, escaped string) {
	endpoint, serve := EndpointUpdate, s.serveUpdate
	switch r.Method {
	case http.MethodPut:
	case http.MethodDelete:
		endpoint, serve = EndpointDelete, s.serveDelete
	default:
		rec := s.stats.begin(w, EndpointUnknown)
		rec.Header().Set("Allow", "PUT, DELETE")
		writeError(rec, http.StatusMethodNotAllowed, "MethodNotAllowedError",
			"method "+r.Method+" is not allowed on "+r.URL.Path+", use PUT or DELETE")
		rec.end()
		return
	}
	s.serveAPI(w, r, endpoint, r.Method, func(w *recorder, r *http.Request) {
		id, err := unescapeExternalID(escaped)
		if err != nil {
			writeError(w, http.StatusBadRequest, "ValidationError", err.Error())
			return
		}
		serve(w, r, id)
	})
}

// unescapeExternalID decodes the {externalId} path segment. A slash inside
// an external id must be sent as %2F.
func unescapeExternalID(escaped string) (string, error) {
	if escaped == "" || strings.Contains(escaped, "/") {
		return "", fmt.Errorf("path %q does not name one external id; escape a slash "+
			"inside the id as %%2F", clientsPrefix+escaped)
	}
	id, err := url.PathUnescape(escaped)
	if err != nil {
		return "", fmt.Errorf("external id %q in path is not valid escaping: %v", escaped, err)
	}
	return id, nil
}

// serveAPI runs one request to a COR endpoint: method check, latency, and
// for the integration endpoints the faults and the bearer token check,
// before the endpoint's handler.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, endpoint, method string,
	serve handlerFunc) {
	rec := s.stats.begin(w, endpoint)
	defer rec.end()

	if r.Method != method {
		rec.Header().Set("Allow", method)
		writeError(rec, http.StatusMethodNotAllowed, "MethodNotAllowedError",
			"method "+r.Method+" is not allowed on "+r.URL.Path+", use "+method)
		return
	}
	if !s.delay(r) {
		return // the caller went away while waiting
	}
	if isIntegration(endpoint) {
		if s.injectFault(rec, r) || !s.authorize(rec, r) {
			return
		}
	}
	serve(rec, r)
}

func isIntegration(endpoint string) bool {
	return endpoint == EndpointCreate || endpoint == EndpointUpdate ||
		endpoint == EndpointDelete
}

// serveInspect runs one request to a /_sandbox endpoint. These need no
// token and see no faults.
func (s *Server) serveInspect(w http.ResponseWriter, r *http.Request, endpoint string,
	serve handlerFunc) {
	rec := s.stats.begin(w, endpoint)
	defer rec.end()

	if r.Method != http.MethodGet {
		rec.Header().Set("Allow", http.MethodGet)
		writeError(rec, http.StatusMethodNotAllowed, "MethodNotAllowedError",
			"method "+r.Method+" is not allowed on "+r.URL.Path+", use GET")
		return
	}
	serve(rec, r)
}

// recorder is the ResponseWriter handlers see. It counts the request
// under its status as the status is sent, so that a caller that has read
// a response also finds it in Stats. A request that ends with no response (a
// reset, a drop, or a caller that went away) is counted under status 0.
type recorder struct {
	http.ResponseWriter
	stats    *statsRecorder
	endpoint string
	status   int
	counted  bool
}

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
		w.count()
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection for Hijack.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// count records the request once, under the status sent so far.
func (w *recorder) count() {
	if !w.counted {
		w.counted = true
		w.stats.count(w.endpoint, w.status)
	}
}

// end counts a request that sent no response.
func (w *recorder) end() { w.count() }
