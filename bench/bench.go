// Package bench measures latency and throughput with trtexec's habits:
// a time-based warm-up (--warmUp, ms), then at least N timed iterations
// (--iterations) and at least a given wall time (--duration), and a summary
// with trtexec's statistics and line format.
//
// # Statistics (as trtexec's sampleReporting)
//
//   - min, max, mean (arithmetic) of the per-iteration latencies;
//   - median: the middle value, or the mean of the two middle values;
//   - percentile(p): nearest rank on the ascending latencies, the value at
//     0-based index ceil(p/100 * n) - 1 (at least 0). trtexec writes this as
//     index n - 1 - floor((1 - p/100) * n), which is the same number; this
//     package computes it in exact arithmetic, trtexec in float32. p = 0 gives
//     the minimum, p = 100 the maximum;
//   - coefficient of variation: population standard deviation / mean, in
//     percent (trtexec's "coefficient of variance");
//   - throughput: iterations / wall time in queries per second, where the
//     wall time runs from the start of the first timed iteration to the end
//     of the last (trtexec's "Total Host Walltime").
package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"
)

// Summary is the result of a benchmark run.
type Summary struct {
	// Iterations is the number of timed iterations (trtexec's queries).
	Iterations int
	// Wall is the total host wall time of the timed iterations.
	Wall time.Duration
	// Throughput is Iterations / Wall, in queries per second.
	Throughput float64

	Min, Max, Mean, Median time.Duration
	P90, P95, P99          time.Duration
	StdDev                 time.Duration
	// CoV is the coefficient of variation of the latency, in percent.
	CoV float64

	// WarmupIterations and WarmupTime describe the warm-up that preceded
	// the timed iterations (set by Run).
	WarmupIterations int
	WarmupTime       time.Duration
}

// Summarize computes the statistics of the given per-iteration latencies,
// measured over the wall time wall. With no latencies it returns a zero
// Summary; with a zero wall time the throughput is 0.
func Summarize(latencies []time.Duration, wall time.Duration) Summary {
	n := len(latencies)
	s := Summary{Iterations: n, Wall: wall}
	if n == 0 {
		return s
	}
	sorted := append([]time.Duration(nil), latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	s.Min, s.Max = sorted[0], sorted[n-1]

	var sum float64
	for _, d := range sorted {
		sum += float64(d)
	}
	mean := sum / float64(n)
	var ss float64
	for _, d := range sorted {
		diff := float64(d) - mean
		ss += diff * diff
	}
	std := math.Sqrt(ss / float64(n))
	s.Mean = roundDur(mean)
	s.StdDev = roundDur(std)
	if mean > 0 {
		s.CoV = std / mean * 100
	}

	if n%2 == 1 {
		s.Median = sorted[n/2]
	} else {
		s.Median = roundDur((float64(sorted[n/2-1]) + float64(sorted[n/2])) / 2)
	}
	s.P90 = Percentile(sorted, 90)
	s.P95 = Percentile(sorted, 95)
	s.P99 = Percentile(sorted, 99)
	if wall > 0 {
		s.Throughput = float64(n) / wall.Seconds()
	}
	return s
}

// Percentile returns the p-th percentile (0 <= p <= 100) of ascending
// latencies by nearest rank: sorted[ceil(p/100*n) - 1], clamped to the
// first element. It returns 0 for no latencies and panics if p is out of
// range.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if !(p >= 0 && p <= 100) {
		panic(fmt.Sprintf("bench: percentile %v is not in [0, 100]", p))
	}
	n := len(sorted)
	if n == 0 {
		return 0
	}
	return sorted[percentileIndex(n, p)]
}

// percentileIndex is trtexec's n - 1 - floor((1 - p/100) * n), computed
// without float32 rounding.
func percentileIndex(n int, p float64) int {
	exclude := int(math.Floor((100-p)*float64(n)/100 + 1e-9))
	return max(n-1-exclude, 0)
}

func roundDur(ns float64) time.Duration { return time.Duration(math.Round(ns)) }

// ms formats a duration in milliseconds with six significant digits, as
// trtexec's C++ streams print floats.
func ms(d time.Duration) string { return g6(float64(d) / float64(time.Millisecond)) }

