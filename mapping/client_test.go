package mapping

import (
	"bytes"
	"encoding/json"
	"testing"
)

// body is the request body as encoding/json would write it.
type body struct {
	Metadata struct {
		Source string `json:"source"`
	} `json:"metadata"`
	ID              string `json:"id"`
	Name            string `json:"name"`
	BusinessName    string `json:"business_name,omitempty"`
	EmailContact    string `json:"email_contact,omitempty"`
	NameContact     string `json:"name_contact,omitempty"`
	LastNameContact string `json:"last_name_contact,omitempty"`
	Phone           string `json:"phone,omitempty"`
	Website         string `json:"website,omitempty"`
	Description     string `json:"description,omitempty"`
}

func marshalClient(t testing.TB, c *Client) []byte {
	b := body{
		ID: c.ID, Name: c.Name, BusinessName: c.BusinessName, EmailContact: c.EmailContact,
		NameContact: c.NameContact, LastNameContact: c.LastNameContact, Phone: c.Phone,
		Website: c.Website, Description: c.Description,
	}
	b.Metadata.Source = c.Source
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatalf("json.Marshal(%+v) error: %v", b, err)
	}
	return out
}

func TestAppendJSON(t *testing.T) {
	tests := []struct {
		name string
		c    Client
		want string
	}{
		{
			name: "required only",
			c:    Client{Source: "SALESFORCE", ID: "001x", Name: "Acme"},
			want: `{"metadata":{"source":"SALESFORCE"},"id":"001x","name":"Acme"}`,
		},
		{
			name: "every field",
			c: Client{Source: "SAP", ID: "1", Name: "A", BusinessName: "B", EmailContact: "e@x.io",
				NameContact: "N", LastNameContact: "L", Phone: "P", Website: "w.io", Description: "D"},
			want: `{"metadata":{"source":"SAP"},"id":"1","name":"A","business_name":"B",` +
				`"email_contact":"e@x.io","name_contact":"N","last_name_contact":"L","phone":"P",` +
				`"website":"w.io","description":"D"}`,
		},
		{
			name: "empty required kept",
			c:    Client{Source: "SAP"},
			want: `{"metadata":{"source":"SAP"},"id":"","name":""}`,
		},
		{name: "escapes", c: Client{Source: "SAP", ID: "\"\\/\b\f\n\r\t\x00\x1f\x7f", Name: "<a&b>"}},
		{name: "unicode", c: Client{Source: "SAP", ID: "Crédito 東京 😀", Name: "\u2028\u2029\u00a0"}},
		{name: "invalid utf8", c: Client{Source: "SAP", ID: "a\xffb\xc3", Name: "\xed\xa0\x80"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.AppendJSON(nil)
			want := marshalClient(t, &tt.c)
			if !bytes.Equal(got, want) {
				t.Errorf("AppendJSON() = %s, want (encoding/json) %s", got, want)
			}
			if tt.want != "" && string(got) != tt.want {
				t.Errorf("AppendJSON() = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestAppendJSONAppends(t *testing.T) {
	c := Client{Source: "SAP", ID: "1", Name: "A"}
	got := c.AppendJSON([]byte("prefix "))
	want := `prefix {"metadata":{"source":"SAP"},"id":"1","name":"A"}`
	if string(got) != want {
		t.Errorf("AppendJSON(prefix) = %s, want %s", got, want)
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("SALESFORCE", "001x", "Acme", "", "\u2028<&>\"\\")
	f.Add("SAP", "a\xffb", "\x00\x1f\x7f", "é", "\n\r\t\b\f")
	f.Fuzz(func(t *testing.T, source, id, name, email, description string) {
		c := Client{Source: source, ID: id, Name: name, EmailContact: email, Description: description}
		got := c.AppendJSON(nil)
		if want := marshalClient(t, &c); !bytes.Equal(got, want) {
			t.Fatalf("AppendJSON(%+v) = %s, want (encoding/json) %s", c, got, want)
		}
	})
}
