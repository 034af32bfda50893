package web

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics is the server's Prometheus registry and its collectors.
type metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	storeUp   prometheus.Gauge
	storePing prometheus.Histogram
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "kedai_http_requests_total", Help: "HTTP requests by method, route pattern and status.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "kedai_http_request_duration_seconds", Help: "HTTP request latency by method and route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		storeUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "kedai_store_up", Help: "1 when the last store ping answered, 0 when it failed.",
		}),
		storePing: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "kedai_store_ping_seconds", Help: "Store ping latency.",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 2},
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.storeUp, m.storePing,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observePing records one store ping.
func (m *metrics) observePing(d time.Duration, err error) {
	m.storePing.Observe(d.Seconds())
	if err != nil {
		m.storeUp.Set(0)
	} else {
		m.storeUp.Set(1)
	}
}

// Register adds collectors of other packages (the crawler, the alerts) to the server's registry.
func (s *Server) Register(cs ...prometheus.Collector) error {
	for _, c := range cs {
		if err := s.metrics.reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) handleMetrics() gin.HandlerFunc {
	h := promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{})
	return func(c *gin.Context) {
		// Refresh the store gauge so a scrape sees the current state.
		s.PingStore(c.Request.Context())
		h.ServeHTTP(c.Writer, c.Request)
	}
}

// pingStore pings the store with a short deadline and records the outcome.
func (s *Server) PingStore(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	start := time.Now()
	err := s.Deps.Store.Ping(ctx)
	s.metrics.observePing(time.Since(start), err)
	return err
}
