package match

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func TestPhases(t *testing.T) {
	if os.Getenv("MATCH_PHASES") == "" {
		t.Skip()
	}
	n, _ := strconv.Atoi(os.Getenv("MATCH_PHASES"))
	if a, err := strconv.Atoi(os.Getenv("MATCH_ALPHA")); err == nil {
		costScalingAlpha = int64(a)
	}
	if f, err := strconv.ParseFloat(os.Getenv("MATCH_UPD"), 64); err == nil {
		updateFactor = f
	}
	in := benchInstance(1, n, n/2, 100+100*(n/20000))
	start := time.Now()
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	c0 := cpu()
	last := c0
	debugPhase = func(eps int64, work int) {
		c := cpu()
		t.Logf("cpu %v eps=%d relabels=%d", c-last, eps, work)
		last = c
	}
	defer func() { debugPhase = nil }()
	if _, _, err := Solve(context.Background(), in, Options{}); err != nil {
		t.Fatal(err)
	}
	t.Logf("total %v, cpu %v (last phase+potentials+check %v)", time.Since(start), cpu()-c0, cpu()-last)
}
