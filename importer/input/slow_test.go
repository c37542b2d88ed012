package input

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSlowCorpus(t *testing.T) {
	dir := os.Getenv("CORPUS")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var worst time.Duration
	var worstName string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		lines := strings.SplitN(string(data), "\n", 3)
		s, err := strconv.Unquote(strings.TrimPrefix(strings.TrimSuffix(lines[1], ")"), "[]byte("))
		if err != nil {
			t.Log(f, err)
			continue
		}
		start := time.Now()
		readAllFuzz(t, []byte(s), os.Getenv("FORMAT"), false)
		if d := time.Since(start); d > worst {
			worst, worstName = d, f
		}
	}
	t.Logf("%d inputs, slowest %v %s", len(files), worst, worstName)
}
