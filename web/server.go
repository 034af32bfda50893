// Package web is the core of the platform's HTTP face, shared by the JSON
// API (web/api) and the server-rendered pages (web/ui): the Server and its
// middleware (request ids, access log, recovery, metrics, security headers,
// rate limit), authentication and the Casbin guard on every route, strict
// JSON decoding and body limits, list paging, i18n, the OpenAPI document,
// health and readiness, and the one table mapping the domain's error codes
// to HTTP statuses (errors.go). It imports the domain packages and the
// store interface, never web/api, web/ui or app.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/alerts"
	"kedaitong/audit"
	"kedaitong/banks"
	"kedaitong/consult"
	"kedaitong/dashboard"
	"kedaitong/enterprises"
	"kedaitong/experts"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/internal/store"
	"kedaitong/notify"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/rereview"
	"kedaitong/review/scoring"
	"kedaitong/riskmap"
)

// Deps are what the server serves.
type Deps struct {
	Store    store.Store
	Logger   *slog.Logger
	Version  string
	Identity *identity.Service
	RBAC     Authorizer
	Policy   PolicyAdmin
	Banks    *banks.Service
	Experts  *experts.Service
	Intel    *intel.Service
	// Corrections are the analysts' label corrections of news items.
	Corrections *intel.Corrections
	Review      *review.Service
	Consult     *consult.Service // consultations
	Notify      *notify.Service  // in-app notifications
	Panel       *panel.Service
	Scoring     *scoring.Service // rubric, scores, panel reports
	Riskmap     *riskmap.Service // the industry risk map and banks' exposure
	Alerts      *alerts.Service  // alert rules, inbox and webhooks
	Audit       AuditRecorder
	AuditLog    *audit.Log
	// ReadyChecks are further conditions of readiness (/readyz answers 503
	// with the first one's error), e.g. that audit entries are being written.
	ReadyChecks []func(context.Context) error
	// Dashboard is the officials' dashboard (counters kept on write).
	Dashboard *dashboard.Service
	Rereview  *rereview.Service // re-review of loan holders
	// Enterprises is the data hub: portraits, endorsements, roadshows, docking.
	Enterprises *enterprises.Service
	Fund        *fund.Service // the risk-compensation fund: pools, loans, claims, KPIs
	// SecureCookies marks cookies Secure (and __Host-) even without TLS at
	// this server, for deployments behind a TLS-terminating proxy.
	SecureCookies bool
	// TrustedProxies are the proxies whose X-Forwarded-For is believed.
	TrustedProxies []string
	// RateLimit is the API requests a second one client address may make
	// (bursts up to four times that); 0 turns the limit off.
	RateLimit float64
	// RateLimitLoopback limits loopback clients too. By default they are
	// not limited: a loopback caller is the operator's own tooling, and
	// traffic through a local reverse proxy is limited by the real client
	// address once the proxy is trusted (TrustedProxies).
	RateLimitLoopback bool
}

// Server is the HTTP server.
type Server struct {
	Deps     Deps
	engine   *gin.Engine
	metrics  *metrics
	routes   []Route
	uiRoutes []UIRoute
	v1       *gin.RouterGroup
	// NotFoundPage answers a page path that matches no route (set by the UI;
	// without it such paths get the JSON 404).
	NotFoundPage gin.HandlerFunc
	draining     atomic.Bool // shutting down: readyz answers 503
}

// UIRoute is a page route with its access rule, like the API's.
type UIRoute struct {
	Method, Path string
	Public       bool
	Obj, Act     string
	Upload       bool // a form that sends a file: the upload limit (plus room for the form's fields), not the form limit
}

// Part registers one face of the server (the JSON API, the pages) on it.
type Part func(s *Server) error

// Route is one documented API route.
type Route struct {
	Method  string
	Path    string // gin pattern, e.g. /api/v1/experts/:id
	Summary string
	Tag     string
	Public  bool   // reachable without logging in
	Obj     string // the kind of object, for Casbin (e.g. "application")
	Act     string // the action on it (e.g. "read", "create")
	Upload  bool   // takes a body up to the upload limit instead of the JSON limit
	handler gin.HandlerFunc
}

