package bench

import (
	"context"
	"fmt"
	"io"
	"time"
)

// trtexec's defaults.
const (
	DefaultWarmup     = 200 * time.Millisecond // --warmUp=200 (ms)
	DefaultIterations = 10                     // --iterations=10
	DefaultDuration   = 3 * time.Second        // --duration=3 (s)
)

// Options controls Run, with trtexec's meanings.
type Options struct {
	// Warmup: call fn for this long before timing starts (trtexec --warmUp,
	// given there in milliseconds).
	Warmup time.Duration
	// WarmupIterations: call fn at least this many times before timing
	// starts. Warm-up ends when both Warmup and WarmupIterations are met.
	WarmupIterations int
	// Iterations: time at least this many calls (trtexec --iterations).
	Iterations int
	// Duration: keep timing for at least this long (trtexec --duration, given
	// there in seconds). Timing stops once both Iterations and Duration are
	// met. A negative Duration (trtexec --duration=-1) times until ctx is
	// cancelled.
	Duration time.Duration
	// Progress, if set, receives a line when warm-up starts and ends and
	// about every ProgressInterval while timing.
	Progress io.Writer
	// ProgressInterval defaults to one second.
	ProgressInterval time.Duration

	now func() time.Time // the clock; time.Now unless a test sets it
}

// DefaultOptions returns trtexec's defaults: 200 ms warm-up, at least 10
// iterations and at least 3 s of timing.
func DefaultOptions() Options {
	return Options{Warmup: DefaultWarmup, Iterations: DefaultIterations, Duration: DefaultDuration}
}

// Run warms up by calling fn for opt.Warmup (and at least
// opt.WarmupIterations times), then calls and times fn until at least
// opt.Iterations calls and at least opt.Duration have passed (always at
// least one call), and summarizes the latencies. Each call is timed on the
// host wall clock around fn, so fn must return when its work is complete
// (for GPU work: after synchronizing).
//
// ctx is checked before every call. When it is cancelled, or fn fails, Run
// returns the summary of the calls timed so far together with the error
// (ctx.Err(), or fn's error wrapped with the iteration number). With a
// negative Duration, cancellation is the way the run ends.
func Run(ctx context.Context, opt Options, fn func() error) (Summary, error) {
	now := opt.now
	if now == nil {
		now = time.Now
	}
	interval := opt.ProgressInterval
	if interval <= 0 {
		interval = time.Second
	}
	progress := func(format string, args ...any) {
		if opt.Progress != nil {
			fmt.Fprintf(opt.Progress, format+"\n", args...)
		}
	}

	// Warm-up.
	var warm Summary
	if opt.Warmup > 0 || opt.WarmupIterations > 0 {
		progress("[I] Warming up for %s ms (at least %d iterations)...", ms(opt.Warmup), max(opt.WarmupIterations, 0))
	}
	start := now()
	for n := 0; now().Sub(start) < opt.Warmup || n < opt.WarmupIterations; n++ {
		if err := ctx.Err(); err != nil {
			warm.WarmupIterations, warm.WarmupTime = n, now().Sub(start)
			return warm, err
		}
		if err := fn(); err != nil {
			warm.WarmupIterations, warm.WarmupTime = n+1, now().Sub(start)
			return warm, fmt.Errorf("bench: warm-up iteration %d: %w", n, err)
		}
		warm.WarmupIterations = n + 1
	}
	warm.WarmupTime = now().Sub(start)
	if warm.WarmupIterations > 0 {
		progress("[I] Warmup completed %d queries over %s ms", warm.WarmupIterations, ms(warm.WarmupTime))
	}

	// Timing.
	minIter := max(opt.Iterations, 1)
	var latencies []time.Duration
	var first, last time.Time
	finish := func(err error) (Summary, error) {
		s := Summarize(latencies, last.Sub(first))
		s.WarmupIterations, s.WarmupTime = warm.WarmupIterations, warm.WarmupTime
		return s, err
	}
	first = now()
	last = first
	nextReport := first.Add(interval)
	for i := 0; ; i++ {
		elapsed := last.Sub(first)
		if opt.Duration >= 0 && i >= minIter && elapsed >= opt.Duration {
			break
		}
		if err := ctx.Err(); err != nil {
			return finish(err)
		}
		t0 := now()
		if i == 0 {
			first = t0
		}
		err := fn()
		t1 := now()
		last = t1
		if err != nil {
			return finish(fmt.Errorf("bench: iteration %d: %w", i, err))
		}
		latencies = append(latencies, t1.Sub(t0))
		if opt.Progress != nil && !t1.Before(nextReport) {
			progress("[I] Timing: %d iterations over %s s", len(latencies), g6(t1.Sub(first).Seconds()))
			nextReport = t1.Add(interval)
		}
	}
	return finish(nil)
}
