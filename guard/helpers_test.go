package guard_test

import (
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// gaugeValue is a prometheus.Collector reading back one gathered gauge.
type gaugeValue struct{ v float64 }

func (g gaugeValue) Describe(ch chan<- *prometheus.Desc) {}
func (g gaugeValue) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(prometheus.NewDesc("v", "v", nil, nil), prometheus.GaugeValue, g.v)
}

func collectorGauge(t *testing.T, reg *prometheus.Registry) prometheus.Collector {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var m *dto.MetricFamily
	for _, f := range families {
		if f.GetName() == "schemagate_schema_compatible" {
			m = f
		}
	}
	if m == nil {
		t.Fatal("schemagate_schema_compatible not gathered")
	}
	return gaugeValue{m.GetMetric()[0].GetGauge().GetValue()}
}