// New builds the server: its middleware, health and metrics routes, the
// OpenAPI document, then each part's routes (web/api, web/ui).
func New(d Deps, parts ...Part) (*Server, error) {
	if d.Store == nil || d.Identity == nil || d.RBAC == nil {
		return nil, errors.New("web: a store, an identity service and an authorizer are required")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{Deps: d, metrics: newMetrics()}
	s.metrics.registerStoreWrites(d.Store)

	// Every middleware of the server, in order, in this one place.
	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.ContextWithFallback = true
	if err := e.SetTrustedProxies(d.TrustedProxies); err != nil {
		return nil, fmt.Errorf("web: trusted proxies: %w", err)
	}
	e.Use(
		requestIDs(),
		accessLog(d.Logger),
		recovery(d.Logger),
		s.metrics.instrument(),
		securityHeaders(d.SecureCookies),
		s.auditDenials(),
	)
	if d.RateLimit > 0 {
		l := newRateLimiter(d.RateLimit, int(math.Max(4*d.RateLimit, 1)))
		l.loopback = d.RateLimitLoopback
		e.Use(l.middleware())
	}
	e.NoRoute(s.noRoute)
	e.NoMethod(s.noMethod)
	s.engine = e

	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.handleMetrics())
	s.v1 = e.Group("/api/v1")
	s.API(s.v1, Route{Method: http.MethodGet, Path: "/openapi.json", Summary: "This API's OpenAPI 3 document", Tag: "meta", Public: true}, s.openAPI)
	for _, p := range parts {
		if err := p(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Engine is the gin engine the parts register pages on.
func (s *Server) Engine() *gin.Engine { return s.engine }

// V1 is the /api/v1 route group.
func (s *Server) V1() *gin.RouterGroup { return s.v1 }

// AddUIRoute records a page route with its rule (UIRoutes lists them).
func (s *Server) AddUIRoute(r UIRoute) { s.uiRoutes = append(s.uiRoutes, r) }

// UIRoutes returns the page routes with their rules (for tests).
func (s *Server) UIRoutes() []UIRoute { return s.uiRoutes }

// Handler returns the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Routes returns the documented API routes.
func (s *Server) Routes() []Route { return s.routes }

// EngineRoutes lists every route gin has registered (for tests).
func (s *Server) EngineRoutes() gin.RoutesInfo { return s.engine.Routes() }

// api registers an API route under its group and documents it.
func (s *Server) API(g *gin.RouterGroup, r Route, h gin.HandlerFunc) {
	r.Path = strings.TrimSuffix(g.BasePath(), "/") + r.Path
	r.handler = h
	if !r.Public && (r.Obj == "" || r.Act == "") {
		panic("web: route " + r.Method + " " + r.Path + " has no access rule: give it Obj and Act, or mark it Public")
	}
	s.routes = append(s.routes, r)
	limit := int64(MaxJSONBody)
	if r.Upload {
		limit = MaxUploadBody
	}
	g.Handle(r.Method, strings.TrimPrefix(r.Path, g.BasePath()), LimitBody(limit), s.Guard(r), h)
}

func (s *Server) noRoute(c *gin.Context) {
	if isAPI(c.Request.URL.Path) {
		AbortWithError(c, kedaitong.Errorf(kedaitong.ENotFound, "no such route: %s %s", c.Request.Method, c.Request.URL.Path).ZHf("没有这个路由：%s %s", c.Request.Method, c.Request.URL.Path))
		return
	}
	if s.NotFoundPage != nil {
		s.NotFoundPage(c)
		return
	}
	AbortWithError(c, kedaitong.Errorf(kedaitong.ENotFound, "no such page: %s", c.Request.URL.Path).ZHf("没有这个页面：%s", c.Request.URL.Path))
}

func (s *Server) noMethod(c *gin.Context) {
	AbortWithError(c, &kedaitong.Error{Code: codeMethodNotAllowed, Message: "method " + c.Request.Method + " is not allowed on " + c.Request.URL.Path, ZH: c.Request.URL.Path + " 不支持 " + c.Request.Method + " 方法"})
}

func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }

func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

func (s *Server) readyz(c *gin.Context) {
	if s.draining.Load() {
		c.Header("Connection", "close")
		AbortWithError(c, kedaitong.Errorf(kedaitong.EUnavailable, "the server is shutting down").ZHf("服务器正在关闭"))
		return
	}
	if err := s.PingStore(c.Request.Context()); err != nil {
		AbortWithError(c, kedaitong.Wrap(kedaitong.EUnavailable, err, "the store is unreachable").ZHf("无法连接存储"))
		return
	}
	// Ready means able to save: a small write probe (cached for 2 s), which
	// fails when the disk is full or the database is read-only.
	if err := s.Deps.Store.Writable(c.Request.Context()); err != nil {
		if kedaitong.ErrorCode(err) != kedaitong.EUnavailable {
			err = kedaitong.Wrap(kedaitong.EUnavailable, err, "the store cannot accept writes").ZHf("存储无法写入")
		}
		AbortWithError(c, err)
		return
	}
	for _, check := range s.Deps.ReadyChecks {
		if err := check(c.Request.Context()); err != nil {
			AbortWithError(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "store": s.Deps.Store.Backend()})
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully:
// it stops accepting (readyz answers 503 to connections still open), lets
// requests in flight finish within grace, closes the connections still
// busy after it, and returns nil: a requested shutdown is not a failure.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	if grace <= 0 {
		grace = 15 * time.Second
	}
	hs := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Deps.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	hs.SetKeepAlivesEnabled(false)
	started := time.Now()
	s.Deps.Logger.Info("shutting down: no new connections, waiting for requests in flight", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		s.Deps.Logger.Warn("requests still in flight after the shutdown grace: closing their connections", "grace", grace.String())
		err = hs.Close()
	}
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	s.Deps.Logger.Info("HTTP server stopped", "took", time.Since(started).Round(time.Millisecond).String())
	return err
}

// PolicyAdmin changes the access policy (package rbac's enforcer).
type PolicyAdmin interface {
	Policy() ([][]string, error)
	AddPolicy(ctx context.Context, role, domain, obj, act string) error
	RemovePolicy(ctx context.Context, role, domain, obj, act string) error
}
