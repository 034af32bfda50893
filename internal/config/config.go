// Package config is the server's configuration: one table of options, each
// settable by a command-line flag or a KEDAI_* environment variable (a flag
// wins), with defaults and validation in one place.
package config

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config holds every option of the server and the workers.
type Config struct {
	Addr           string        // listen address
	DataDir        string        // folder of the embedded store
	MongoURI       string        // MongoDB URI; empty means the embedded store
	Demo           bool          // seed demo data into an empty store
	Crawl          bool          // run the crawler inside the server
	FetchAllow     string        // hosts, IPs or CIDRs the crawler and webhooks may reach although not public
	TrustedProxies string        // comma-separated proxies whose X-Forwarded-For is believed
	LogLevel       string        // debug, info, warn, error
	ShutdownGrace  time.Duration // how long a shutdown waits for requests to drain
	SecureCookies  bool          // mark cookies Secure (__Host-) behind a TLS-terminating proxy
	RateLimit      float64       // API requests a second per client address; 0 = no limit
	// RateLimitLoopback limits loopback clients too (tests; not an option).
	RateLimitLoopback bool
	RereviewMonths    int // months from a granted loan's decision to its technical re-review
}

// TrustedProxyList splits TrustedProxies.
func (c Config) TrustedProxyList() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Option describes one setting for the README and --help.
type Option struct {
	Flag, Env, Default, Usage string
}

// Options is the table of every option. The flag names and environment
// variables are part of the public contract.
var Options = []Option{
	{Flag: "addr", Env: "KEDAI_ADDR", Default: ":8080", Usage: "address the server listens on"},
	{Flag: "data", Env: "KEDAI_DATA", Default: "./data", Usage: "folder of the embedded SQLite store"},
	{Flag: "mongodb-uri", Env: "KEDAI_MONGODB_URI", Default: "", Usage: "MongoDB URI (replica set or sharded cluster); empty runs on the embedded store"},
	{Flag: "demo", Env: "KEDAI_DEMO", Default: "false", Usage: "seed demo users, experts, applications and sample feeds into an empty store"},
	{Flag: "crawl", Env: "KEDAI_CRAWL", Default: "true", Usage: "run the news crawler inside the server (false when `kedaitong crawl` workers do it)"},
	{Flag: "fetch-allow", Env: "KEDAI_FETCH_ALLOW", Default: "", Usage: "comma-separated hosts, IPs or CIDRs the crawler and webhooks may reach although not public"},
	{Flag: "trusted-proxies", Env: "KEDAI_TRUSTED_PROXIES", Default: "", Usage: "comma-separated proxy IPs or CIDRs whose X-Forwarded-For is believed"},
	{Flag: "secure-cookies", Env: "KEDAI_SECURE_COOKIES", Default: "false", Usage: "mark session cookies Secure (__Host- prefix) when TLS ends at a proxy in front"},
	{Flag: "rate-limit", Env: "KEDAI_RATE_LIMIT", Default: "50", Usage: "API requests a second one client address may make, bursts up to four times that (0: no limit)"},
	{Flag: "rereview-months", Env: "KEDAI_REREVIEW_MONTHS", Default: "12", Usage: "months from a granted loan's lending decision to its technical re-review"},
	{Flag: "log-level", Env: "KEDAI_LOG_LEVEL", Default: "info", Usage: "debug, info, warn or error"},
	{Flag: "shutdown-grace", Env: "KEDAI_SHUTDOWN_GRACE", Default: "15s", Usage: "how long a shutdown waits for requests in flight"},
}

// Register adds the named options (all when names is empty) to fs. Parse
// the flag set, then call Load to resolve flags, environment and defaults.
func Register(fs *flag.FlagSet, names ...string) {
	for _, o := range Options {
		if len(names) > 0 && !contains(names, o.Flag) {
			continue
		}
		usage := fmt.Sprintf("%s (env %s, default %q)", o.Usage, o.Env, o.Default)
		if o.Default == "true" || o.Default == "false" {
			fs.Var(new(boolValue), o.Flag, usage)
		} else {
			fs.String(o.Flag, "", usage)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Load resolves every option: a flag set on fs wins, then the environment
// variable, then the default. getenv is os.Getenv in production.
func Load(fs *flag.FlagSet, getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	val := map[string]string{}
	for _, o := range Options {
		v := o.Default
		if e := getenv(o.Env); e != "" {
			v = e
		}
		if fs != nil {
			if f := fs.Lookup(o.Flag); f != nil && isSet(fs, o.Flag) {
				v = f.Value.String()
			}
		}
		val[o.Flag] = strings.TrimSpace(v)
	}
	c := Config{
		Addr:           val["addr"],
		DataDir:        val["data"],
		MongoURI:       val["mongodb-uri"],
		FetchAllow:     val["fetch-allow"],
		TrustedProxies: val["trusted-proxies"],
		LogLevel:       strings.ToLower(val["log-level"]),
	}
	var err error
	if c.Demo, err = parseBool("demo", val["demo"]); err != nil {
		return c, err
	}
	if c.SecureCookies, err = parseBool("secure-cookies", val["secure-cookies"]); err != nil {
		return c, err
	}
	if c.Crawl, err = parseBool("crawl", val["crawl"]); err != nil {
		return c, err
	}
	if c.RateLimit, err = strconv.ParseFloat(val["rate-limit"], 64); err != nil || c.RateLimit < 0 || c.RateLimit > 1e6 {
		return c, fmt.Errorf("--rate-limit: %q is not a number of requests a second (0 for no limit)", val["rate-limit"])
	}
	if c.RereviewMonths, err = strconv.Atoi(val["rereview-months"]); err != nil || c.RereviewMonths < 1 || c.RereviewMonths > 120 {
		return c, fmt.Errorf("--rereview-months: %q is not a number of months from 1 to 120", val["rereview-months"])
	}
	if c.ShutdownGrace, err = time.ParseDuration(val["shutdown-grace"]); err != nil || c.ShutdownGrace < 0 {
		return c, fmt.Errorf("--shutdown-grace: %q is not a duration such as 15s", val["shutdown-grace"])
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c, fmt.Errorf("--log-level: %q is not one of debug, info, warn, error", c.LogLevel)
	}
	if c.Addr == "" {
		return c, fmt.Errorf("--addr must not be empty")
	}
	if c.DataDir == "" && c.MongoURI == "" {
		return c, fmt.Errorf("--data must not be empty")
	}
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		return c, fmt.Errorf("--mongodb-uri must start with mongodb:// or mongodb+srv://")
	}
	return c, nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

func parseBool(name, v string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("--%s: %q is not true or false", name, v)
	}
	return b, nil
}

// boolValue is a flag that may be given bare (--demo) or with a value (--crawl=false).
type boolValue string

func (b *boolValue) String() string     { return string(*b) }
func (b *boolValue) Set(s string) error { *b = boolValue(s); return nil }
func (b *boolValue) IsBoolFlag() bool   { return true }
