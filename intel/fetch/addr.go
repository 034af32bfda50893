package fetch

import (
	"net/netip"
	"strconv"
	"strings"
)

// rangeClass is one refused address range and the words for it.
type rangeClass struct {
	prefix netip.Prefix
	class  string
}

func mustPrefixes(pairs ...string) []rangeClass {
	out := make([]rangeClass, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, rangeClass{netip.MustParsePrefix(pairs[i]), pairs[i+1]})
	}
	return out
}

// Order matters: the first match names the class, so specific ranges (cloud
// metadata, broadcast) come before the ranges that contain them.
var refusedV4 = mustPrefixes(
	"169.254.169.254/32", "cloud metadata",
	"100.100.100.200/32", "cloud metadata",
	"255.255.255.255/32", "broadcast",
	"0.0.0.0/32", "unspecified",
	"0.0.0.0/8", "reserved (this network)",
	"10.0.0.0/8", "private",
	"100.64.0.0/10", "shared (CGNAT)",
	"127.0.0.0/8", "loopback",
	"169.254.0.0/16", "link-local",
	"172.16.0.0/12", "private",
	"192.0.0.0/24", "reserved (IETF protocol)",
	"192.0.2.0/24", "documentation",
	"192.88.99.0/24", "reserved (6to4 relay)",
	"192.168.0.0/16", "private",
	"198.18.0.0/15", "benchmarking",
	"198.51.100.0/24", "documentation",
	"203.0.113.0/24", "documentation",
	"224.0.0.0/4", "multicast",
	"240.0.0.0/4", "reserved",
)

var refusedV6 = mustPrefixes(
	"fd00:ec2::254/128", "cloud metadata",
	"::/128", "unspecified",
	"::1/128", "loopback",
	"64:ff9b:1::/48", "reserved (local NAT64)",
	"100::/64", "reserved (discard)",
	"2001::/32", "reserved (Teredo)",
	"2001:2::/48", "benchmarking",
	"2001:10::/28", "reserved (ORCHID)",
	"2001:20::/28", "reserved (ORCHID)",
	"2001:db8::/32", "documentation",
	"3fff::/20", "documentation",
	"fc00::/7", "unique-local",
	"fe80::/10", "link-local",
	"fec0::/10", "site-local",
	"ff00::/8", "multicast",
)

var (
	mapped4   = netip.MustParsePrefix("::ffff:0:0/96")
	compat4   = netip.MustParsePrefix("::/96")
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
	// IPv4-translated addresses (RFC 2765, ::ffff:0:a.b.c.d).
	translated4 = netip.MustParsePrefix("::ffff:0:0:0/96")
)

// Classify names the class of a non-public address ("loopback", "private",
// "link-local", "shared (CGNAT)", "unique-local", "unspecified", "multicast",
// "broadcast", "documentation", "benchmarking", "cloud metadata", "reserved
// …"), or returns "" for a public unicast address. IPv6 forms that embed an
// IPv4 address (mapped, compatible, NAT64, 6to4, translated) are judged by the
// embedded address.
func Classify(a netip.Addr) string {
	a = a.WithZone("")
	if !a.IsValid() {
		return "invalid"
	}
	if a.Is4() {
		for _, r := range refusedV4 {
			if r.prefix.Contains(a) {
				return r.class
			}
		}
		return ""
	}
	for _, r := range refusedV6 {
		if r.prefix.Contains(a) {
			return r.class
		}
	}
	b := a.As16()
	switch {
	case mapped4.Contains(a), compat4.Contains(a), nat64.Contains(a), translated4.Contains(a):
		return Classify(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	case sixToFour.Contains(a):
		return Classify(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
	}
	if !a.IsGlobalUnicast() {
		return "reserved"
	}
	return ""
}

// parseIP parses an IP address literal in any spelling that a resolver might
// accept: standard IPv4 and IPv6 (brackets and zones allowed), and the
// inet_aton forms of IPv4 — one to four parts, each decimal, octal (leading
// 0) or hexadecimal (0x), such as 2130706433, 0x7f.1 or 017700000001.
func parseIP(s string) (netip.Addr, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "["), "]")
	if s == "" {
		return netip.Addr{}, false
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.WithZone(""), true
	}
	return parseInetAton(s)
}

// parseInetAton parses s the way C's inet_aton does.
func parseInetAton(s string) (netip.Addr, bool) {
	s = strings.TrimSuffix(s, ".")
	parts := strings.Split(s, ".")
	if len(parts) == 0 || len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		if p == "" {
			return netip.Addr{}, false
		}
		base := 10
		digits := p
		switch {
		case len(p) > 1 && (p[:2] == "0x" || p[:2] == "0X"):
			base, digits = 16, p[2:]
			if digits == "" {
				digits = "0"
			}
		case len(p) > 1 && p[0] == '0':
			base, digits = 8, p[1:]
		}
		v, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	var n uint64
	last := len(vals) - 1
	for i := 0; i < last; i++ {
		if vals[i] > 0xff {
			return netip.Addr{}, false
		}
		n |= vals[i] << (24 - 8*uint(i))
	}
	if vals[last] >= 1<<(8*uint(4-last)) {
		return netip.Addr{}, false
	}
	n |= vals[last]
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}
