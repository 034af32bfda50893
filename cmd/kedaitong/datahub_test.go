package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kedaitong/review"
)

// TestDatahubImportCommand: the command prints the row report as JSON,
// re-importing changes nothing, and bad input exits 2 with a message.
func TestDatahubImportCommand(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "tax.csv")
	code := review.DemoCreditCode("360702", 1)
	os.WriteFile(file, []byte("credit_code,year,revenue,rd_spend\n"+code+",2024,1000000,100000\n91360702MA38XXXXXX,2024,1,1\n"), 0o600)
	data := filepath.Join(dir, "data")
	imp := func(args ...string) (int, map[string]any, string) {
		var out, errb bytes.Buffer
		rc := run(context.Background(), append([]string{"datahub", "import"}, args...), stdio{in: strings.NewReader(""), out: &out, err: &errb})
		var rep map[string]any
		json.Unmarshal(out.Bytes(), &rep)
		return rc, rep, errb.String()
	}
	rc, rep, stderr := imp("--source", "tax", file, "--data", data)
	if rc != 0 || rep["imported"] != float64(1) || len(rep["rejected"].([]any)) != 1 {
		t.Fatalf("first import: rc %d, %v, %s", rc, rep, stderr)
	}
	if !strings.Contains(stderr, "rows applied") {
		t.Errorf("no progress on standard error: %q", stderr)
	}
	if rc, rep, _ = imp("--source", "tax", file, "--data", data); rc != 0 || rep["unchanged"] != float64(1) || rep["imported"] != float64(0) {
		t.Errorf("re-import: rc %d, %v", rc, rep)
	}
	for _, args := range [][]string{{"--source", "salaries", file, "--data", data}, {"--source", "tax", "--data", data}, {"--source", "tax", filepath.Join(dir, "none.csv"), "--data", data}} {
		if rc, _, stderr := imp(args...); rc != exitBadInput || stderr == "" {
			t.Errorf("%v: rc %d, %q", args, rc, stderr)
		}
	}
}
