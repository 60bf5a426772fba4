package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// scenario is one kind of request, repeated by every connection.
type scenario struct {
	method string
	want   int
	// request returns the path and body of the i-th request of worker w.
	request func(f *fixture, w, i int) (string, []byte)
	users   bool
}

var scenarios = map[string]scenario{
	"get-config": {method: "GET", want: http.StatusOK, request: func(f *fixture, w, i int) (string, []byte) {
		return "/api/v1/configs/" + f.configIDs[(w*7919+i)%len(f.configIDs)], nil
	}},
	"list-configs": {method: "GET", want: http.StatusOK, request: func(*fixture, int, int) (string, []byte) {
		return "/api/v1/configs?limit=50", nil
	}},
	"first-config": {method: "GET", want: http.StatusOK, request: func(*fixture, int, int) (string, []byte) {
		return "/api/v1/configs?limit=1", nil
	}},
	"list-api-keys": {method: "GET", want: http.StatusOK, request: func(*fixture, int, int) (string, []byte) {
		return "/api/v1/api-keys", nil // every key, unpaged
	}},
	"list-all-users": {method: "GET", want: http.StatusOK, users: true, request: func(*fixture, int, int) (string, []byte) {
		return "/api/v1/users", nil // every user, unpaged
	}},
	"create-config": {method: "POST", want: http.StatusCreated, request: func(f *fixture, w, i int) (string, []byte) {
		return "/api/v1/configs", fmt.Appendf(nil, `{"config_name": "load-%s-%d-%d"}`, f.run, w, i)
	}},
	"get-user": {method: "GET", want: http.StatusOK, users: true, request: func(f *fixture, w, i int) (string, []byte) {
		return "/api/v1/users/" + f.userIDs[(w*7919+i)%len(f.userIDs)], nil
	}},
	"list-users": {method: "GET", want: http.StatusOK, users: true, request: func(*fixture, int, int) (string, []byte) {
		return "/api/v1/users?limit=50", nil
	}},
	"create-user": {method: "POST", want: http.StatusCreated, request: func(f *fixture, w, i int) (string, []byte) {
		return "/api/v1/users", fmt.Appendf(nil, `{"email": "load-%s-%d-%d@example.com"}`, f.run, w, i)
	}},
}

var defaultScenarios = []string{"get-config", "list-configs", "create-config", "get-user", "list-users", "create-user"}

func scenarioNames() []string {
	names := make([]string, 0, len(scenarios))
	for name := range scenarios {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// client sends requests with the admin key over a pool of keep-alive
// connections, one per worker.
type client struct {
	http *http.Client
	base string
	key  string
}

func newClient(base, key string, conns int) *client {
	t := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	// A whole list may wait its turn behind others for longer than an
	// ordinary request takes: the run's own duration bounds every request.
	return &client{http: &http.Client{Transport: t, Timeout: maxDuration}, base: base, key: key}
}

// do sends one request, reads the whole answer and returns its status and body.
func (c *client) do(ctx context.Context, method, path string, body []byte) (int, []byte, error) {
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, reader)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	return res.StatusCode, raw, err
}

// result is what one scenario measured.
type result struct {
	name     string
	requests int
	errors   int
	firstErr string
	elapsed  time.Duration
	lat      []time.Duration
}

func (r result) rate() float64 { return float64(r.requests) / r.elapsed.Seconds() }

func (r result) percentile(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[min(len(r.lat)-1, int(p*float64(len(r.lat))))]
}

// measure runs sc with c.concurrency workers for d and collects latencies.
func measure(ctx context.Context, c *client, f *fixture, name string, sc scenario, workers int, d time.Duration) result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		res      = result{name: name}
		firstErr atomic.Value
	)
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			lat := make([]time.Duration, 0, 4096)
			errs := 0
			for i := 0; ctx.Err() == nil; i++ {
				path, body := sc.request(f, w, i)
				t0 := time.Now()
				status, raw, err := c.do(ctx, sc.method, path, body)
				if ctx.Err() != nil {
					break // cut by the end of the run: not a measurement
				}
				lat = append(lat, time.Since(t0))
				if err != nil || status != sc.want {
					errs++
					firstErr.CompareAndSwap(nil, fmt.Sprintf("%s %s: %d %v %.200s", sc.method, path, status, err, raw))
				}
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			res.errors += errs
			mu.Unlock()
		}(w)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.requests = len(res.lat)
	slices.Sort(res.lat)
	if v, ok := firstErr.Load().(string); ok {
		res.firstErr = v
	}
	return res
}

