package main

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"sort"
	"testing"
	"time"
)

// BenchmarkStartupToReady is the time from starting `kedaitong serve` on an
// empty data folder to the first 200 from /readyz (the first admin is
// created, so an argon2id hash is part of it).
func BenchmarkStartupToReady(b *testing.B) {
	var took []time.Duration
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		port := freePort(b)
		t0 := time.Now()
		cmd := exec.Command(binary, "serve", "--addr", port, "--data", dir)
		cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		for {
			res, err := http.Get("http://" + port + "/readyz")
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					break
				}
			}
			if time.Since(t0) > 20*time.Second {
				cmd.Process.Kill()
				b.Fatal("not ready after 20 s")
			}
			time.Sleep(2 * time.Millisecond)
		}
		took = append(took, time.Since(t0))
		cmd.Process.Kill()
		cmd.Wait()
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	b.ReportMetric(float64(took[len(took)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(took[len(took)-1].Milliseconds()), "max-ms")
}

func freePort(b *testing.B) string {
	ln, err := netListen()
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func netListen() (interface {
	Addr() net.Addr
	Close() error
}, error) {
	return net.Listen("tcp", "127.0.0.1:0")
}
