package gpu

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// dbuf is device storage shared by the tensors that alias it (reshapes).
type dbuf struct {
	b    *cuda.Buffer // pool buffer; nil for constants and empty tensors
	ptr  cuda.DevicePtr
	refs int
}

// tval is a tensor's value during a run: on the device, on the host, or both.
type tval struct {
	set  bool
	typ  ir.DataType
	dims []int
	n    int // elements
	d    *dbuf
	host *ir.Data
}

func (v *tval) bytes() int { return v.n * elemSize(v.typ) }

func (v *tval) ptr() cuda.DevicePtr {
	if v.d == nil {
		return 0
	}
	return v.d.ptr
}

var errCapture = errors.New("host round trip during CUDA graph capture")

var graphCaptures, graphReplays atomic.Int64

// GraphStats returns how many CUDA graphs runners of this process captured
// and how many runs replayed one.
func GraphStats() (captures, replays int64) { return graphCaptures.Load(), graphReplays.Load() }

// outRec remembers where an output of a captured run comes from.
type outRec struct {
	slot int
	name string
	dev  bool
	typ  ir.DataType
	dims []int
	host *ir.Data
}

type runner struct {
	p      *program
	d      *device
	stream *cuda.Stream
	dnn    *cuda.DNN
	pool   *pool
	ws     *cuda.Buffer
	vals   []tval
	// pinned staging: uploads (bucket-sized, one per slot) and downloads
	stage    map[int]*cuda.HostBuffer
	outStage map[int]*cuda.HostBuffer
	tmp      []*cuda.Buffer

	// per run
	capturing bool
	synced    bool // a device-to-host copy happened mid-run
	hostRan   bool // a host fallback step ran
	uploads   []int

	// CUDA graph
	keyBuf        []byte
	lastKey       string
	lastGraphable bool
	graph         *cuda.GraphExec
	graphKey      string
	graphOuts     []outRec
	graphInputs   []int // plan input indices whose staging buffers the graph reads
	noGraph       map[string]bool
	graphRuns     int // replays (for tests and stats)
	captures      int

	profiling bool
	events    []*cuda.Event
	timings   []ir.LayerTiming

	closed bool
}

func newRunner(p *program) (*runner, error) {
	s, err := p.d.ctx.NewStream()
	if err != nil {
		return nil, err
	}
	return &runner{p: p, d: p.d, stream: s, pool: newPool(p.d.ctx), vals: make([]tval, len(p.tens)),
		stage: map[int]*cuda.HostBuffer{}, outStage: map[int]*cuda.HostBuffer{}, noGraph: map[string]bool{}}, nil
}

func (r *runner) SetProfiling(on bool) { r.profiling = on }

func (r *runner) Timings() []ir.LayerTiming { return r.timings }

// Close frees everything the runner holds.
func (r *runner) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.stream.Synchronize()
	r.dropGraph()
	r.releaseAll()
	for _, b := range r.tmp {
		r.pool.put(b)
	}
	r.tmp = nil
	r.pool.close()
	if r.ws != nil {
		r.ws.Close()
	}
	for _, h := range r.stage {
		h.Close()
	}
	for _, h := range r.outStage {
		h.Close()
	}
	for _, e := range r.events {
		e.Close()
	}
	if r.dnn != nil {
		r.d.putDNN(r.dnn)
		r.dnn = nil
	}
	err := r.stream.Close()
	r.p.runnerDone()
	return err
}

func (r *runner) dropGraph() {
	if r.graph != nil {
		r.graph.Close()
		r.graph = nil
		r.graphOuts = nil
		r.graphInputs = nil
		r.graphKey = ""
	}
}

