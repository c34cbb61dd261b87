package runtime

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gqlplan/gqlplan/runtime/internal/operation"
)

// The handler's Prometheus metrics. Every label value comes from the plan
// (a root field's name) or from a fixed set (a kind, an error code), never
// from a request: a client choosing operation names or aliases cannot add
// a series. What is read at scrape time — the pool, live data, the plan —
// costs requests nothing.

// Labels of a root field that is not one of the plan's operations.
const (
	fieldIntrospection = "(introspection)" // __schema, __type
	fieldTypename      = "(typename)"      // __typename
	fieldNone          = "(none)"          // the request ended before its fields were known
)

// requestMetrics are what each request updates.
type requestMetrics struct {
	requests *prometheus.CounterVec   // by field, kind, code
	duration *prometheus.HistogramVec // by kind
	database *prometheus.HistogramVec // by kind
	// composed counts the requests whose statements were reused (hit) or
	// composed (miss), see composedCache.
	composed                  *prometheus.CounterVec
	composedHit, composedMiss prometheus.Counter
	reloads                   *prometheus.CounterVec // by result (see Reload)
	// trusted counts the documents requests sent, with trusted documents
	// on: one of the plan's, or not (see trusted.go).
	trusted   *prometheus.CounterVec
	trustedOf map[bool]prometheus.Counter
	// durationOf and databaseOf are the histograms' series by kind, found
	// once: a request looks up a map, not the vector's label hash.
	durationOf, databaseOf map[string]prometheus.Observer
}

func newRequestMetrics() requestMetrics {
	m := requestMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gqlplan_requests_total",
			Help: "GraphQL requests (each root field counts once; subscriptions count each read), by the plan's root field, kind and outcome code (OK or the first error's extensions.code).",
		}, []string{"field", "kind", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gqlplan_request_duration_seconds",
			Help:    "Time from reading a request to its answer being written (a subscription's read: to its result), by kind.",
			Buckets: buckets,
		}, []string{"kind"}),
		database: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gqlplan_database_duration_seconds",
			Help:    "Time a request's statements took, from taking a pool connection to the last result read, by kind.",
			Buckets: buckets,
		}, []string{"kind"}),
		composed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gqlplan_composed_statements_total",
			Help: "Requests whose statements were reused from an earlier request of the same shape (hit) or composed (miss).",
		}, []string{"result"}),
	}
	m.reloads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gqlplan_plan_reloads_total",
		Help: "Plan reloads (SIGHUP, --watch-plan), by result: swapped (a new plan serves), unchanged (the same plan), refused (it did not load or match the database; the old one serves on).",
	}, []string{"result"})
	for _, result := range []string{reloadSwapped, reloadUnchanged, reloadRefused} {
		m.reloads.WithLabelValues(result)
	}
	m.trusted = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gqlplan_documents_total",
		Help: "Requests' documents with --trusted-documents allow or only, by whether they were trusted (one of the plan's) or not (served under allow, refused under only but for introspection).",
	}, []string{"trusted"})
	m.trustedOf = map[bool]prometheus.Counter{true: m.trusted.WithLabelValues("yes"), false: m.trusted.WithLabelValues("no")}
	m.composedHit, m.composedMiss = m.composed.WithLabelValues("hit"), m.composed.WithLabelValues("miss")
	m.durationOf, m.databaseOf = map[string]prometheus.Observer{}, map[string]prometheus.Observer{}
	for _, kind := range []string{"query", "mutation", "subscription", fieldNone} {
		m.durationOf[kind], m.databaseOf[kind] = m.duration.WithLabelValues(kind), m.database.WithLabelValues(kind)
	}
	return m
}

// buckets are the histograms' bounds, in seconds.
var buckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// observe counts a finished request.
func (m requestMetrics) observe(out outcome, took time.Duration) {
	kind := out.kind
	if kind == "" {
		kind = fieldNone
	}
	m.durationOf[kind].Observe(took.Seconds())
	requestCode := "OK"
	if len(out.Errors) > 0 && out.Errors[0].Code != "" {
		requestCode = out.Errors[0].Code
	}
	if len(out.fields) == 0 {
		m.requests.WithLabelValues(fieldNone, kind, requestCode).Inc()
		return
	}
	executed := out.Response != nil && out.Data != nil
	for _, f := range out.fields {
		code := requestCode // refused, or failed as a whole
		if executed {
			code = "OK"
			if f.err != nil && f.err.Code != "" {
				code = f.err.Code
			}
		}
		m.requests.WithLabelValues(f.label, kind, code).Inc()
	}
}

