package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func msList(v ...float64) []time.Duration {
	d := make([]time.Duration, len(v))
	for i, x := range v {
		d[i] = time.Duration(x * float64(time.Millisecond))
	}
	return d
}

func seq(n int) []time.Duration { // 1 ms, 2 ms, ..., n ms
	d := make([]time.Duration, n)
	for i := range d {
		d[i] = time.Duration(i+1) * time.Millisecond
	}
	return d
}

func TestSummarize(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name                   string
		lat                    []time.Duration
		wall                   time.Duration
		min, max, mean, median time.Duration
		p90, p95, p99          time.Duration
		qps, cov               float64
	}{
		{
			// nearest rank: p90 -> ceil(9)=9th = 9 ms; p95 -> ceil(9.5)=10th; p99 -> 10th.
			name: "1..10 ms", lat: seq(10), wall: 2 * time.Second,
			min: ms, max: 10 * ms, mean: 5500 * time.Microsecond, median: 5500 * time.Microsecond,
			p90: 9 * ms, p95: 10 * ms, p99: 10 * ms, qps: 5,
			cov: math.Sqrt(8.25) / 5.5 * 100, // population variance of 1..10 is 8.25
		},
		{
			name: "1..100 ms", lat: seq(100), wall: 10 * time.Second,
			min: ms, max: 100 * ms, mean: 50500 * time.Microsecond, median: 50500 * time.Microsecond,
			p90: 90 * ms, p95: 95 * ms, p99: 99 * ms, qps: 10,
			cov: math.Sqrt((100*100-1)/12.0) / 50.5 * 100,
		},
		{
			name: "unsorted odd count", lat: msList(3, 1, 2), wall: 6 * ms,
			min: ms, max: 3 * ms, mean: 2 * ms, median: 2 * ms,
			p90: 3 * ms, p95: 3 * ms, p99: 3 * ms, qps: 500, cov: math.Sqrt(2.0/3) / 2 * 100,
		},
		{
			name: "two values", lat: msList(1, 3), wall: 4 * ms,
			min: ms, max: 3 * ms, mean: 2 * ms, median: 2 * ms,
			p90: 3 * ms, p95: 3 * ms, p99: 3 * ms, qps: 500, cov: 50,
		},
		{
			name: "single", lat: msList(2.5), wall: 0,
			min: 2500 * time.Microsecond, max: 2500 * time.Microsecond, mean: 2500 * time.Microsecond,
			median: 2500 * time.Microsecond, p90: 2500 * time.Microsecond, p95: 2500 * time.Microsecond,
			p99: 2500 * time.Microsecond, qps: 0, cov: 0,
		},
		{name: "empty", lat: nil, wall: time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Summarize(tc.lat, tc.wall)
			if s.Iterations != len(tc.lat) || s.Wall != tc.wall {
				t.Errorf("iterations/wall = %d/%v", s.Iterations, s.Wall)
			}
			durs := []struct {
				what string
				g, w time.Duration
			}{{"min", s.Min, tc.min}, {"max", s.Max, tc.max}, {"mean", s.Mean, tc.mean}, {"median", s.Median, tc.median},
				{"p90", s.P90, tc.p90}, {"p95", s.P95, tc.p95}, {"p99", s.P99, tc.p99}}
			for _, d := range durs {
				if d.g != d.w {
					t.Errorf("%s = %v, want %v", d.what, d.g, d.w)
				}
			}
			if math.Abs(s.Throughput-tc.qps) > 1e-9*math.Max(1, tc.qps) {
				t.Errorf("throughput = %v, want %v", s.Throughput, tc.qps)
			}
			if math.Abs(s.CoV-tc.cov) > 1e-6 {
				t.Errorf("CoV = %v, want %v", s.CoV, tc.cov)
			}
		})
	}
}

func TestSummarizeDoesNotReorderInput(t *testing.T) {
	lat := msList(3, 1, 2)
	Summarize(lat, time.Second)
	if lat[0] != 3*time.Millisecond {
		t.Error("Summarize sorted its input")
	}
}

