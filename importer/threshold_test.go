package importer

import "testing"

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in      string
		want    Threshold
		wantErr bool
	}{
		{"", Threshold{}, false},
		{"0", Threshold{}, false},
		{"25", Threshold{Count: 25}, false},
		{" 5% ", Threshold{Percent: 5}, false},
		{"0.5%", Threshold{Percent: 0.5}, false},
		{"100%", Threshold{Percent: 100}, false},
		{"101%", Threshold{}, true},
		{"0%", Threshold{}, true},
		{"-3", Threshold{}, true},
		{"five", Threshold{}, true},
		{"5 %x", Threshold{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseThreshold(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseThreshold(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseThreshold(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestThresholdReached(t *testing.T) {
	tests := []struct {
		name      string
		limit     Threshold
		bad, read int
		want      bool
	}{
		{"no limit", Threshold{}, 1000, 1000, false},
		{"count below", Threshold{Count: 3}, 2, 10, false},
		{"count reached", Threshold{Count: 3}, 3, 10, true},
		{"percent too early", Threshold{Percent: 5}, 1, 1, false},
		{"percent below", Threshold{Percent: 5}, 4, 100, false},
		{"percent reached", Threshold{Percent: 5}, 5, 100, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.limit.Reached(tt.bad, tt.read); got != tt.want {
				t.Errorf("%+v.Reached(%d, %d) = %v, want %v", tt.limit, tt.bad, tt.read, got, tt.want)
			}
		})
	}
}