// kindName is the kind label of an operation.
func kindName(k operation.Kind) string {
	switch k {
	case operation.Mutation:
		return "mutation"
	case operation.Subscription:
		return "subscription"
	}
	return "query"
}

// Collector is the handler's metrics, for a Prometheus registry: the
// requests, and — read when scraped — the pool, live data and the plan.
// Requests are counted from the first call on: without a registry,
// nothing is spent on them.
func (h *Handler) Collector() prometheus.Collector {
	h.metricsOn.Store(true)
	return handlerCollector{h}
}

type handlerCollector struct{ h *Handler }

var (
	descPool = map[string]*prometheus.Desc{
		"acquired": prometheus.NewDesc("gqlplan_pool_connections_acquired", "Pool connections in use by a request now.", nil, nil),
		"idle":     prometheus.NewDesc("gqlplan_pool_connections_idle", "Pool connections idle now.", nil, nil),
		"total":    prometheus.NewDesc("gqlplan_pool_connections", "Pool connections open now (acquired, idle and being opened).", nil, nil),
		"max":      prometheus.NewDesc("gqlplan_pool_connections_max", "The pool's size.", nil, nil),
	}
	descAcquires       = prometheus.NewDesc("gqlplan_pool_acquires_total", "Connections taken from the pool.", nil, nil)
	descAcquireWaits   = prometheus.NewDesc("gqlplan_pool_acquire_waits_total", "Connections taken from the pool after waiting for one (none was idle).", nil, nil)
	descAcquireCancels = prometheus.NewDesc("gqlplan_pool_acquire_canceled_total", "Waits for a pool connection that ended without one (the pool timeout, or the request's end).", nil, nil)
	descAcquireSeconds = prometheus.NewDesc("gqlplan_pool_acquire_seconds_total", "Time spent taking connections from the pool.", nil, nil)
	descLiveGroups     = prometheus.NewDesc("gqlplan_subscription_groups", "Groups of subscribers that share reads now.", nil, nil)
	descSubscribers    = prometheus.NewDesc("gqlplan_subscriptions", "Subscriptions served now.", nil, nil)
	descConnections    = prometheus.NewDesc("gqlplan_live_connections", "WebSockets and event streams open now.", nil, nil)
	descSharedPipes    = prometheus.NewDesc("gqlplan_subscription_pipelines_total", "Pipelines subscriptions' reads were sent in.", nil, nil)
	descSharedReads    = prometheus.NewDesc("gqlplan_subscription_reads_total", "Subscriptions' reads sent in shared pipelines.", nil, nil)
	descQueryPipes     = prometheus.NewDesc("gqlplan_query_pipelines_total", "With --pipelining: pipelines queries were sent in.", nil, nil)
	descPipelined      = prometheus.NewDesc("gqlplan_pipelined_queries_total", "With --pipelining: queries sent in pipelines (their ratio to the pipelines is the requests one round trip carried).", nil, nil)
	descPipeRefused    = prometheus.NewDesc("gqlplan_pipeline_refused_total", "With --pipelining: queries refused because no pipeline took them within the pool timeout (as gqlplan_pool_acquire_canceled_total counts a lone query's wait).", nil, nil)
	descPlan           = prometheus.NewDesc("gqlplan_plan_info", "The plan served: its hash and format.", []string{"hash", "format"}, nil)
	descTokenCache     = prometheus.NewDesc("gqlplan_token_cache_total", "Bearer tokens answered from the verifier's memory (hit) or verified (miss).", []string{"result"}, nil)
	descReplicaInUse   = prometheus.NewDesc("gqlplan_replica_in_use", "1 while a read replica serves queries, 0 while it is taken out (down, lagging or promoted).", []string{"replica"}, nil)
	descReplicaLag     = prometheus.NewDesc("gqlplan_replica_lag_seconds", "How far a read replica's replay is behind the primary's log, at its last probe.", []string{"replica"}, nil)
	descReplicaReads   = prometheus.NewDesc("gqlplan_replica_reads_total", "Queries served by each read replica, and by the primary (server=\"primary\") when none could.", []string{"server"}, nil)
	descRetries        = prometheus.NewDesc("gqlplan_database_retries_total", "Requests run again on a fresh connection after theirs died under them (a restarted server).", nil, nil)
)