func TestPercentile(t *testing.T) {
	s := seq(1000)
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{0, 1 * time.Millisecond},      // minimum ("max perf")
		{100, 1000 * time.Millisecond}, // maximum ("min perf")
		{50, 500 * time.Millisecond},   // nearest rank, not interpolated
		{99.9, 999 * time.Millisecond}, // ceil(999) = 999th
		{99.95, 1000 * time.Millisecond},
		{0.05, 1 * time.Millisecond}, // ceil(0.5) = 1st
		{0.1, 1 * time.Millisecond},  // exactly rank 1
		{0.15, 2 * time.Millisecond},
	}
	for _, tc := range tests {
		if got := Percentile(s, tc.p); got != tc.want {
			t.Errorf("Percentile(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	// trtexec's own formula on small counts: n=4, p=50 -> 4-1-floor(2) = 1.
	if got := Percentile(seq(4), 50); got != 2*time.Millisecond {
		t.Errorf("Percentile(n=4, 50) = %v, want 2ms", got)
	}
	if got := Percentile(nil, 90); got != 0 {
		t.Errorf("Percentile(empty) = %v", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Percentile(101) did not panic")
		}
	}()
	Percentile(s, 101)
}

func TestWriteText(t *testing.T) {
	s := Summarize(seq(10), 2*time.Second)
	s.WarmupIterations, s.WarmupTime = 40, 200*time.Millisecond
	var buf bytes.Buffer
	if err := s.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"[I] Warmup completed 40 queries over 200 ms",
		"[I] Timing trace has 10 queries over 2 s",
		"[I] === Performance summary ===",
		"[I] Throughput: 5 qps",
		"[I] Latency: min = 1 ms, max = 10 ms, mean = 5.5 ms, median = 5.5 ms, percentile(90%) = 9 ms, percentile(95%) = 10 ms, percentile(99%) = 10 ms",
		"[I] Total Host Walltime: 2 s",
		"[W] * Latency is unstable: coefficient of variation = 52.2233%.",
	}
	got := strings.Split(strings.TrimSpace(buf.String()), "\n")
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Errorf("line %d = %q, want %q\n%s", i, at(got, i), w, buf.String())
		}
	}

	// Stable timings: no warning; six significant digits.
	s = Summarize(msList(1.2345678, 1.2345678), 3*time.Second)
	buf.Reset()
	s.WriteText(&buf)
	out := buf.String()
	if strings.Contains(out, "[W]") || strings.Contains(out, "Warmup") {
		t.Errorf("unexpected lines:\n%s", out)
	}
	if !strings.Contains(out, "Latency: min = 1.23457 ms") || !strings.Contains(out, "Throughput: 0.666667 qps") {
		t.Errorf("formatting:\n%s", out)
	}
}

func at(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "<missing>"
}

func TestJSON(t *testing.T) {
	s := Summarize(seq(10), 2*time.Second)
	s.WarmupIterations, s.WarmupTime = 3, 250*time.Millisecond
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	lat, ok := doc["latency_ms"].(map[string]any)
	if !ok {
		t.Fatalf("no latency_ms in %s", b)
	}
	wantLat := map[string]float64{"min": 1, "max": 10, "mean": 5.5, "median": 5.5, "p90": 9, "p95": 10, "p99": 10}
	for k, v := range wantLat {
		if lat[k] != v {
			t.Errorf("latency_ms.%s = %v, want %v", k, lat[k], v)
		}
	}
	if doc["throughput_qps"] != 5.0 || doc["iterations"] != 10.0 || doc["wall_time_ms"] != 2000.0 ||
		doc["warmup_iterations"] != 3.0 || doc["warmup_time_ms"] != 250.0 {
		t.Errorf("JSON = %s", b)
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back != s {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, s)
	}
}

// fakeClock advances only when a simulated call takes time.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestRun(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name        string
		opt         Options
		step        time.Duration // latency of every call
		warmCalls   int
		timedCalls  int
		wantWarmDur time.Duration
	}{
		{"iterations dominate", Options{Iterations: 5, Duration: 2 * ms}, ms, 0, 5, 0},
		{"duration dominates", Options{Iterations: 2, Duration: 10 * ms}, ms, 0, 10, 0},
		{"time-based warm-up", Options{Warmup: 3 * ms, Iterations: 1}, ms, 3, 1, 3 * ms},
		{"warm-up overshoots to whole calls", Options{Warmup: 3 * ms, Iterations: 1}, 2 * ms, 2, 1, 4 * ms},
		{"warm-up iteration minimum", Options{Warmup: 3 * ms, WarmupIterations: 5, Iterations: 1}, ms, 5, 1, 5 * ms},
		{"zero options time one call", Options{}, ms, 0, 1, 0},
		{"trtexec defaults", DefaultOptions(), 100 * ms, 2, 30, 200 * ms},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := &fakeClock{t: time.Unix(1000, 0)}
			tc.opt.now = clk.now
			calls := 0
			s, err := Run(context.Background(), tc.opt, func() error {
				calls++
				clk.advance(tc.step)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if s.WarmupIterations != tc.warmCalls || s.Iterations != tc.timedCalls || calls != tc.warmCalls+tc.timedCalls {
				t.Errorf("warm-up %d, timed %d, calls %d; want %d, %d", s.WarmupIterations, s.Iterations, calls, tc.warmCalls, tc.timedCalls)
			}
			if s.WarmupTime != tc.wantWarmDur {
				t.Errorf("warm-up time = %v, want %v", s.WarmupTime, tc.wantWarmDur)
			}
			if s.Min != tc.step || s.Max != tc.step || s.Wall != time.Duration(tc.timedCalls)*tc.step {
				t.Errorf("min/max/wall = %v/%v/%v", s.Min, s.Max, s.Wall)
			}
		})
	}
}