// key identifies the input shapes (and the values of inputs read on the host).
func (r *runner) key(inputs map[string]*ir.Data) string {
	b := r.keyBuf[:0]
	for _, t := range r.p.plan.Inputs {
		d := inputs[t.Name]
		if d == nil {
			continue
		}
		for _, v := range d.Dims {
			b = strconv.AppendInt(b, int64(v), 10)
			b = append(b, ',')
		}
		b = append(b, ';')
	}
	for _, i := range r.p.keyInputs {
		d := inputs[r.p.plan.Inputs[i].Name]
		if d == nil {
			continue
		}
		b = append(b, '|')
		for j := 0; j < d.Len(); j++ {
			b = strconv.AppendInt(b, d.Int(j), 10)
			b = append(b, ',')
		}
	}
	r.keyBuf = b
	return string(b)
}

// Run executes the plan. The first run with given input shapes runs step by
// step; a second run with the same shapes is captured as a CUDA graph when
// the first needed no host round trip, and later runs replay the graph.
func (r *runner) Run(ctx context.Context, inputs map[string]*ir.Data) (map[string]*ir.Data, error) {
	if r.closed {
		return nil, errors.New("cuda: execution context is closed")
	}
	for _, t := range r.p.plan.Inputs {
		d, ok := inputs[t.Name]
		if !ok || d == nil {
			return nil, fmt.Errorf("input %q is missing", t.Name)
		}
	}
	key := r.key(inputs)
	if r.graph != nil {
		if key == r.graphKey && !r.profiling {
			return r.replay(inputs)
		}
		if key != r.graphKey {
			r.dropGraph()
		}
	}
	if !r.profiling && r.graph == nil && r.lastGraphable && key == r.lastKey && !r.noGraph[key] {
		out, err := r.execute(ctx, inputs, true)
		if err == nil {
			r.graphKey = key
			return out, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Capture failed: run step by step from now on for these shapes.
		r.noGraph[key] = true
	}
	out, err := r.execute(ctx, inputs, false)
	if err != nil {
		r.lastKey, r.lastGraphable = "", false
		return nil, err
	}
	r.lastKey, r.lastGraphable = key, !r.synced && !r.hostRan
	return out, nil
}

// replay launches the captured graph on new input data.
func (r *runner) replay(inputs map[string]*ir.Data) (map[string]*ir.Data, error) {
	for _, i := range r.graphInputs {
		t := r.p.plan.Inputs[i]
		sl := r.p.inSlots[i]
		if err := encodeInto(r.stage[sl].Bytes(), inputs[t.Name], t.Type); err != nil {
			return nil, err
		}
	}
	if err := r.graph.Launch(r.stream); err != nil {
		r.dropGraph()
		return nil, err
	}
	if err := r.stream.Synchronize(); err != nil {
		r.dropGraph()
		return nil, err
	}
	r.graphRuns++
	graphReplays.Add(1)
	out := make(map[string]*ir.Data, len(r.graphOuts))
	for _, o := range r.graphOuts {
		if !o.dev {
			out[o.name] = o.host
			continue
		}
		d, err := decode(r.outStage[o.slot].Bytes(), o.typ, o.dims)
		if err != nil {
			return nil, err
		}
		out[o.name] = d
	}
	if r.profiling {
		r.timings = r.timings[:0]
	}
	return out, nil
}

// execute runs every step; with capture the work is recorded as a CUDA graph
// and launched once.
func (r *runner) execute(ctx context.Context, inputs map[string]*ir.Data, capture bool) (out map[string]*ir.Data, err error) {
	p := r.p
	r.synced, r.hostRan, r.uploads = false, false, r.uploads[:0]
	for sl, c := range p.consts {
		v := &r.vals[sl]
		*v = tval{set: true, typ: p.tens[sl].Type, dims: c.host.Dims, n: ir.Volume(c.host.Dims), host: c.host, d: c.dev}
	}
	for i, t := range p.plan.Inputs {
		d := inputs[t.Name]
		v := &r.vals[p.inSlots[i]]
		*v = tval{set: true, typ: t.Type, dims: d.Dims, n: ir.Volume(d.Dims), host: d}
	}
	defer func() {
		if r.capturing {
			r.capturing = false
			if g, e := r.stream.EndCapture(); e == nil {
				g.Close()
			}
		}
		if err != nil {
			r.stream.Synchronize()
			r.releaseTemps()
			r.releaseAll()
		}
	}()
	prof := r.profiling && !capture
	if prof {
		if err := r.ensureEvents(len(p.steps) + 1); err != nil {
			return nil, err
		}
		if err := r.events[0].Record(r.stream); err != nil {
			return nil, err
		}
	}
	if capture {
		if err := r.stream.BeginCapture(); err != nil {
			return nil, err
		}
		r.capturing = true
	}
	for i, ps := range p.steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := r.runStep(ps); err != nil {
			if errors.Is(err, errCapture) {
				return nil, err
			}
			return nil, fmt.Errorf("layer %q (%s): %w", ps.node.Name, ps.node.Kind, err)
		}
		r.releaseTemps()
		for _, sl := range ps.free {
			r.release(sl)
		}
		if prof {
			if err := r.events[i+1].Record(r.stream); err != nil {
				return nil, err
			}
		}
	}
	// Outputs: device values are copied into pinned buffers.
	recs := make([]outRec, 0, len(p.outSlots))
	for i, t := range p.plan.Outputs {
		sl := p.outSlots[i]
		v := &r.vals[sl]
		if !v.set {
			return nil, fmt.Errorf("output %q was not computed", t.Name)
		}
		rec := outRec{slot: sl, name: t.Name, typ: v.typ, dims: v.dims}
		if v.host != nil {
			rec.host = v.host
		} else {
			rec.dev = true
			if n := v.bytes(); n > 0 {
				hb, err := r.outBuf(sl, n)
				if err != nil {
					return nil, err
				}
				view, err := v.d.b.Slice(0, n)
				if err != nil {
					return nil, err
				}
				if err := cuda.CopyDtoHAsync(hb, view, r.stream); err != nil {
					return nil, err
				}
			}
		}
		recs = append(recs, rec)
	}
	if capture {
		r.capturing = false
		g, err := r.stream.EndCapture()
		if err != nil {
			return nil, err
		}
		exec, err := g.Instantiate()
		g.Close()
		if err != nil {
			return nil, err
		}
		if err := exec.Launch(r.stream); err != nil {
			exec.Close()
			return nil, err
		}
		r.graph = exec
		r.graphOuts = recs
		r.graphInputs = r.graphInputs[:0]
		for i, sl := range p.inSlots {
			for _, u := range r.uploads {
				if u == sl {
					r.graphInputs = append(r.graphInputs, i)
					break
				}
			}
		}
		r.captures++
		graphCaptures.Add(1)
	}
	if err := r.stream.Synchronize(); err != nil {
		r.dropGraph()
		return nil, err
	}
	out = make(map[string]*ir.Data, len(recs))
	for _, rec := range recs {
		if !rec.dev {
			out[rec.name] = rec.host
			continue
		}
		if ir.Volume(rec.dims) == 0 {
			out[rec.name] = ir.NewData(rec.typ, rec.dims)
			continue
		}
		d, err := decode(r.outStage[rec.slot].Bytes(), rec.typ, rec.dims)
		if err != nil {
			return nil, err
		}
		out[rec.name] = d
	}
	if prof {
		r.timings = r.timings[:0]
		for i, ps := range p.steps {
			ms, err := cuda.Elapsed(r.events[i], r.events[i+1])
			if err != nil {
				return nil, err
			}
			r.timings = append(r.timings, ir.LayerTiming{Name: ps.node.Name, Time: time.Duration(float64(ms) * 1e6)})
		}
	}
	r.releaseAll()
	return out, nil
}

