package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Gateway is the MCP gateway's instruments: tool calls by server and
// outcome, their latency, upstream process events and processes by state.
type Gateway struct {
	calls   *prometheus.CounterVec
	latency *prometheus.HistogramVec
	events  *prometheus.CounterVec
}

// processStates are the states a process gauge is kept for, so that every
// series exists from the start (a dashboard shows 0, not a gap).
var processStates = []string{"starting", "ready", "draining", "stopping", "stopped", "failed", "circuit_open"}

// NewGateway registers the gateway's instruments. states is read at each
// scrape and gives the number of upstream processes in each state.
func (m *Metrics) NewGateway(states func() map[string]int) *Gateway {
	g := &Gateway{
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "smg", Subsystem: "gateway", Name: "tool_calls_total",
			Help: "Tool calls, by upstream server and outcome (ok, tool_error, blocked, withheld, unavailable, at_capacity, timeout, cancelled, unknown_tool, upstream_fail).",
		}, []string{"server", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "smg", Subsystem: "gateway", Name: "tool_call_duration_seconds",
			Help:    "Tool call latency through the gateway, checks included, by upstream server and outcome.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"server", "outcome"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "smg", Subsystem: "gateway", Name: "upstream_process_events_total",
			Help: "Upstream process events, by server and kind (started, start_failed, stopped, crashed); restarts are the starts after a crash.",
		}, []string{"server", "kind"}),
	}
	m.registry.MustRegister(g.calls, g.latency, g.events, processCollector{states: states,
		desc: prometheus.NewDesc("smg_gateway_upstream_processes", "Upstream processes, by state.", []string{"state"}, nil)})
	return g
}

// processCollector reads the process states once per scrape.
type processCollector struct {
	desc   *prometheus.Desc
	states func() map[string]int
}

func (c processCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c processCollector) Collect(ch chan<- prometheus.Metric) {
	counts := c.states()
	for _, state := range processStates {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[state]), state)
	}
}

// ObserveToolCall records one finished tool call.
func (g *Gateway) ObserveToolCall(server, outcome string, elapsed time.Duration) {
	g.calls.WithLabelValues(server, outcome).Inc()
	g.latency.WithLabelValues(server, outcome).Observe(elapsed.Seconds())
}

// ObserveProcessEvent records an upstream process event.
func (g *Gateway) ObserveProcessEvent(server, kind string) {
	g.events.WithLabelValues(server, kind).Inc()
}
