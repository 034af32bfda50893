package fetch

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"

	"kedaitong"
)

// Resolver looks up the addresses of a host name. *net.Resolver satisfies it;
// tests substitute their own to make names resolve to chosen addresses.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Guard is the crawler's SSRF guard. It refuses any destination that is not a
// public unicast address on port 80 or 443 reached over http or https, unless
// the operator allow-listed the host, the address or a network containing it.
// The guard is applied three times: when a source is added (CheckURL), on
// every redirect, and at dial time on the address actually connected to, so a
// name that resolves differently later (DNS rebinding) is still refused.
//
// A Guard is safe for concurrent use.
type Guard struct {
	hosts    map[string]bool // lower-case host names
	addrs    map[netip.Addr]bool
	prefixes []netip.Prefix
	resolver Resolver
}

// NewGuard parses the operator's allow list (the KEDAI_FETCH_ALLOW variable):
// comma-separated host names, IP addresses or CIDR networks. An allow-listed
// host, address or network is reachable on any port; nothing else is
// widened (allowing 127.0.0.1 does not allow 127.0.0.2).
func NewGuard(allow string) (*Guard, error) {
	g := &Guard{hosts: map[string]bool{}, addrs: map[netip.Addr]bool{}, resolver: net.DefaultResolver}
	for _, f := range strings.Split(allow, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, kedaitong.Invalid("KEDAI_FETCH_ALLOW", "%q is not a valid CIDR network", f).ZHf("%q 不是有效的 CIDR 网段", f)
			}
			g.prefixes = append(g.prefixes, p.Masked())
			continue
		}
		if a, ok := parseIP(strings.Trim(f, "[]")); ok {
			g.addrs[a.Unmap()] = true
			continue
		}
		h := strings.ToLower(strings.TrimSuffix(f, "."))
		if strings.ContainsAny(h, " :@?#") {
			return nil, kedaitong.Invalid("KEDAI_FETCH_ALLOW", "%q is not a host name, IP address or CIDR network", f).ZHf("%q 不是主机名、IP 地址或 CIDR 网段", f)
		}
		g.hosts[h] = true
	}
	return g, nil
}

// WithResolver returns a copy of g that resolves host names with r.
func (g *Guard) WithResolver(r Resolver) *Guard {
	c := *g
	c.resolver = r
	return &c
}

// CheckURL checks a URL before it is stored as a source: scheme, port, host
// name and every address the host resolves to. It returns a
// kedaitong.Invalid error on field "url" saying why the URL is refused, e.g.
// "host x resolves to an address that is not allowed" (never the address
// itself nor its kind).
func (g *Guard) CheckURL(ctx context.Context, rawURL string) error {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return kedaitong.Invalid("url", "not a valid URL").ZHf("URL 无效")
	}
	host, port, err := g.checkStatic(u)
	if err != nil {
		return err
	}
	if g.hostAllowed(host) {
		return nil
	}
	addrs, err := g.resolve(ctx, host)
	if err != nil {
		return kedaitong.Invalid("url", "host %s cannot be resolved", host).ZHf("无法解析主机 %s", host)
	}
	for _, a := range addrs {
		if reason := g.refusal(a, port, host); reason != "" {
			return kedaitong.Invalid("url", "%s", reason).ZHf("%s", refusalZH(a, port, host, g))
		}
	}
	return nil
}

// checkStatic checks what can be checked without resolving: scheme, host
// presence, names refused by themselves, the port, and an IP literal host. It
// returns the lower-case host and the effective port.
func (g *Guard) checkStatic(u *url.URL) (string, int, error) {
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return "", 0, kedaitong.Invalid("url", "scheme %q is not allowed: only http and https", u.Scheme).ZHf("不允许 %q 协议：只能使用 http 和 https", u.Scheme)
	}
	if u.User != nil {
		return "", 0, kedaitong.Invalid("url", "URLs with user credentials are not allowed").ZHf("不允许在 URL 中包含用户凭据")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "" {
		return "", 0, kedaitong.Invalid("url", "the URL has no host").ZHf("URL 中没有主机")
	}
	port := 80
	if scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return "", 0, kedaitong.Invalid("url", "port %q is not valid", p).ZHf("端口 %q 无效", p)
		}
		port = n
	}
	if g.hostAllowed(host) {
		return host, port, nil
	}
	if isMetadataName(host) {
		return "", 0, kedaitong.Invalid("url", "host %s is a cloud metadata service", host).ZHf("主机 %s 是云元数据服务", host)
	}
	if a, ok := parseIP(host); ok {
		if reason := g.refusal(a, port, host); reason != "" {
			return "", 0, kedaitong.Invalid("url", "%s", reason).ZHf("%s", refusalZH(a, port, host, g))
		}
	}
	return host, port, nil
}