func (r *runner) ensureEvents(n int) error {
	for len(r.events) < n {
		e, err := r.d.ctx.NewEvent()
		if err != nil {
			return err
		}
		r.events = append(r.events, e)
	}
	return nil
}

// release drops a run's reference to a slot's value.
func (r *runner) release(sl int) {
	v := &r.vals[sl]
	if v.d != nil && v.d.b != nil {
		v.d.refs--
		if v.d.refs == 0 {
			r.pool.put(v.d.b)
		}
	}
	*v = tval{}
}

func (r *runner) releaseAll() {
	for sl := range r.vals {
		if r.vals[sl].set {
			r.release(sl)
		}
	}
}

func (r *runner) releaseTemps() {
	for _, b := range r.tmp {
		r.pool.put(b)
	}
	r.tmp = r.tmp[:0]
}

// alloc gives v fresh device storage for its type and dims.
func (r *runner) alloc(v *tval) error {
	n := v.bytes()
	if n == 0 {
		v.d = &dbuf{}
		return nil
	}
	b, err := r.get(n)
	if err != nil {
		return err
	}
	v.d = &dbuf{b: b, ptr: b.Ptr(), refs: 1}
	return nil
}

// get takes pool memory; a trim (which frees memory a graph may hold) drops
// the graph.
func (r *runner) get(n int) (*cuda.Buffer, error) {
	t := r.pool.trimmed
	b, err := r.pool.get(n)
	if r.pool.trimmed != t {
		r.dropGraph()
	}
	return b, err
}