func (c handlerCollector) Describe(ch chan<- *prometheus.Desc) {
	c.h.metrics.requests.Describe(ch)
	c.h.metrics.duration.Describe(ch)
	c.h.metrics.database.Describe(ch)
	c.h.metrics.composed.Describe(ch)
	c.h.metrics.reloads.Describe(ch)
	c.h.metrics.trusted.Describe(ch)
	for _, d := range descPool {
		ch <- d
	}
	for _, d := range []*prometheus.Desc{descAcquires, descAcquireWaits, descAcquireCancels, descAcquireSeconds,
		descLiveGroups, descSubscribers, descConnections, descSharedPipes, descSharedReads, descQueryPipes, descPipelined, descPipeRefused, descPlan, descRetries, descTokenCache,
		descReplicaInUse, descReplicaLag, descReplicaReads} {
		ch <- d
	}
}

func (c handlerCollector) Collect(ch chan<- prometheus.Metric) {
	h := c.h.current.Load() // the plan served now
	h.metrics.requests.Collect(ch)
	h.metrics.duration.Collect(ch)
	h.metrics.database.Collect(ch)
	h.metrics.composed.Collect(ch)
	h.metrics.reloads.Collect(ch)
	h.metrics.trusted.Collect(ch)
	ch <- prometheus.MustNewConstMetric(descRetries, prometheus.CounterValue, float64(h.exec.Retries()))
	if h.replicas != nil {
		replicas, primary := h.replicas.set.Status()
		for _, r := range replicas {
			inUse := 0.0
			if r.InUse {
				inUse = 1
			}
			ch <- prometheus.MustNewConstMetric(descReplicaInUse, prometheus.GaugeValue, inUse, r.Name)
			ch <- prometheus.MustNewConstMetric(descReplicaLag, prometheus.GaugeValue, r.Lag.Seconds(), r.Name)
			ch <- prometheus.MustNewConstMetric(descReplicaReads, prometheus.CounterValue, float64(r.Served), r.Name)
		}
		ch <- prometheus.MustNewConstMetric(descReplicaReads, prometheus.CounterValue, float64(primary), "primary")
	}
	hits, misses := h.cfg.Verifier.CacheStats()
	ch <- prometheus.MustNewConstMetric(descTokenCache, prometheus.CounterValue, float64(hits), "hit")
	ch <- prometheus.MustNewConstMetric(descTokenCache, prometheus.CounterValue, float64(misses), "miss")
	if pool := h.cfg.Pool; pool != nil {
		st := pool.Stat()
		gauge := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
		}
		gauge(descPool["acquired"], float64(st.AcquiredConns()))
		gauge(descPool["idle"], float64(st.IdleConns()))
		gauge(descPool["total"], float64(st.TotalConns()))
		gauge(descPool["max"], float64(st.MaxConns()))
		counter(descAcquires, float64(st.AcquireCount()))
		counter(descAcquireWaits, float64(st.EmptyAcquireCount()))
		counter(descAcquireCancels, float64(st.CanceledAcquireCount()))
		counter(descAcquireSeconds, st.AcquireDuration().Seconds())
	}
	live := h.Stats()
	ch <- prometheus.MustNewConstMetric(descLiveGroups, prometheus.GaugeValue, float64(live.LiveGroups))
	ch <- prometheus.MustNewConstMetric(descSubscribers, prometheus.GaugeValue, float64(live.Subscribers))
	ch <- prometheus.MustNewConstMetric(descConnections, prometheus.GaugeValue, float64(h.streaming.Load()))
	ch <- prometheus.MustNewConstMetric(descSharedPipes, prometheus.CounterValue, float64(live.SharedPipelines))
	ch <- prometheus.MustNewConstMetric(descSharedReads, prometheus.CounterValue, float64(live.SharedReads))
	ch <- prometheus.MustNewConstMetric(descQueryPipes, prometheus.CounterValue, float64(live.QueryPipelines))
	ch <- prometheus.MustNewConstMetric(descPipelined, prometheus.CounterValue, float64(live.PipelinedQueries))
	ch <- prometheus.MustNewConstMetric(descPipeRefused, prometheus.CounterValue, float64(live.PipelineRefused))
	ch <- prometheus.MustNewConstMetric(descPlan, prometheus.GaugeValue, 1, h.cfg.Plan.Hash, strconv.Itoa(h.cfg.Plan.Format))
}