func TestRunVaryingLatency(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	lat := seq(10)
	i := 0
	s, err := Run(context.Background(), Options{Iterations: 10, now: clk.now}, func() error {
		clk.advance(lat[i])
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := Summarize(lat, 55*time.Millisecond)
	if s != want {
		t.Errorf("got %+v\nwant %+v", s, want)
	}
}

func TestRunErrors(t *testing.T) {
	boom := errors.New("boom")
	clk := &fakeClock{t: time.Unix(0, 0)}
	calls := 0
	s, err := Run(context.Background(), Options{Iterations: 10, now: clk.now}, func() error {
		calls++
		clk.advance(time.Millisecond)
		if calls == 4 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "iteration 3") || s.Iterations != 3 {
		t.Errorf("err = %v, iterations = %d; want boom at iteration 3 after 3 timed", err, s.Iterations)
	}

	calls = 0
	_, err = Run(context.Background(), Options{WarmupIterations: 2, now: clk.now}, func() error {
		calls++
		return boom
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "warm-up iteration 0") || calls != 1 {
		t.Errorf("warm-up error = %v after %d calls", err, calls)
	}
}

func TestRunCancel(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls := 0
	// --duration=-1: run until cancelled.
	s, err := Run(ctx, Options{Duration: -1, WarmupIterations: 2, now: clk.now}, func() error {
		calls++
		clk.advance(time.Millisecond)
		if calls == 6 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || s.Iterations != 4 || s.WarmupIterations != 2 || s.Throughput != 1000 {
		t.Errorf("err=%v timed=%d warm=%d qps=%v; want Canceled, 4, 2, 1000", err, s.Iterations, s.WarmupIterations, s.Throughput)
	}

	// Cancelled during warm-up.
	ctx2, cancel2 := context.WithCancel(context.Background())
	calls = 0
	s, err = Run(ctx2, Options{Warmup: time.Hour, now: clk.now}, func() error {
		calls++
		clk.advance(time.Millisecond)
		if calls == 3 {
			cancel2()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || s.WarmupIterations != 3 || s.Iterations != 0 {
		t.Errorf("err=%v warm=%d timed=%d", err, s.WarmupIterations, s.Iterations)
	}
}

func TestRunProgress(t *testing.T) {
	clk := &fakeClock{t: time.Unix(0, 0)}
	var buf bytes.Buffer
	_, err := Run(context.Background(), Options{Warmup: 2 * time.Millisecond, Iterations: 10,
		Progress: &buf, ProgressInterval: 4 * time.Millisecond, now: clk.now}, func() error {
		clk.advance(time.Millisecond)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, w := range []string{
		"[I] Warming up for 2 ms (at least 0 iterations)...",
		"[I] Warmup completed 2 queries over 2 ms",
		"[I] Timing: 4 iterations over 0.004 s",
		"[I] Timing: 8 iterations over 0.008 s",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("progress lacks %q:\n%s", w, out)
		}
	}
}

func TestRunRealClock(t *testing.T) {
	s, err := Run(context.Background(), Options{Warmup: time.Millisecond, Iterations: 3, Duration: 2 * time.Millisecond},
		func() error { time.Sleep(100 * time.Microsecond); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if s.Iterations < 3 || s.Wall < 2*time.Millisecond || s.Min <= 0 || s.Min > s.Median || s.Median > s.Max || s.Throughput <= 0 {
		t.Errorf("implausible summary %+v", s)
	}
}