// temp is scratch memory released after the step.
func (r *runner) temp(n int) (*cuda.Buffer, error) {
	b, err := r.get(max(n, 1))
	if err != nil {
		return nil, err
	}
	r.tmp = append(r.tmp, b)
	return b, nil
}

// workspace returns at least n bytes of library workspace (nil for 0).
func (r *runner) workspace(n uint64) (*cuda.Buffer, error) {
	if n == 0 {
		return nil, nil
	}
	if r.ws != nil && uint64(r.ws.Size()) >= n {
		return r.ws, nil
	}
	if r.capturing {
		return nil, errCapture
	}
	if r.ws != nil {
		r.stream.Synchronize()
		r.ws.Close()
		r.ws = nil
		r.dropGraph()
	}
	size := int(bucket(int(n)))
	b, err := r.d.ctx.Alloc(size)
	if err != nil && errors.Is(err, cuda.ErrOutOfMemory) {
		r.stream.Synchronize()
		r.pool.trim()
		r.dropGraph()
		b, err = r.d.ctx.Alloc(size)
	}
	if err != nil {
		return nil, err
	}
	r.ws = b
	return b, nil
}

// stageBuf returns the pinned upload buffer of a slot, of exactly size bytes.
func (r *runner) stageBuf(sl, size int) (*cuda.HostBuffer, error) {
	if h, ok := r.stage[sl]; ok {
		if h.Size() == size {
			return h, nil
		}
		if r.capturing {
			return nil, errCapture
		}
		h.Close()
		delete(r.stage, sl)
	}
	h, err := r.d.ctx.AllocHost(size, 0)
	if err != nil {
		return nil, err
	}
	r.stage[sl] = h
	return h, nil
}

// outBuf returns the pinned download buffer of a slot, of at least n bytes.
func (r *runner) outBuf(sl, n int) (*cuda.HostBuffer, error) {
	if h, ok := r.outStage[sl]; ok {
		if h.Size() >= n {
			return h, nil
		}
		if r.capturing {
			return nil, errCapture
		}
		h.Close()
		delete(r.outStage, sl)
	}
	h, err := r.d.ctx.AllocHost(bucket(n), 0)
	if err != nil {
		return nil, err
	}
	r.outStage[sl] = h
	return h, nil
}

// ensureDevice uploads a host-only value (through its pinned staging buffer,
// so that a CUDA graph can replay the copy).
func (r *runner) ensureDevice(sl int) error {
	v := &r.vals[sl]
	if v.d != nil {
		return nil
	}
	if v.host == nil {
		return fmt.Errorf("internal: tensor %q has no value", r.p.tens[sl].Name)
	}
	n := v.bytes()
	if n == 0 {
		v.d = &dbuf{}
		return nil
	}
	size := bucket(n)
	hb, err := r.stageBuf(sl, size)
	if err != nil {
		return err
	}
	if err := encodeInto(hb.Bytes(), v.host, v.typ); err != nil {
		return err
	}
	b, err := r.get(n)
	if err != nil {
		return err
	}
	if err := cuda.CopyHtoDAsync(b, hb, r.stream); err != nil {
		r.pool.put(b)
		return err
	}
	v.d = &dbuf{b: b, ptr: b.Ptr(), refs: 1}
	r.uploads = append(r.uploads, sl)
	return nil
}

