//go:build pprof

package main

// Profiling build (`go build -tags pprof`): `datahub import` writes a CPU
// profile to $KEDAI_CPUPROFILE and an allocation profile to
// $KEDAI_MEMPROFILE when they are set (scripts/bench-datahub.sh with
// PROFILE=DIR). Never in the default build.

import (
	"os"
	"runtime"
	"runtime/pprof"
)

func init() {
	datahubProfile = func() func() {
		var stop []func()
		if f := os.Getenv("KEDAI_CPUPROFILE"); f != "" {
			if w, err := os.Create(f); err == nil {
				if pprof.StartCPUProfile(w) == nil {
					stop = append(stop, func() { pprof.StopCPUProfile(); w.Close() })
				}
			}
		}
		if f := os.Getenv("KEDAI_MEMPROFILE"); f != "" {
			runtime.MemProfileRate = 64 << 10
			stop = append(stop, func() {
				if w, err := os.Create(f); err == nil {
					pprof.Lookup("allocs").WriteTo(w, 0)
					w.Close()
				}
			})
		}
		return func() {
			for _, s := range stop {
				s()
			}
		}
	}
}
