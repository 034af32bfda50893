package fetch

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"kedaitong"
)

// fakeResolver answers from a fixed table; unknown names fail to resolve.
type fakeResolver map[string][]string

func (f fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := f[host]
	if !ok {
		return nil, fmt.Errorf("no such host %s", host)
	}
	out := make([]netip.Addr, len(ips))
	for i, s := range ips {
		out[i] = netip.MustParseAddr(s)
	}
	return out, nil
}

var testNames = fakeResolver{
	"public.example":   {"93.184.216.34"},
	"public6.example":  {"2606:2800:220:1:248:1893:25c8:1946"},
	"internal.example": {"10.0.0.5"},
	"mixed.example":    {"93.184.216.34", "192.168.0.1"},
	"intranet.example": {"10.9.9.9"},
	"localhost":        {"127.0.0.1", "::1"},
	"mapped.example":   {"::ffff:127.0.0.1"},
}

func newTestGuard(t *testing.T, allow string) *Guard {
	t.Helper()
	g, err := NewGuard(allow)
	if err != nil {
		t.Fatalf("NewGuard(%q): %v", allow, err)
	}
	return g.WithResolver(testNames)
}

func TestGuardCheckURL(t *testing.T) {
	g := newTestGuard(t, "")
	tests := []struct {
		url  string
		want string // "" = allowed; else a substring of the refusal
	}{
		// public destinations
		{"http://93.184.216.34/feed", ""},
		{"https://93.184.216.34:443/feed", ""},
		{"http://public.example/rss", ""},
		{"https://public6.example/rss", ""},
		{"http://[2606:2800:220:1:248:1893:25c8:1946]/", ""},
		// IPv4 classes
		{"http://127.0.0.1/", "not allowed"},
		{"http://127.8.9.10/", "not allowed"},
		{"http://10.0.0.5/", "not allowed"},
		{"http://172.16.3.4/", "not allowed"},
		{"http://172.31.255.255/", "not allowed"},
		{"http://192.168.1.1/", "not allowed"},
		{"http://169.254.1.1/", "not allowed"},
		{"http://169.254.169.254/latest/meta-data/", "not allowed"},
		{"http://100.64.0.1/", "not allowed"},
		{"http://100.127.255.254/", "not allowed"},
		{"http://0.0.0.0/", "not allowed"},
		{"http://0.1.2.3/", "not allowed"},
		{"http://224.0.0.1/", "not allowed"},
		{"http://239.255.255.250/", "not allowed"},
		{"http://255.255.255.255/", "not allowed"},
		{"http://240.0.0.1/", "not allowed"},
		{"http://192.0.2.1/", "not allowed"},
		{"http://198.51.100.7/", "not allowed"},
		{"http://203.0.113.9/", "not allowed"},
		{"http://198.18.0.1/", "not allowed"},
		{"http://198.19.255.1/", "not allowed"},
		{"http://192.0.0.8/", "not allowed"},
		// IPv6 classes
		{"http://[::1]/", "not allowed"},
		{"http://[::]/", "not allowed"},
		{"http://[fc00::1]/", "not allowed"},
		{"http://[fd12:3456::1]/", "not allowed"},
		{"http://[fe80::1]/", "not allowed"},
		{"http://[fe80::1%25eth0]/", "not allowed"},
		{"http://[ff02::1]/", "not allowed"},
		{"http://[2001:db8::1]/", "not allowed"},
		{"http://[fd00:ec2::254]/", "not allowed"},
		{"http://[fec0::1]/", "not allowed"},
		// IPv6 forms embedding IPv4
		{"http://[::ffff:127.0.0.1]/", "not allowed"},
		{"http://[::ffff:7f00:1]/", "not allowed"},
		{"http://[::ffff:10.0.0.1]/", "not allowed"},
		{"http://[::ffff:169.254.169.254]/", "not allowed"},
		{"http://[::127.0.0.1]/", "not allowed"},
		{"http://[::7f00:1]/", "not allowed"},
		{"http://[64:ff9b::a00:1]/", "not allowed"},
		{"http://[2002:7f00:1::]/", "not allowed"},
		{"http://[2002:c0a8:101::1]/", "not allowed"},
		{"http://[::ffff:0:7f00:1]/", "not allowed"},
		// other IPv4 spellings
		{"http://2130706433/", "not allowed"},
		{"http://0x7f.1/", "not allowed"},
		{"http://017700000001/", "not allowed"},
		{"http://0x7f000001/", "not allowed"},
		{"http://127.1/", "not allowed"},
		{"http://0177.0.0.1/", "not allowed"},
		{"http://0xa9.0xfe.0xa9.0xfe/", "not allowed"},
		{"http://167772165/", "not allowed"},
		// names
		{"http://metadata.google.internal/computeMetadata/v1/", "cloud metadata"},
		{"http://METADATA.GOOGLE.INTERNAL./", "cloud metadata"},
		{"http://internal.example/feed", "not allowed"},
		{"http://mixed.example/", "not allowed"},
		{"http://localhost/", "not allowed"},
		{"http://mapped.example/", "not allowed"},
		{"http://nowhere.example/", "cannot be resolved"},
		// schemes and ports
		{"ftp://public.example/", "scheme"},
		{"file:///etc/passwd", "scheme"},
		{"gopher://public.example/", "scheme"},
		{"javascript:alert(1)", "scheme"},
		{"http://public.example:8080/", "port 8080"},
		{"http://93.184.216.34:22/", "port 22"},
		{"https://public.example:80/", ""},
		{"http://public.example:0/", "port"},
		{"http://user:pw@public.example/", "credentials"},
		{"http:///nohost", "no host"},
		{"://bad", "not a valid URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := g.CheckURL(context.Background(), tt.url)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("CheckURL(%q) = %v, want allowed", tt.url, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckURL(%q) = nil, want refusal containing %q", tt.url, tt.want)
			}
			if got := kedaitong.ErrorCode(err); got != kedaitong.EInvalid {
				t.Errorf("code = %q, want %q", got, kedaitong.EInvalid)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckURL(%q) = %q, want it to contain %q", tt.url, err, tt.want)
			}
		})
	}
}