func g6(v float64) string {
	switch {
	case v != v:
		return "nan"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// cvWarnThreshold is the coefficient of variation (percent) above which
// trtexec warns that timings are unstable.
const cvWarnThreshold = 1.0

// WriteText prints trtexec's performance summary lines:
//
//	[I] Warmup completed 12 queries over 200 ms
//	[I] Timing trace has 100 queries over 3.00123 s
//	[I] === Performance summary ===
//	[I] Throughput: 33.3197 qps
//	[I] Latency: min = 29.8 ms, max = 31.2 ms, mean = 30.01 ms, median = 30 ms, percentile(90%) = 30.5 ms, percentile(95%) = 30.7 ms, percentile(99%) = 31.2 ms
//	[I] Total Host Walltime: 3.00123 s
//
// and a warning when the coefficient of variation exceeds 1%.
func (s Summary) WriteText(w io.Writer) error {
	var err error
	p := func(format string, args ...any) {
		if err == nil {
			_, err = fmt.Fprintf(w, format+"\n", args...)
		}
	}
	if s.WarmupIterations > 0 || s.WarmupTime > 0 {
		p("[I] Warmup completed %d queries over %s ms", s.WarmupIterations, ms(s.WarmupTime))
	}
	p("[I] Timing trace has %d queries over %s s", s.Iterations, g6(s.Wall.Seconds()))
	p("[I] === Performance summary ===")
	p("[I] Throughput: %s qps", g6(s.Throughput))
	p("[I] Latency: min = %s ms, max = %s ms, mean = %s ms, median = %s ms, percentile(90%%) = %s ms, percentile(95%%) = %s ms, percentile(99%%) = %s ms",
		ms(s.Min), ms(s.Max), ms(s.Mean), ms(s.Median), ms(s.P90), ms(s.P95), ms(s.P99))
	p("[I] Total Host Walltime: %s s", g6(s.Wall.Seconds()))
	if s.CoV > cvWarnThreshold {
		p("[W] * Latency is unstable: coefficient of variation = %s%%.", g6(s.CoV))
		p("[W]   Locking the GPU clocks or running fewer other processes may make it steadier.")
	}
	return err
}

type latencyJSON struct {
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	Median float64 `json:"median"`
	P90    float64 `json:"p90"`
	P95    float64 `json:"p95"`
	P99    float64 `json:"p99"`
	StdDev float64 `json:"std_dev"`
}

type summaryJSON struct {
	Iterations       int         `json:"iterations"`
	ThroughputQPS    float64     `json:"throughput_qps"`
	LatencyMS        latencyJSON `json:"latency_ms"`
	CoVPercent       float64     `json:"coefficient_of_variation_percent"`
	WallTimeMS       float64     `json:"wall_time_ms"`
	WarmupIterations int         `json:"warmup_iterations"`
	WarmupTimeMS     float64     `json:"warmup_time_ms"`
}

func toMS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fromMS(v float64) time.Duration { return roundDur(v * float64(time.Millisecond)) }

// MarshalJSON writes {"iterations", "throughput_qps", "latency_ms": {min, max,
// mean, median, p90, p95, p99, std_dev}, "coefficient_of_variation_percent",
// "wall_time_ms", "warmup_iterations", "warmup_time_ms"}.
func (s Summary) MarshalJSON() ([]byte, error) {
	return json.Marshal(summaryJSON{
		Iterations:    s.Iterations,
		ThroughputQPS: s.Throughput,
		LatencyMS: latencyJSON{
			Min: toMS(s.Min), Max: toMS(s.Max), Mean: toMS(s.Mean), Median: toMS(s.Median),
			P90: toMS(s.P90), P95: toMS(s.P95), P99: toMS(s.P99), StdDev: toMS(s.StdDev),
		},
		CoVPercent:       s.CoV,
		WallTimeMS:       toMS(s.Wall),
		WarmupIterations: s.WarmupIterations,
		WarmupTimeMS:     toMS(s.WarmupTime),
	})
}

// UnmarshalJSON reads what MarshalJSON writes (to nanosecond precision).
func (s *Summary) UnmarshalJSON(b []byte) error {
	var j summaryJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Summary{
		Iterations: j.Iterations, Throughput: j.ThroughputQPS,
		Min: fromMS(j.LatencyMS.Min), Max: fromMS(j.LatencyMS.Max), Mean: fromMS(j.LatencyMS.Mean),
		Median: fromMS(j.LatencyMS.Median), P90: fromMS(j.LatencyMS.P90), P95: fromMS(j.LatencyMS.P95),
		P99: fromMS(j.LatencyMS.P99), StdDev: fromMS(j.LatencyMS.StdDev), CoV: j.CoVPercent,
		Wall: fromMS(j.WallTimeMS), WarmupIterations: j.WarmupIterations, WarmupTime: fromMS(j.WarmupTimeMS),
	}
	return nil
}
