package web

import "strings"

// AcceptsGzip reports whether an Accept-Encoding header accepts gzip
// (gzip or x-gzip, unless refused with q=0): the one reading of the header
// for every handler that sends a precompressed body.
func AcceptsGzip(h string) bool {
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "x-gzip" {
			continue
		}
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") && strings.Trim(strings.TrimSpace(v), "0.") == "" {
				return false // q=0, q=0.0, q=0.000
			}
		}
		return true
	}
	return false
}
