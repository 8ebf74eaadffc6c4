package guard

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the guard's Prometheus metrics. They carry no labels: one
// guard guards one release, and per-instance or per-table labels would be
// unbounded.
type metrics struct {
	compatible prometheus.Gauge
	duration   prometheus.Histogram
	failures   prometheus.Counter
}

func newMetrics() *metrics {
	return &metrics{
		compatible: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "schemagate_schema_compatible",
			Help: "1 when the live database schema can serve this release, else 0.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "schemagate_check_duration_seconds",
			Help:    "Time taken by schema checks, full and unchanged-schema re-checks alike.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "schemagate_check_failures_total",
			Help: "Schema checks that found the schema incompatible or could not be made.",
		}),
	}
}

func (m *metrics) observe(d time.Duration, compatible bool) {
	m.duration.Observe(d.Seconds())
	if compatible {
		m.compatible.Set(1)
	} else {
		m.compatible.Set(0)
		m.failures.Inc()
	}
}

// Collector returns the guard's metrics for the service to register:
//
//	prometheus.MustRegister(g.Collector())
func (g *Guard) Collector() prometheus.Collector { return collector{g.metrics} }

type collector struct{ m *metrics }

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	c.m.compatible.Describe(ch)
	c.m.duration.Describe(ch)
	c.m.failures.Describe(ch)
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	c.m.compatible.Collect(ch)
	c.m.duration.Collect(ch)
	c.m.failures.Collect(ch)
}