// drive seeds, then measures every scenario (and the reference) in turn.
func drive(ctx context.Context, o options, srv *spawned, out io.Writer) error {
	c := newClient(o.url, o.key, o.concurrency)
	f, err := seed(ctx, c, o, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nload: %d connections, %s per scenario, target %s\n", o.concurrency, o.duration, o.url)
	printHeader(out, "scenario", "requests", "req/s")
	var results []result
	report := func(r result) {
		results = append(results, r)
		printRow(out, r)
	}
	bg, bgWorkers, err := background(o.background)
	if err != nil {
		return err
	}
	var bgClient *client
	if bgWorkers > 0 {
		bgClient = newClient(o.url, o.key, bgWorkers)
		fmt.Fprintf(out, "each scenario runs beside %d connections of %s (rows marked +)\n", bgWorkers, o.background[:strings.Index(o.background, ":")])
	}
	for _, name := range strings.Split(o.scenarios, ",") {
		sc, ok := scenarios[strings.TrimSpace(name)]
		if !ok {
			return fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(scenarioNames(), ", "))
		}
		if sc.users && len(f.userIDs) == 0 {
			continue
		}
		// The background load runs for exactly the scenario's time.
		results := make(chan result, 1)
		if bgWorkers > 0 {
			go func() { results <- measure(ctx, bgClient, f, "+"+bg.name, bg.scenario, bgWorkers, o.duration) }()
		}
		report(measure(ctx, c, f, strings.TrimSpace(name), sc, o.concurrency, o.duration))
		if bgWorkers > 0 {
			report(<-results)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if o.reference {
		if err := compare(ctx, c, f, o, report, out); err != nil {
			return err
		}
	}
	if srv != nil {
		if rss, peak, err := srv.memory(); err == nil {
			fmt.Fprintf(out, "gateway resident memory: %.1f MB now, %.1f MB peak\n", float64(rss)/1e6, float64(peak)/1e6)
		}
	}
	return nil
}

// namedScenario is a scenario with its name.
type namedScenario struct {
	name     string
	scenario scenario
}

// background parses -background: "scenario:connections", or "" for none.
func background(spec string) (namedScenario, int, error) {
	if spec == "" {
		return namedScenario{}, 0, nil
	}
	name, count, ok := strings.Cut(spec, ":")
	sc, known := scenarios[name]
	n, err := strconv.Atoi(count)
	if !ok || !known || err != nil || n < 1 || n > maxConcurrency {
		return namedScenario{}, 0, fmt.Errorf("-background must be scenario:connections with a known scenario and 1 to %d connections, not %q", maxConcurrency, spec)
	}
	return namedScenario{name: name, scenario: sc}, n, nil
}

// printHeader and printRow lay results out in columns.
func printHeader(out io.Writer, what, count, rate string) {
	fmt.Fprintf(out, "%-14s %9s %10s %9s %9s %9s %7s\n", what, count, rate, "p50", "p90", "p99", "errors")
}

func printRow(out io.Writer, r result) {
	fmt.Fprintf(out, "%-14s %9d %10.0f %9s %9s %9s %7d\n", r.name, r.requests, r.rate(),
		round(r.percentile(.50)), round(r.percentile(.90)), round(r.percentile(.99)), r.errors)
	if r.firstErr != "" {
		fmt.Fprintf(out, "  first error: %s\n", r.firstErr)
	}
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	default:
		return d.Round(time.Microsecond)
	}
}

// decodeData decodes the data of a success envelope.
func decodeData(raw []byte, into any) error {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return err
	}
	return json.Unmarshal(env.Data, into)
}

// compare alternates get-config on the gateway and on the reference, -rounds
// times, and reports both totals and the median of the per-round ratios.
func compare(ctx context.Context, c *client, f *fixture, o options, report func(result), out io.Writer) error {
	ref, err := startReference(f.sample)
	if err != nil {
		return err
	}
	defer ref.Close()
	rc := newClient(ref.base, "", o.concurrency)
	slice := o.duration / time.Duration(o.rounds)
	gateway, bare := result{name: "get-config*"}, result{name: "reference*"}
	var ratios []float64
	for i := 0; i < o.rounds && ctx.Err() == nil; i++ {
		g := measure(ctx, c, f, "get-config", scenarios["get-config"], o.concurrency, slice)
		r := measure(ctx, rc, f, "reference", scenarios["get-config"], o.concurrency, slice)
		ratios = append(ratios, g.rate()/r.rate())
		gateway = merge(gateway, g)
		bare = merge(bare, r)
	}
	slices.Sort(gateway.lat)
	slices.Sort(bare.lat)
	fmt.Fprintf(out, "\nget-config vs a bare Gin handler with the same body, alternating %d times (%s each):\n", o.rounds, slice)
	report(gateway)
	report(bare)
	slices.Sort(ratios)
	fmt.Fprintf(out, "get-config / reference req/s: median %.0f%% (rounds: %s)\n", 100*ratios[len(ratios)/2], percents(ratios))
	return ctx.Err()
}

func merge(into, r result) result {
	into.requests += r.requests
	into.errors += r.errors
	into.elapsed += r.elapsed
	into.lat = append(into.lat, r.lat...)
	if into.firstErr == "" {
		into.firstErr = r.firstErr
	}
	return into
}

func percents(ratios []float64) string {
	parts := make([]string, len(ratios))
	for i, r := range ratios {
		parts[i] = fmt.Sprintf("%.0f%%", 100*r)
	}
	return strings.Join(parts, " ")
}
