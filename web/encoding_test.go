package web

import "testing"

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"": false, "gzip": true, "br, gzip;q=0.8": true, "x-gzip": true, "GZIP": true,
		"gzip;q=0": false, "gzip; q=0.000": false, "deflate, br": false, "identity": false,
	} {
		if got := AcceptsGzip(h); got != want {
			t.Errorf("AcceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}
