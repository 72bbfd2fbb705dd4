package gemm

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Worker pool for parallelFor. Starting goroutines per call costs a thread
// wake-up (tens of microseconds on a VM whose idle vCPU is halted) per
// parallel region. Instead a few persistent workers spin for a short while
// after each region, ready for the next one (inference runs layers back to
// back), and then park on a channel. Only one region uses the pool at a
// time; concurrent callers fall back to plain goroutines.

// spinWait is how long an idle worker polls before parking.
const spinWait = 100 * time.Microsecond

type workerPool struct {
	busy    sync.Mutex             // held by the goroutine running a region
	cur     atomic.Pointer[region] // the latest region, published to workers
	workers []*poolWorker
}

// region is one parallelFor call; immutable once published except pending.
type region struct {
	f       func(w int)
	nw      int // workers 1..nw take part
	pending atomic.Int32
}

type poolWorker struct {
	sleeping atomic.Bool
	wake     chan struct{}
}

var pool workerPool

// run executes f(0..t-1), f(0) on the caller; it reports false (running
// nothing) when the pool is in use.
func (p *workerPool) run(t int, f func(w int)) bool {
	if !p.busy.TryLock() {
		return false
	}
	defer p.busy.Unlock()
	for len(p.workers) < t-1 {
		pw := &poolWorker{wake: make(chan struct{}, 1)}
		p.workers = append(p.workers, pw)
		go p.loop(len(p.workers), pw, p.cur.Load())
	}
	r := &region{f: f, nw: t - 1}
	r.pending.Store(int32(t - 1))
	p.cur.Store(r)
	for _, pw := range p.workers[:t-1] {
		if pw.sleeping.Load() {
			select {
			case pw.wake <- struct{}{}:
			default:
			}
		}
	}
	f(0)
	for spins := 0; r.pending.Load() != 0; spins++ {
		if spins > 64 {
			runtime.Gosched()
		}
	}
	return true
}

func (p *workerPool) loop(id int, pw *poolWorker, seen *region) {
	for {
		// Wait for a new region: spin, then park.
		deadline := time.Now().Add(spinWait)
		for spins := 0; p.cur.Load() == seen; spins++ {
			if spins&1023 != 1023 {
				continue
			}
			if time.Now().Before(deadline) {
				runtime.Gosched()
				continue
			}
			pw.sleeping.Store(true)
			for p.cur.Load() == seen {
				<-pw.wake
			}
			pw.sleeping.Store(false)
		}
		seen = p.cur.Load()
		if id <= seen.nw {
			seen.f(id)
			seen.pending.Add(-1)
		}
	}
}
