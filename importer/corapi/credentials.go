package corapi

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"unicode"

	"github.com/rs/zerolog"
)

// Credentials is the secret a TokenSource authenticates with: an API key
// and client secret for the client-credentials flow, or a ready access
// token used as it is. Every way of printing or encoding Credentials (fmt
// verbs, JSON, zerolog, slog) shows whether each field is set, never its
// value.
type Credentials struct {
	APIKey       string
	ClientSecret string
	AccessToken  string
}

// Markers shown in place of credential values.
const (
	maskSet   = "[redacted]"
	maskUnset = "[unset]"
)

func mask(s string) string {
	if s == "" {
		return maskUnset
	}
	return maskSet
}

// String returns the credentials with every value redacted.
func (c Credentials) String() string {
	return fmt.Sprintf("corapi.Credentials{APIKey: %s, ClientSecret: %s, AccessToken: %s}",
		mask(c.APIKey), mask(c.ClientSecret), mask(c.AccessToken))
}

// GoString returns the same redacted text as String, for %#v.
func (c Credentials) GoString() string { return c.String() }

// Format writes the redacted text for every verb, so that verbs such as
// %d or %x, which would otherwise print the fields, reveal nothing.
func (c Credentials) Format(f fmt.State, verb rune) {
	_, _ = f.Write([]byte(c.String()))
}

// MarshalJSON encodes the credentials with every value redacted.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{
		"api_key":       mask(c.APIKey),
		"client_secret": mask(c.ClientSecret),
		"access_token":  mask(c.AccessToken),
	})
}

// MarshalZerologObject adds the credentials to a zerolog event with every
// value redacted.
func (c Credentials) MarshalZerologObject(e *zerolog.Event) {
	e.Str("api_key", mask(c.APIKey)).
		Str("client_secret", mask(c.ClientSecret)).
		Str("access_token", mask(c.AccessToken))
}

// LogValue returns the credentials for log/slog with every value redacted.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api_key", mask(c.APIKey)),
		slog.String("client_secret", mask(c.ClientSecret)),
		slog.String("access_token", mask(c.AccessToken)),
	)
}

// Names of the environment variables that CredentialsFromEnv reads. Each
// can also be given as NAME_FILE, the path of a file that contains the
// value, as Kubernetes mounts secrets.
const (
	EnvAPIKey       = "COR_API_KEY"
	EnvClientSecret = "COR_CLIENT_SECRET"
	EnvAccessToken  = "COR_ACCESS_TOKEN"
)

// CredentialsFromEnv reads the credentials from the environment through
// getenv, and from files through readFile for the *_FILE variables. A file
// value loses its trailing line breaks. When no variable is set, the
// error wraps ErrNoCredentials. Other errors name the variable but never
// its value. They report a variable set both ways, a file that cannot be
// read or is empty, a value with a control character or surrounding
// spaces, and a set of variables that is incomplete or ambiguous.
func CredentialsFromEnv(getenv func(string) string,
	readFile func(string) ([]byte, error)) (Credentials, error) {
	var c Credentials
	for _, v := range []struct {
		name string
		dst  *string
	}{
		{EnvAPIKey, &c.APIKey},
		{EnvClientSecret, &c.ClientSecret},
		{EnvAccessToken, &c.AccessToken},
	} {
		value, err := lookupSecret(v.name, getenv, readFile)
		if err != nil {
			return Credentials{}, err
		}
		*v.dst = value
	}
	if err := c.validate(); err != nil {
		return Credentials{}, err
	}
	return c, nil
}

// lookupSecret returns the value of name, read from the environment or
// from the file that name_FILE points to.
func lookupSecret(name string, getenv func(string) string,
	readFile func(string) ([]byte, error)) (string, error) {
	fileVar := name + "_FILE"
	value, path := getenv(name), getenv(fileVar)
	switch {
	case value != "" && path != "":
		return "", fmt.Errorf("corapi: both %s and %s are set; set only one", name, fileVar)
	case value != "":
		return value, checkSecret(name, value)
	case path == "":
		return "", nil
	}

	data, err := readFile(path)
	if err != nil {
		return "", fmt.Errorf("corapi: %s: read the secret file: %w", fileVar, err)
	}
	value = strings.TrimRight(string(data), "\r\n")
	if value == "" {
		return "", fmt.Errorf("corapi: %s: the file %q is empty", fileVar, path)
	}
	return value, checkSecret(fileVar, value)
}

// checkSecret rejects values that would corrupt a header or that carry an
// accidental space from copying.
func checkSecret(name, value string) error {
	if strings.ContainsFunc(value, unicode.IsControl) {
		return fmt.Errorf("corapi: %s contains a control character or line break", name)
	}
	if strings.TrimSpace(value) != value {
		return fmt.Errorf("corapi: %s starts or ends with a space", name)
	}
	return nil
}

// validate checks that c holds exactly one usable set of credentials.
func (c Credentials) validate() error {
	hasPair := c.APIKey != "" || c.ClientSecret != ""
	switch {
	case c.AccessToken != "" && hasPair:
		return fmt.Errorf("corapi: both %s and %s/%s are set; "+
			"set either the access token or the key and secret", EnvAccessToken,
			EnvAPIKey, EnvClientSecret)
	case c.AccessToken != "":
		return nil
	case !hasPair:
		return fmt.Errorf("%w: set %s and %s, or %s (each also as a *_FILE path)",
			ErrNoCredentials, EnvAPIKey, EnvClientSecret, EnvAccessToken)
	case c.APIKey == "":
		return fmt.Errorf("corapi: %s is set but %s is not", EnvClientSecret, EnvAPIKey)
	case c.ClientSecret == "":
		return fmt.Errorf("corapi: %s is set but %s is not", EnvAPIKey, EnvClientSecret)
	case strings.Contains(c.APIKey, ":"):
		// Basic authentication joins key and secret with a colon.
		return fmt.Errorf("corapi: %s contains a colon, which Basic authentication "+
			"cannot carry", EnvAPIKey)
	}
	return nil
}