func TestGuardAllowList(t *testing.T) {
	g := newTestGuard(t, " 127.0.0.1, 10.1.0.0/16 ,intranet.example,::1,[fd00::5]")
	tests := []struct {
		url     string
		allowed bool
	}{
		{"http://127.0.0.1:8080/", true},
		{"http://127.0.0.1/", true},
		{"http://127.0.0.2/", false},
		{"http://127.0.0.2:8080/", false},
		{"http://2130706433:9000/", true}, // 127.0.0.1 spelled as a number
		{"http://2130706434/", false},     // 127.0.0.2
		{"http://10.1.2.3:9000/", true},
		{"http://10.1.255.255/", true},
		{"http://10.2.0.1/", false},
		{"http://intranet.example:8443/", true},
		{"http://INTRANET.example/", true},
		{"http://internal.example/", false},
		{"http://[::1]:81/", true},
		{"http://[::ffff:127.0.0.1]:81/", true}, // the same address as 127.0.0.1
		{"http://[fd00::5]:8080/", true},
		{"http://[fd00::6]/", false},
		{"http://localhost:8080/", true}, // resolves to 127.0.0.1 and ::1, both allowed on any port
		{"http://public.example:8080/", false},
		{"ftp://127.0.0.1/", false},
	}
	for _, tt := range tests {
		err := g.CheckURL(context.Background(), tt.url)
		if got := err == nil; got != tt.allowed {
			t.Errorf("CheckURL(%q) allowed = %v (%v), want %v", tt.url, got, err, tt.allowed)
		}
	}
}

func TestNewGuardErrors(t *testing.T) {
	for _, allow := range []string{"10.0.0.0/33", "not a host", "a@b"} {
		if _, err := NewGuard(allow); err == nil {
			t.Errorf("NewGuard(%q) = nil error, want error", allow)
		}
	}
	if _, err := NewGuard(""); err != nil {
		t.Errorf("NewGuard(\"\") = %v, want nil", err)
	}
}

func TestGuardSystemResolverLocalhost(t *testing.T) {
	g, err := NewGuard("")
	if err != nil {
		t.Fatal(err)
	}
	err = g.CheckURL(context.Background(), "http://localhost/")
	if err == nil || !strings.Contains(err.Error(), "not allowed") {
		t.Fatalf("CheckURL(localhost) with the system resolver = %v, want a refusal", err)
	}
}

func TestParseInetAton(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" = not an address
	}{
		{"2130706433", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"017700000001", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"10.1.1", "10.1.0.1"},
		{"0xC0.0xA8.0x01.0x01", "192.168.1.1"},
		{"4294967295", "255.255.255.255"},
		{"4294967296", ""},
		{"256.1.1.1", ""},
		{"1.2.3.4.5", ""},
		{"08.1.1.1", ""},
		{"example.com", ""},
		{"0x", "0.0.0.0"},
	}
	for _, tt := range tests {
		a, ok := parseIP(tt.in)
		got := ""
		if ok {
			got = a.String()
		}
		if got != tt.want {
			t.Errorf("parseIP(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestGuardRefusalHidesResolution: a refusal says that the address is not
// allowed, never what a name resolved to nor what kind of address it is
// (issue 15.7: the refusal must not map the internal network).
func TestGuardRefusalHidesResolution(t *testing.T) {
	g := newTestGuard(t, "")
	leaks := []string{"10.0.0.5", "192.168.0.1", "127.0.0.1", "::1", "private", "loopback", "internal address", "link-local"}
	for _, u := range []string{"http://internal.example/feed", "http://mixed.example/", "http://localhost/", "http://mapped.example/"} {
		err := g.CheckURL(context.Background(), u)
		if err == nil {
			t.Fatalf("CheckURL(%q) = nil, want a refusal", u)
		}
		for _, lang := range []string{"en", "zh"} {
			msg := kedaitong.MessageIn(err, lang)
			if !strings.Contains(msg, "not allowed") && !strings.Contains(msg, "不允许") {
				t.Errorf("CheckURL(%q) [%s] = %q, want it to say the address is not allowed", u, lang, msg)
			}
			for _, l := range leaks {
				if strings.Contains(msg, l) {
					t.Errorf("CheckURL(%q) [%s] = %q: reveals %q", u, lang, msg, l)
				}
			}
		}
	}
	// At dial time too (a name that resolves differently later).
	if r := g.refusal(netip.MustParseAddr("10.0.0.5"), 80, "internal.example"); strings.Contains(r, "10.0.0.5") || strings.Contains(r, "private") {
		t.Errorf("refusal at dial = %q: reveals the address", r)
	}
	if r := g.refusal(netip.MustParseAddr("10.0.0.5"), 80, ""); strings.Contains(r, "10.0.0.5") || strings.Contains(r, "private") {
		t.Errorf("refusal at connect = %q: reveals the address", r)
	}
}
