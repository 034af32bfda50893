package web

import (
	"github.com/prometheus/client_golang/prometheus"

	"kedaitong/internal/store"
)

// writeStatser is a store that counts its group-commit transactions (the
// embedded SQLite store).
type writeStatser interface {
	WriteStats() store.WriteStats
}

// registerStoreWrites exports the store's group-commit counters, when it
// has them: transactions committed and the writes they held (their ratio
// is the writes that shared each sync).
func (m *metrics) registerStoreWrites(st store.Store) {
	ws, ok := st.(writeStatser)
	if !ok {
		return
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "kedai_store_write_batches_total", Help: "Transactions committed by the store's writer (each one sync).",
		}, func() float64 { return float64(ws.WriteStats().Batches) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "kedai_store_write_ops_total", Help: "Write operations committed by the store's writer.",
		}, func() float64 { return float64(ws.WriteStats().Ops) }),
	)
}