// refusal says why the address a, dialled on port for host, is refused, or
// returns "" when it is allowed. host may be "" when unknown.
func (g *Guard) refusal(a netip.Addr, port int, host string) string {
	a = a.WithZone("")
	if g.addrAllowed(a) {
		return ""
	}
	if class := Classify(a); class != "" {
		// Never say what a name resolved to, nor what kind of address it
		// is: that would map the internal network for whoever asks.
		if host != "" {
			if _, literal := parseIP(host); !literal {
				return fmt.Sprintf("host %s resolves to an address that is not allowed: only public addresses can be fetched", host)
			}
			return fmt.Sprintf("address %s is not allowed: only public addresses can be fetched", host)
		}
		return "the address is not allowed: only public addresses can be fetched"
	}
	if port != 80 && port != 443 {
		return fmt.Sprintf("port %d is not allowed: only 80 and 443", port)
	}
	return ""
}

// refusalZH is refusal in Chinese (for a refused a, as refusal decided).
func refusalZH(a netip.Addr, port int, host string, g *Guard) string {
	if Classify(a.WithZone("")) != "" && !g.addrAllowed(a) {
		if _, literal := parseIP(host); host != "" && !literal {
			return fmt.Sprintf("出于安全考虑，主机 %s 解析到的地址不允许访问：只能访问公网地址", host)
		}
		return fmt.Sprintf("出于安全考虑，地址 %s 不允许访问：只能访问公网地址", host)
	}
	return fmt.Sprintf("端口 %d 不允许访问：只能使用 80 和 443", port)
}

func (g *Guard) hostAllowed(host string) bool {
	if g.hosts[host] {
		return true
	}
	if a, ok := parseIP(host); ok {
		return g.addrAllowed(a)
	}
	return false
}

func (g *Guard) addrAllowed(a netip.Addr) bool {
	a = a.WithZone("")
	u := a.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if g.addrs[a] || g.addrs[u] {
		return true
	}
	for _, p := range g.prefixes {
		if p.Contains(a) || p.Contains(u) {
			return true
		}
	}
	return false
}

// resolve returns the addresses of host: the literal itself when host is an
// IP address in any spelling, else the resolver's answer.
func (g *Guard) resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if a, ok := parseIP(host); ok {
		return []netip.Addr{a}, nil
	}
	addrs, err := g.resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", host, err)
	}
	if len(addrs) == 0 {
		return nil, fmt.Errorf("resolve %s: no addresses", host)
	}
	return addrs, nil
}

// dialContext resolves addr's host, checks every address and dials the first
// one that connects. It is the Transport's DialContext.
func (g *Guard) dialContext(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, portStr, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, &refusedError{msg: fmt.Sprintf("bad address %q", addr)}
		}
		host = strings.ToLower(strings.TrimSuffix(host, "."))
		port, err := strconv.Atoi(portStr)
		if err != nil {
			return nil, &refusedError{msg: fmt.Sprintf("bad port in %q", addr)}
		}
		named := g.hosts[host]
		if !named && isMetadataName(host) {
			return nil, &refusedError{msg: fmt.Sprintf("host %s is a cloud metadata service", host)}
		}
		addrs, err := g.resolve(ctx, host)
		if err != nil {
			return nil, err
		}
		if !named {
			for _, a := range addrs {
				if reason := g.refusal(a, port, host); reason != "" {
					return nil, &refusedError{msg: reason}
				}
			}
		}
		var first error
		for _, a := range addrs {
			c, err := d.DialContext(withDialHost(ctx, host), network, netip.AddrPortFrom(a, uint16(port)).String())
			if err == nil {
				return c, nil
			}
			if first == nil {
				first = err
			}
		}
		return nil, first
	}
}

type dialHostKey struct{}

func withDialHost(ctx context.Context, host string) context.Context {
	return context.WithValue(ctx, dialHostKey{}, host)
}

// control is the net.Dialer's ControlContext: a last check on the socket
// address actually connected to, so nothing reaches a refused address even if
// it slipped past name resolution.
func (g *Guard) control(ctx context.Context, network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refusedError{msg: fmt.Sprintf("bad address %q", address)}
	}
	if host, _ := ctx.Value(dialHostKey{}).(string); host != "" && g.hosts[host] {
		return nil
	}
	if reason := g.refusal(ap.Addr(), int(ap.Port()), ""); reason != "" {
		return &refusedError{msg: reason}
	}
	return nil
}

// refusedError is the guard's refusal at dial time.
type refusedError struct{ msg string }

func (e *refusedError) Error() string { return "refused: " + e.msg }

func isMetadataName(host string) bool {
	switch host {
	case "metadata.google.internal", "metadata", "metadata.goog", "instance-data", "instance-data.ec2.internal":
		return true
	}
	return false
}

// checkRedirect checks a redirect target fully, resolving its host.
func (g *Guard) checkRedirect(ctx context.Context, u *url.URL) error {
	if err := g.CheckURL(ctx, u.String()); err != nil {
		return errors.New(guardMessage(err))
	}
	return nil
}
