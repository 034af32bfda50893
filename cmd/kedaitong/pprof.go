//go:build pprof

package main

// Profiling build (`go build -tags pprof`): when KEDAI_PPROF_ADDR is set,
// net/http/pprof answers there, with block and mutex profiling on. Never
// in the default build.

import (
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
)

func init() {
	addr := os.Getenv("KEDAI_PPROF_ADDR")
	if addr == "" {
		return
	}
	runtime.SetBlockProfileRate(10000) // one sample per 10 µs blocked
	runtime.SetMutexProfileFraction(10)
	go http.ListenAndServe(addr, nil)
}
