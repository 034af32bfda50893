package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"strconv"
	"strings"
	"testing"
)

// TestDashboardGzip: the dashboard page and its JSON are sent compressed
// to clients that accept gzip — one gzip member, stitched from the parts
// compressed once, that decompresses to exactly the page sent to clients
// that do not — with an ETag of their own; and plain to those that refuse it.
func TestDashboardGzip(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	dashFixture(t, e)
	sec := e.login("cityofficial")
	for _, path := range []string{"/dashboard", "/dashboard?region=360702", "/api/v1/dashboard"} {
		for _, lang := range []string{"zh-CN", "en"} {
			plain := e.do("GET", path, "", as(sec, "Accept-Language", lang, "Accept-Encoding", "identity")...)
			if plain.status != 200 || plain.header.Get("Content-Encoding") != "" {
				t.Fatalf("%s plain = %d, encoding %q", path, plain.status, plain.header.Get("Content-Encoding"))
			}
			for _, ae := range []string{"gzip", "gzip, deflate, br, zstd", "br;q=1.0, gzip;q=0.8"} {
				z := e.do("GET", path, "", as(sec, "Accept-Language", lang, "Accept-Encoding", ae)...)
				if z.status != 200 || z.header.Get("Content-Encoding") != "gzip" || !strings.Contains(z.header.Get("Vary"), "Accept-Encoding") {
					t.Fatalf("%s (%s) = %d, encoding %q, vary %q", path, ae, z.status, z.header.Get("Content-Encoding"), z.header.Get("Vary"))
				}
				if z.header.Get("Content-Length") != "" && z.header.Get("Content-Length") != strconv.Itoa(len(z.body)) {
					t.Errorf("%s: Content-Length %s, body %d", path, z.header.Get("Content-Length"), len(z.body))
				}
				zr, err := gzip.NewReader(bytes.NewReader(z.body))
				if err != nil {
					t.Fatal(err)
				}
				zr.Multistream(false)
				got, err := io.ReadAll(zr) // checks the CRC-32 and the length
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if _, err := zr.Read(make([]byte, 1)); err != io.EOF {
					t.Errorf("%s: more than one gzip member", path)
				}
				if !bytes.Equal(got, plain.body) {
					t.Errorf("%s (%s): the compressed page differs from the plain one (%d, %d bytes)", path, lang, len(got), len(plain.body))
				}
				if len(z.body)*3 > len(plain.body) {
					t.Errorf("%s: %d bytes compressed, %d plain", path, len(z.body), len(plain.body))
				}
				tag := z.header.Get("ETag")
				if tag == "" || tag == plain.header.Get("ETag") {
					t.Errorf("%s: gzip ETag %q, plain %q", path, tag, plain.header.Get("ETag"))
				}
				if r := e.do("GET", path, "", as(sec, "Accept-Language", lang, "Accept-Encoding", ae, "If-None-Match", tag)...); r.status != 304 {
					t.Errorf("%s: If-None-Match = %d, want 304", path, r.status)
				}
			}
			if r := e.do("GET", path, "", as(sec, "Accept-Language", lang, "Accept-Encoding", "gzip;q=0, identity")...); r.header.Get("Content-Encoding") != "" || !bytes.Equal(r.body, plain.body) {
				t.Errorf("%s: gzip;q=0 answered %q", path, r.header.Get("Content-Encoding"))
			}
		}
	}
}
