package web_test

import (
	"regexp"
	"strconv"
	"testing"
)

// The embedded store's group-commit counters are on /metrics: the
// transactions committed and the writes they held (at least one each).
func TestMetricsStoreWrites(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/metrics", "")
	if r.status != 200 {
		t.Fatalf("metrics = %d", r.status)
	}
	read := func(name string) float64 {
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(string(r.body))
		if m == nil {
			t.Fatalf("metrics lack %s", name)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatalf("%s = %q", name, m[1])
		}
		return v
	}
	batches, ops := read("kedai_store_write_batches_total"), read("kedai_store_write_ops_total")
	if batches < 1 || ops < batches {
		t.Errorf("store writes: %v transactions holding %v writes; want at least one, and writes ≥ transactions", batches, ops)
	}
}