// ensureHost downloads a device-only value (waiting for the stream).
func (r *runner) ensureHost(sl int) error {
	v := &r.vals[sl]
	if v.host != nil {
		return nil
	}
	if r.capturing {
		return errCapture
	}
	n := v.bytes()
	if n == 0 {
		v.host = ir.NewData(v.typ, v.dims)
		return nil
	}
	if v.d == nil || v.d.b == nil {
		return fmt.Errorf("internal: tensor %q has no value", r.p.tens[sl].Name)
	}
	if err := r.stream.Synchronize(); err != nil {
		return err
	}
	buf := make([]byte, n)
	view, err := v.d.b.Slice(0, n)
	if err != nil {
		return err
	}
	if err := cuda.CopyDtoH(buf, view); err != nil {
		return err
	}
	d, err := decode(buf, v.typ, v.dims)
	if err != nil {
		return err
	}
	v.host = d
	r.synced = true
	return nil
}

// input returns the value of head input j of a step (nil when absent).
func (r *runner) input(ps *pstep, j int) *tval {
	if j >= len(ps.ins) || ps.ins[j] < 0 {
		return nil
	}
	return &r.vals[ps.ins[j]]
}

// setOut declares output i of a step with its type and dims (no storage yet).
func (r *runner) setOut(ps *pstep, i int, dims []int) *tval {
	v := &r.vals[ps.outs[i]]
	if v.set {
		r.release(ps.outs[i])
	}
	*v = tval{set: true, typ: ps.s.OutTypes[i], dims: dims, n: ir.Volume(dims)}
	return v
}

func (r *runner) runStep(ps *pstep) error {
	n := ps.node
	if n.Kind == ir.KindConstant {
		return nil
	}
	for j, sl := range ps.ins {
		if sl >= 0 && !r.vals[sl].set {
			return fmt.Errorf("input %d (%q) has no value", j, n.Inputs[j].Name)
		}
	}
	if ps.place != placeGPU {
		return r.runHost(ps)
	}
	for j, sl := range ps.ins {
		if sl >= 0 && ps.hostParam[j] {
			if err := r.ensureHost(sl); err != nil {
				return err
			}
		}
	}
	dims := ps.staticDims
	var err error
	if dims == nil {
		dims, err = r.infer(ps)
	}
	if err == nil {
		err = ps.ex.run(r, ps, dims)
	}
	if errors.Is(err, errFallback) {
		for _, sl := range ps.outs {
			if r.vals[sl].set {
				r.release(sl)
			}
		}
		return r.runHostStep(ps, true)
	}
	return err
}

// infer computes a step's output dims from its inputs at run time.
func (r *runner) infer(ps *pstep) ([][]int, error) {
	n := ps.node
	def := ir.Def(n.Kind)
	if def == nil || def.Infer == nil {
		return nil, fmt.Errorf("no shape inference for %s", n.Kind)
	}
	for attempt := 0; attempt < 2; attempt++ {
		infos := make([]*ir.Info, len(ps.ins))
		for j, sl := range ps.ins {
			if sl < 0 {
				continue
			}
			v := &r.vals[sl]
			infos[j] = &ir.Info{Type: v.typ, Dims: v.dims, Value: v.host}
		}
		outs, err := def.Infer(n, infos)
		if err != nil {
			return nil, err
		}
		known := true
		dims := make([][]int, len(ps.outs))
		for i := range ps.outs {
			if i >= len(outs) || !ir.DimsKnown(outs[i].Dims) {
				known = false
				break
			}
			dims[i] = outs[i].Dims
		}
		if known {
			return dims, nil
		}
		// The dims depend on input values: fetch them.
		for _, sl := range ps.ins {
			if sl >= 0 {
				if err := r.ensureHost(sl); err != nil {
					return nil, err
				}
			}
		}
	}
	return nil, errFallback
}
