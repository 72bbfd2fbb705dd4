// Package conformance runs ONNX backend test cases — folders with model.onnx
// and test_data_set_*/{input,output}_*.pb — on a gotrt backend and compares
// with the expected outputs using ONNX's backend-test tolerances.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/onnx"
	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// ONNX backend-test tolerances.
const (
	DefaultRtol = 1e-3
	DefaultAtol = 1e-7
)

// DefaultDataDir is where Debian's libonnx-testdata installs the node tests.
const DefaultDataDir = "/usr/include/onnx/backend/test/data/node"

// Status of a case.
type Status int

// Statuses.
const (
	Passed Status = iota
	Failed
	Skipped
)

func (s Status) String() string { return [...]string{"passed", "failed", "skipped"}[s] }

// Case is one test folder.
type Case struct {
	Name string
	Dir  string
}

// Result of one case.
type Result struct {
	Case    Case
	Ops     []string // operator types of the model's nodes
	Status  Status
	Reason  string
	Elapsed time.Duration
}

// Find returns the test cases under each dir: a dir that holds model.onnx is
// a case; otherwise its subfolders that do are.
func Find(dirs ...string) ([]Case, error) {
	var out []Case
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "model.onnx")); err == nil {
			out = append(out, Case{Name: filepath.Base(d), Dir: d})
			continue
		}
		ents, err := os.ReadDir(d)
		if err != nil {
			return nil, err
		}
		n := 0
		for _, e := range ents {
			sub := filepath.Join(d, e.Name())
			if _, err := os.Stat(filepath.Join(sub, "model.onnx")); err == nil && e.IsDir() {
				out = append(out, Case{Name: e.Name(), Dir: sub})
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("%s: no test cases (folders with model.onnx)", d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Options controls a run.
type Options struct {
	Backend    trt.Backend
	Rtol, Atol float64
}

// dataIssues are cases whose expected data disagrees with the operator's
// specification as ONNX Runtime and TensorRT implement it.
var dataIssues = map[string]string{
	"test_cast_FLOAT_to_BFLOAT16":              "expected data rounds FLOAT to BFLOAT16 by truncation (older ONNX generator); gotrt rounds to nearest even, as ONNX Runtime and TensorRT do",
	"test_castlike_FLOAT_to_BFLOAT16":          "expected data rounds FLOAT to BFLOAT16 by truncation (older ONNX generator); gotrt rounds to nearest even, as ONNX Runtime and TensorRT do",
	"test_castlike_FLOAT_to_BFLOAT16_expanded": "expected data rounds FLOAT to BFLOAT16 by truncation (older ONNX generator); gotrt rounds to nearest even, as ONNX Runtime and TensorRT do",
}

// Run runs one case. Import errors for unsupported operators or types are
// skips; everything else that goes wrong is a failure.
func Run(ctx context.Context, c Case, opt Options) Result {
	start := time.Now()
	r := Result{Case: c}
	defer func() { r.Elapsed = time.Since(start) }()
	if opt.Rtol == 0 && opt.Atol == 0 {
		opt.Rtol, opt.Atol = DefaultRtol, DefaultAtol
	}
	if opt.Backend == "" {
		opt.Backend = trt.BackendCPU
	}
	if why, ok := dataIssues[c.Name]; ok {
		return skip(r, "%s", why)
	}
	m, err := onnxpb.LoadFile(filepath.Join(c.Dir, "model.onnx"))
	if err != nil {
		return fail(r, "load: %v", err)
	}
	for _, vi := range append(append([]*onnxpb.ValueInfo{}, m.Graph.Inputs...), m.Graph.Outputs...) {
		if vi.Kind != onnxpb.TypeTensor {
			return skip(r, "value %q is not a tensor (sequence/optional/map values are not supported)", vi.Name)
		}
	}
	seen := map[string]bool{}
	for _, n := range m.Graph.Nodes {
		if !seen[n.OpType] {
			seen[n.OpType] = true
			r.Ops = append(r.Ops, n.OpType)
		}
	}
	sets, _ := filepath.Glob(filepath.Join(c.Dir, "test_data_set_*"))
	if len(sets) == 0 {
		return skip(r, "no test_data_set_* folders")
	}
	sort.Strings(sets)
	for _, set := range sets {
		if r = runSet(ctx, r, m, set, opt); r.Status != Passed {
			return r
		}
	}
	return r
}

func fail(r Result, format string, args ...any) Result {
	r.Status, r.Reason = Failed, fmt.Sprintf(format, args...)
	return r
}

func skip(r Result, format string, args ...any) Result {
	r.Status, r.Reason = Skipped, fmt.Sprintf(format, args...)
	return r
}

func loadTensors(dir, prefix string) ([]*tensor.Tensor, error) {
	var out []*tensor.Tensor
	for i := 0; ; i++ {
		p := filepath.Join(dir, fmt.Sprintf("%s_%d.pb", prefix, i))
		if _, err := os.Stat(p); err != nil {
			break
		}
		t, err := onnxpb.LoadTensorFile(p)
		if err != nil {
			return nil, err
		}
		h, err := t.ToHost()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		out = append(out, h)
	}
	return out, nil
}

func runSet(ctx context.Context, r Result, m *onnxpb.Model, set string, opt Options) Result {
	ins, err := loadTensors(set, "input")
	if err != nil {
		if errors.Is(err, onnxpb.ErrUnsupported) {
			return skip(r, "input data: %v", err)
		}
		return fail(r, "input data: %v", err)
	}
	wants, err := loadTensors(set, "output")
	if err != nil {
		if errors.Is(err, onnxpb.ErrUnsupported) {
			return skip(r, "output data: %v", err)
		}
		return fail(r, "output data: %v", err)
	}
	// Feed the real input dims: they fix the dynamic dims of the model.
	shapes := map[string][]int{}
	var inputNames []string
	inits := map[string]bool{}
	for _, t := range m.Graph.Initializers {
		inits[t.Name] = true
	}
	for _, vi := range m.Graph.Inputs {
		if !inits[vi.Name] {
			inputNames = append(inputNames, vi.Name)
		}
	}
	if len(ins) != len(inputNames) {
		// Some cases feed optional initializer-backed inputs too.
		inputNames = nil
		for _, vi := range m.Graph.Inputs {
			inputNames = append(inputNames, vi.Name)
		}
		if len(ins) > len(inputNames) {
			return fail(r, "%d input files for %d model inputs", len(ins), len(inputNames))
		}
		inputNames = inputNames[:len(ins)]
	}
	elem := map[string]onnxpb.ElemType{}
	for _, vi := range append(append([]*onnxpb.ValueInfo{}, m.Graph.Inputs...), m.Graph.Outputs...) {
		elem[vi.Name] = vi.ElemType
	}
	feed := map[string]*tensor.Tensor{}
	for i, h := range ins {
		// ONNX's test data stores BFLOAT16 values as UINT16 bit patterns.
		if elem[inputNames[i]] == onnxpb.ElemBFloat16 && h.Type == tensor.Int32 {
			ins[i] = bitsToBF16(h)
			h = ins[i]
		}
		shapes[inputNames[i]] = h.Dims
		h.Name = inputNames[i]
		feed[inputNames[i]] = h
	}
	for _, h := range append(append([]*tensor.Tensor{}, ins...), wants...) {
		if h.Type == tensor.Double {
			return skip(r, "type FP64 (engines have no double precision, as TensorRT)")
		}
	}
	res, err := onnx.Import(m, onnx.Options{InputShapes: shapes, ForceInputShapes: true, Name: r.Case.Name})
	if err != nil {
		if errors.Is(err, onnx.ErrUnsupported) {
			return skip(r, "%v", err)
		}
		return fail(r, "import: %v", err)
	}
	// Initializer-backed inputs fed by the test are not engine inputs.
	for name := range feed {
		found := false
		for _, n := range res.Inputs {
			if n == name {
				found = true
			}
		}
		if !found {
			delete(feed, name)
		}
	}
	cfg := trt.NewBuilderConfig()
	cfg.ClearFlag(trt.FlagTF32)
	cfg.SetBackend(opt.Backend)
	eng, err := trt.NewBuilder(nil).Build(ctx, res.Network, cfg)
	if err != nil {
		return fail(r, "build: %v", err)
	}
	defer eng.Close()
	ec, err := eng.CreateExecutionContext()
	if err != nil {
		return fail(r, "context: %v", err)
	}
	defer ec.Close()
	got, err := ec.Run(ctx, feed)
	if err != nil {
		return fail(r, "run: %v", err)
	}
	if len(wants) != len(res.Outputs) {
		return fail(r, "%d expected outputs for %d model outputs", len(wants), len(res.Outputs))
	}
	for i, name := range res.Outputs {
		if elem[name] == onnxpb.ElemBFloat16 && wants[i].Type == tensor.Int32 {
			wants[i] = bitsToBF16(wants[i])
		}
		if msg := check(got[name], wants[i], opt); msg != "" {
			return fail(r, "output %q: %s", name, msg)
		}
	}
	return r
}

// check compares like numpy.testing.assert_allclose(got, want, rtol, atol):
// |got - want| <= atol + rtol * |want|, NaNs equal, same shape; integers and
// bools exactly.
func check(got, want *tensor.Tensor, opt Options) string {
	if got == nil {
		return "not produced"
	}
	if !slices.Equal(got.Dims, want.Dims) {
		return fmt.Sprintf("shape %v, expected %v", got.Dims, want.Dims)
	}
	gf, wf := got.Float64s(), want.Float64s()
	if got.Type.IsFloat() != want.Type.IsFloat() {
		return fmt.Sprintf("type %v, expected %v", got.Type, want.Type)
	}
	bad, worst, at := 0, 0.0, -1
	for i := range wf {
		g, w := gf[i], wf[i]
		if math.IsNaN(w) && math.IsNaN(g) {
			continue
		}
		if math.IsInf(w, 0) && g == w {
			continue
		}
		d := math.Abs(g - w)
		if !(d <= opt.Atol+opt.Rtol*math.Abs(w)) {
			bad++
			if d > worst || math.IsNaN(d) {
				worst, at = d, i
			}
		}
	}
	if bad > 0 {
		return fmt.Sprintf("%d of %d elements differ; worst at %d: got %g, expected %g", bad, len(wf), at, gf[at], wf[at])
	}
	return ""
}

// Summary counts results per status and per operator.
type Summary struct {
	Passed, Failed, Skipped int
	PerOp                   map[string]*OpCount
}

// OpCount counts one operator's cases.
type OpCount struct{ Passed, Failed, Skipped int }

// Summarize counts results; a case counts for every operator in its model.
func Summarize(rs []Result) *Summary {
	s := &Summary{PerOp: map[string]*OpCount{}}
	for _, r := range rs {
		switch r.Status {
		case Passed:
			s.Passed++
		case Failed:
			s.Failed++
		case Skipped:
			s.Skipped++
		}
		for _, op := range r.Ops {
			c := s.PerOp[op]
			if c == nil {
				c = &OpCount{}
				s.PerOp[op] = c
			}
			switch r.Status {
			case Passed:
				c.Passed++
			case Failed:
				c.Failed++
			case Skipped:
				c.Skipped++
			}
		}
	}
	return s
}

// WriteText prints the per-op table and the closing line.
func (s *Summary) WriteText(w interface{ Write([]byte) (int, error) }) {
	var ops []string
	for op := range s.PerOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	fmt.Fprintf(w, "%-28s %7s %7s %7s\n", "operator", "passed", "failed", "skipped")
	for _, op := range ops {
		c := s.PerOp[op]
		fmt.Fprintf(w, "%-28s %7d %7d %7d\n", op, c.Passed, c.Failed, c.Skipped)
	}
	fmt.Fprintf(w, "%d passed, %d failed, %d skipped\n", s.Passed, s.Failed, s.Skipped)
}

// Reason summarises a skip or failure for listing.
func (r Result) String() string {
	s := fmt.Sprintf("%-7s %s", strings.ToUpper(r.Status.String()), r.Case.Name)
	if r.Reason != "" {
		s += ": " + r.Reason
	}
	return s
}

// bitsToBF16 reinterprets integer bit patterns as bfloat16 values.
func bitsToBF16(h *tensor.Tensor) *tensor.Tensor {
	v := h.Data.([]int32)
	out := make([]tensor.BF16Bits, len(v))
	for i, b := range v {
		out[i] = tensor.BF16Bits(uint16(b))
	}
	return &tensor.Tensor{Name: h.Name, Type: tensor.BF16, Dims: h.Dims, Data: out}
}
