package ort

import (
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/x448/float16"
	onnx "github.com/yalue/onnxruntime_go"

	"github.com/gotrt/gotrt/tensor"
)

// ErrClosed is returned by Run after Close.
var ErrClosed = errors.New("ort: session is closed")

// Session is a loaded model. Run may be called from several goroutines at
// once; Close must not race with Run (it waits for running calls).
type Session struct {
	name    string
	inputs  []IOInfo
	outputs []IOInfo

	mu   sync.RWMutex // guards sess against Close
	sess *onnx.DynamicAdvancedSession

	// learned holds, per output index, the shape seen in the last run for
	// outputs that must be preallocated but whose declared shape is not
	// static (float16/bfloat16, scalars): see plan.
	learnedMu sync.Mutex
	learned   map[int][]int64

	attempts atomic.Int64 // ONNX Runtime runs, including shape-probe retries (for tests)
}

// NewSession loads a model from its serialized ONNX bytes.
func NewSession(model []byte, opts ...Option) (*Session, error) {
	o := options{name: "model"}
	for _, f := range opts {
		f(&o)
	}
	if len(model) == 0 {
		return nil, fmt.Errorf("ort: %s: empty model", o.name)
	}
	if err := Init(); err != nil {
		return nil, err
	}
	so, err := sessionOptions(&o)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	// onnxruntime_go offers no way to read the I/O of an open session, and
	// GetInputOutputInfoWithONNXData takes no options: it loads the model
	// once more with ONNX Runtime's defaults.
	in, out, err := onnx.GetInputOutputInfoWithONNXData(model)
	if err != nil {
		return nil, fmt.Errorf("ort: %s: %w", o.name, err)
	}
	return newSession(&o, in, out, func(inNames, outNames []string) (*onnx.DynamicAdvancedSession, error) {
		return onnx.NewDynamicAdvancedSessionWithONNXData(model, inNames, outNames, so)
	})
}

// NewSessionFromFile loads a model from an .onnx file (external data files
// next to it are found by ONNX Runtime).
func NewSessionFromFile(path string, opts ...Option) (*Session, error) {
	o := options{name: path}
	for _, f := range opts {
		f(&o)
	}
	if err := Init(); err != nil {
		return nil, err
	}
	if err := isFile(path); err != nil {
		return nil, fmt.Errorf("ort: %s: %w", path, err)
	}
	so, err := sessionOptions(&o)
	if err != nil {
		return nil, err
	}
	defer so.Destroy()
	in, out, err := onnx.GetInputOutputInfoWithOptions(path, so)
	if err != nil {
		return nil, fmt.Errorf("ort: %s: %w", o.name, err)
	}
	return newSession(&o, in, out, func(inNames, outNames []string) (*onnx.DynamicAdvancedSession, error) {
		return onnx.NewDynamicAdvancedSession(path, inNames, outNames, so)
	})
}

func sessionOptions(o *options) (*onnx.SessionOptions, error) {
	lvl, err := o.graphOpt.ort()
	if err != nil {
		return nil, err
	}
	so, err := onnx.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("ort: session options: %w", err)
	}
	if err := so.SetIntraOpNumThreads(o.threads()); err != nil {
		so.Destroy()
		return nil, fmt.Errorf("ort: intra-op threads %d: %w", o.threads(), err)
	}
	if err := so.SetGraphOptimizationLevel(lvl); err != nil {
		so.Destroy()
		return nil, fmt.Errorf("ort: graph optimization %v: %w", o.graphOpt, err)
	}
	// Every failure comes back to the caller as an error; keep ONNX Runtime
	// from also printing it (and the expected shape-probe failures, see plan).
	if err := so.SetLogSeverityLevel(onnx.LoggingLevelFatal); err != nil {
		so.Destroy()
		return nil, fmt.Errorf("ort: log level: %w", err)
	}
	return so, nil
}

func newSession(o *options, in, out []onnx.InputOutputInfo,
	create func(inNames, outNames []string) (*onnx.DynamicAdvancedSession, error)) (*Session, error) {
	s := &Session{name: o.name, inputs: infoFrom(in), outputs: infoFrom(out), learned: map[int][]int64{}}
	inNames := make([]string, len(s.inputs))
	for i, v := range s.inputs {
		inNames[i] = v.Name
	}
	outNames := make([]string, len(s.outputs))
	for i, v := range s.outputs {
		outNames[i] = v.Name
	}
	sess, err := create(inNames, outNames)
	if err != nil {
		return nil, fmt.Errorf("ort: %s: %w", o.name, err)
	}
	s.sess = sess
	return s, nil
}

// Name is the model's name in error messages.
func (s *Session) Name() string { return s.name }

// Inputs describes the model inputs, in model order.
func (s *Session) Inputs() []IOInfo { return cloneInfo(s.inputs) }

// Outputs describes the model outputs, in model order.
func (s *Session) Outputs() []IOInfo { return cloneInfo(s.outputs) }

// InputNames are the model input names, in model order.
func (s *Session) InputNames() []string { return names(s.inputs) }

// OutputNames are the model output names, in model order.
func (s *Session) OutputNames() []string { return names(s.outputs) }

func cloneInfo(in []IOInfo) []IOInfo {
	out := make([]IOInfo, len(in))
	for i, v := range in {
		v.Shape = append([]int64(nil), v.Shape...)
		out[i] = v
	}
	return out
}

func names(in []IOInfo) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = v.Name
	}
	return out
}

// Close releases the session. Closing twice is harmless.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sess == nil {
		return nil
	}
	err := s.sess.Destroy()
	s.sess = nil
	if err != nil {
		return fmt.Errorf("ort: %s: close: %w", s.name, err)
	}
	return nil
}

// Run runs the model. inputs maps every model input name to a tensor of the
// input's element type (float32, float16, bfloat16, float64, int8, uint8,
// int32, int64 or bool). It returns every model output, keyed by name, as a
// new tensor named after the output. Output shapes need not be known in
// advance.
func (s *Session) Run(inputs map[string]*tensor.Tensor) (map[string]*tensor.Tensor, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.sess == nil {
		return nil, ErrClosed
	}
	if err := s.checkInputNames(inputs); err != nil {
		return nil, err
	}
	if len(s.inputs) == 0 {
		// onnxruntime_go v1.27 indexes the (empty) input list.
		return nil, fmt.Errorf("ort: %s: models without inputs are not supported (onnxruntime_go cannot run them)", s.name)
	}
	for _, info := range s.outputs {
		if !info.IsTensor() {
			return nil, fmt.Errorf("ort: %s: output %q is a %s; only tensor outputs are supported", s.name, info.Name, info.Kind)
		}
		if _, ok := info.Type.DataType(); !ok {
			return nil, fmt.Errorf("ort: %s: output %q has element type %v, which gotrt's host tensors cannot hold", s.name, info.Name, info.Type)
		}
	}

	var pin runtime.Pinner
	defer pin.Unpin()
	ins := make([]onnx.Value, len(s.inputs))
	defer destroyAll(ins)
	for i, info := range s.inputs {
		v, err := inputValue(info, inputs[info.Name], &pin)
		if err != nil {
			return nil, fmt.Errorf("ort: %s: input %q: %w", s.name, info.Name, err)
		}
		ins[i] = v
	}

	plans := s.initialPlans()
	// Each failed attempt teaches the shape of one output (see plan); more
	// attempts than outputs means the lesson does not stick.
	for attempt := 0; ; attempt++ {
		res, retry, err := s.runOnce(ins, plans, &pin)
		if err == nil {
			s.remember(plans)
			return res, nil
		}
		if !retry || attempt > len(s.outputs) {
			return nil, err
		}
	}
}

func (s *Session) checkInputNames(inputs map[string]*tensor.Tensor) error {
	known := make(map[string]bool, len(s.inputs))
	for _, info := range s.inputs {
		known[info.Name] = true
		if t, ok := inputs[info.Name]; !ok || t == nil {
			return fmt.Errorf("ort: %s: input %q (%v %v) not given", s.name, info.Name, info.Type, info.Shape)
		}
	}
	var unknown []string
	for name := range inputs {
		if !known[name] {
			unknown = append(unknown, strconv.Quote(name))
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("ort: %s: no model input named %s (inputs: %s)", s.name,
			strings.Join(unknown, ", "), strings.Join(names(s.inputs), ", "))
	}
	return nil
}

func destroyAll(vs []onnx.Value) {
	for i, v := range vs {
		if v != nil {
			v.Destroy()
			vs[i] = nil
		}
	}
}

// plan says how one output is handed to ONNX Runtime.
//
// onnxruntime_go v1.27 converts outputs that ONNX Runtime allocates into Go
// values, but it mishandles two cases: float16/bfloat16 outputs (it copies one
// byte per element) and scalars (it rejects the empty shape). Such outputs are
// therefore preallocated, which needs their shape before the run. Where the
// model does not declare it, the plan guesses (the shape of the last run, else
// the declared one with unknown dimensions as 1); when the guess is wrong,
// ONNX Runtime fails the run naming the output and the computed shape, and
// Run tries again with that shape.
type plan struct {
	prealloc bool
	shape    []int64 // when prealloc; nil means a scalar. Else the last shape seen, if guessed
	guessed  bool    // shape is a guess, to be remembered when the run succeeds
}

func isCustom(e ElementType) bool { return e == Float16 || e == BFloat16 }

func (s *Session) initialPlans() []plan {
	s.learnedMu.Lock()
	defer s.learnedMu.Unlock()
	plans := make([]plan, len(s.outputs))
	for i, info := range s.outputs {
		learned, haveLearned := s.learned[i]
		switch {
		case isCustom(info.Type) && info.Static() && len(info.Shape) > 0 && !haveLearned:
			// The declared shape; still a guess, should the model declare wrongly.
			plans[i] = plan{prealloc: true, shape: info.Shape, guessed: true}
		case isCustom(info.Type):
			shape := learned
			if !haveLearned {
				shape = make([]int64, len(info.Shape))
				for j, d := range info.Shape {
					shape[j] = max(d, 1)
				}
				if len(shape) == 0 { // scalar or unknown rank: a float16 scalar cannot be made
					shape = []int64{1}
				}
			}
			plans[i] = plan{prealloc: true, shape: shape, guessed: true}
		case haveLearned && len(learned) == 0: // was a scalar
			plans[i] = plan{prealloc: true, guessed: true}
		case haveLearned: // was not a scalar
			plans[i] = plan{shape: learned, guessed: true}
		case len(info.Shape) == 0: // a scalar, or a tensor of unknown rank
			plans[i] = plan{prealloc: true, guessed: true}
		default:
			plans[i] = plan{}
		}
	}
	return plans
}

func (s *Session) remember(plans []plan) {
	s.learnedMu.Lock()
	defer s.learnedMu.Unlock()
	for i, p := range plans {
		if p.guessed {
			s.learned[i] = append([]int64{}, p.shape...)
		}
	}
}

// runOnce runs the model once. On an error it reports whether plans were
// corrected so that another attempt may succeed.
func (s *Session) runOnce(ins []onnx.Value, plans []plan, pin *runtime.Pinner) (map[string]*tensor.Tensor, bool, error) {
	outs := make([]onnx.Value, len(s.outputs))
	defer destroyAll(outs)
	hosts := make([]*tensor.Tensor, len(s.outputs))
	for i, info := range s.outputs {
		if !plans[i].prealloc {
			continue
		}
		v, t, err := preallocOutput(info, plans[i].shape, pin)
		if err != nil {
			return nil, false, fmt.Errorf("ort: %s: output %q: %w", s.name, info.Name, err)
		}
		outs[i], hosts[i] = v, t
	}

	s.attempts.Add(1)
	if err := s.sess.Run(ins, outs); err != nil {
		retry, why := s.correctPlans(err, plans, outs)
		if retry {
			return nil, true, fmt.Errorf("ort: %s: run: %w", s.name, err)
		}
		if why != nil {
			return nil, false, fmt.Errorf("ort: %s: %w", s.name, why)
		}
		return nil, false, fmt.Errorf("ort: %s: run: %w", s.name, err)
	}

	res := make(map[string]*tensor.Tensor, len(s.outputs))
	for i, info := range s.outputs {
		t := hosts[i]
		if t == nil {
			var err error
			if t, err = hostFromValue(info, outs[i]); err != nil {
				return nil, false, fmt.Errorf("ort: %s: output %q: %w", s.name, info.Name, err)
			}
		}
		res[info.Name] = t
	}
	return res, false, nil
}

var (
	// ONNX Runtime >= 1.2x: "The output OrtValue provided for output 'y' of
	// node 'n' (Op) has shape {1,3} but the computed output shape for this run
	// is {2,3}."
	shapeMismatchRE = regexp.MustCompile(`output '([^']*)'.*?has shape \{([-0-9, ]*)\} but the computed output shape for this run is \{([-0-9, ]*)\}`)
	// Older: "OrtValue shape verification failed. Current shape:{1,3}
	// Requested shape:{2,3}" (names no output).
	shapeVerifyRE = regexp.MustCompile(`Current shape:\s*\{([-0-9, ]*)\}\s*Requested shape:\s*\{([-0-9, ]*)\}`)
)

func parseDims(s string) ([]int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return []int64{}, true
	}
	parts := strings.Split(s, ",")
	out := make([]int64, len(parts))
	for i, p := range parts {
		v, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || v < 0 {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// correctPlans reads a failed run's error and fixes the plan of the output it
// blames, if any; it reports whether it changed a plan, or else may give a
// better error than ONNX Runtime's.
func (s *Session) correctPlans(err error, plans []plan, outs []onnx.Value) (retry bool, why error) {
	msg := err.Error()
	if errors.Is(err, onnx.ZeroShapeLengthError) {
		// ONNX Runtime made a scalar where the plan let it allocate: the
		// first unconverted output that ONNX Runtime allocated is the one.
		for i := range plans {
			if !plans[i].prealloc && outs[i] == nil {
				if isCustom(s.outputs[i].Type) {
					return false, nil
				}
				plans[i] = plan{prealloc: true, guessed: true}
				return true, nil
			}
		}
		return false, nil
	}
	idx := -1
	var computed []int64
	if m := shapeMismatchRE.FindStringSubmatch(msg); m != nil {
		got, ok1 := parseDims(m[2])
		want, ok2 := parseDims(m[3])
		if !ok1 || !ok2 {
			return false, nil
		}
		for i, info := range s.outputs {
			if info.Name == m[1] && plans[i].guessed && slices.Equal(plans[i].shape, got) {
				idx, computed = i, want
				break
			}
		}
	} else if m := shapeVerifyRE.FindStringSubmatch(msg); m != nil {
		got, ok1 := parseDims(m[1])
		want, ok2 := parseDims(m[2])
		if !ok1 || !ok2 {
			return false, nil
		}
		for i := range s.outputs { // only safe when one guess fits
			if plans[i].guessed && slices.Equal(plans[i].shape, got) {
				if idx >= 0 {
					return false, nil
				}
				idx, computed = i, want
			}
		}
	}
	if idx < 0 {
		return false, nil
	}
	if isCustom(s.outputs[idx].Type) {
		if len(computed) == 0 {
			return false, fmt.Errorf("output %q is a %v scalar, which onnxruntime_go v1.27 cannot hold (it makes no rank-0 %v tensors)",
				s.outputs[idx].Name, s.outputs[idx].Type, s.outputs[idx].Type)
		}
		if slices.Equal(computed, plans[idx].shape) {
			return false, nil // no progress
		}
		plans[idx] = plan{prealloc: true, shape: computed, guessed: true}
		return true, nil
	}
	if len(computed) == 0 {
		return false, nil
	}
	// Not a scalar after all: let ONNX Runtime allocate it (and remember).
	plans[idx] = plan{shape: computed, guessed: true}
	return true, nil
}

// inputValue wraps t as an ONNX Runtime value that shares t's memory (pinned
// until the run ends).
func inputValue(info IOInfo, t *tensor.Tensor, pin *runtime.Pinner) (onnx.Value, error) {
	if !info.IsTensor() {
		return nil, fmt.Errorf("is a %s; only tensor inputs are supported", info.Kind)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	et, ok := ElementTypeOf(t.Type)
	if !ok {
		return nil, fmt.Errorf("%v tensors cannot be passed to ONNX Runtime", t.Type)
	}
	if et != info.Type {
		return nil, fmt.Errorf("model wants %v, got a %v tensor", info.Type, t.Type)
	}
	if len(info.Shape) > 0 {
		bad := len(info.Shape) != len(t.Dims)
		for i := 0; !bad && i < len(t.Dims); i++ {
			bad = info.Shape[i] >= 0 && info.Shape[i] != int64(t.Dims[i])
		}
		if bad {
			return nil, fmt.Errorf("model wants shape %v (-1: any), got %v", info.Shape, t.Dims)
		}
	}
	shape := make(onnx.Shape, len(t.Dims))
	for i, d := range t.Dims {
		shape[i] = int64(d)
	}
	switch d := t.Data.(type) {
	case []float32:
		return numericValue(shape, d, pin)
	case []float64:
		return numericValue(shape, d, pin)
	case []int8:
		return numericValue(shape, d, pin)
	case []uint8:
		return numericValue(shape, d, pin)
	case []int32:
		return numericValue(shape, d, pin)
	case []int64:
		return numericValue(shape, d, pin)
	case []bool:
		return numericValue(shape, d, pin)
	case []float16.Float16:
		return customValue(shape, bytesOf(d), et, pin)
	case []tensor.BF16Bits:
		return customValue(shape, bytesOf(d), et, pin)
	}
	return nil, fmt.Errorf("unsupported data %T", t.Data)
}

func numericValue[T onnx.TensorData](shape onnx.Shape, data []T, pin *runtime.Pinner) (onnx.Value, error) {
	if len(shape) == 0 {
		return onnx.NewScalar(data[0]) // copies
	}
	if len(data) > 0 {
		pin.Pin(&data[0])
	}
	return onnx.NewTensor(shape, data)
}

// customValue wraps raw little-endian 16-bit elements.
func customValue(shape onnx.Shape, raw []byte, et ElementType, pin *runtime.Pinner) (onnx.Value, error) {
	if len(shape) == 0 {
		// onnxruntime_go cannot make a rank-0 tensor of these types; ONNX
		// Runtime accepts a one-element 1-D tensor for a scalar input.
		shape = onnx.Shape{1}
	}
	if len(raw) == 0 {
		raw = make([]byte, 2) // onnxruntime_go refuses an empty buffer; ORT needs none
	}
	pin.Pin(&raw[0])
	return onnx.NewCustomDataTensor(shape, raw, onnx.TensorElementDataType(et))
}

func bytesOf[T float16.Float16 | tensor.BF16Bits](d []T) []byte {
	if len(d) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(d))), 2*len(d))
}

// preallocOutput makes a host tensor of the given shape (nil: a scalar) and an
// ONNX Runtime value over its memory.
func preallocOutput(info IOInfo, shape []int64, pin *runtime.Pinner) (onnx.Value, *tensor.Tensor, error) {
	dt, _ := info.Type.DataType()
	dims := make([]int, len(shape))
	for i, d := range shape {
		dims[i] = int(d)
	}
	t, err := tensor.New(info.Name, dt, dims)
	if err != nil {
		return nil, nil, err
	}
	oshape := onnx.Shape(shape)
	var v onnx.Value
	switch d := t.Data.(type) {
	case []float16.Float16:
		v, err = customValue(oshape, bytesOf(d), info.Type, pin)
	case []tensor.BF16Bits:
		v, err = customValue(oshape, bytesOf(d), info.Type, pin)
	default:
		if len(shape) != 0 {
			return nil, nil, fmt.Errorf("internal: %v output preallocated with shape %v", info.Type, shape)
		}
		// A scalar: ONNX Runtime writes into the Scalar's own buffer.
		v, err = newScalar(dt)
		if err == nil {
			return v, nil, nil // converted after the run by hostFromValue
		}
	}
	if err != nil {
		return nil, nil, err
	}
	return v, t, nil
}

func newScalar(dt tensor.DataType) (onnx.Value, error) {
	switch dt {
	case tensor.Float:
		return onnx.NewEmptyScalar[float32]()
	case tensor.Double:
		return onnx.NewEmptyScalar[float64]()
	case tensor.Int8:
		return onnx.NewEmptyScalar[int8]()
	case tensor.UInt8:
		return onnx.NewEmptyScalar[uint8]()
	case tensor.Int32:
		return onnx.NewEmptyScalar[int32]()
	case tensor.Int64:
		return onnx.NewEmptyScalar[int64]()
	case tensor.Bool:
		return onnx.NewEmptyScalar[bool]()
	}
	return nil, fmt.Errorf("no scalar of type %v", dt)
}

// hostFromValue turns a value from a run into a host tensor. The data of
// onnxruntime_go's Tensor[T] is a Go copy, which the host tensor keeps.
func hostFromValue(info IOInfo, v onnx.Value) (*tensor.Tensor, error) {
	if v == nil {
		return nil, errors.New("ONNX Runtime returned no value")
	}
	var (
		dt   tensor.DataType
		data any
	)
	switch x := v.(type) {
	case *onnx.Tensor[float32]:
		dt, data = tensor.Float, x.GetData()
	case *onnx.Tensor[float64]:
		dt, data = tensor.Double, x.GetData()
	case *onnx.Tensor[int8]:
		dt, data = tensor.Int8, x.GetData()
	case *onnx.Tensor[uint8]:
		dt, data = tensor.UInt8, x.GetData()
	case *onnx.Tensor[int32]:
		dt, data = tensor.Int32, x.GetData()
	case *onnx.Tensor[int64]:
		dt, data = tensor.Int64, x.GetData()
	case *onnx.Tensor[bool]:
		dt, data = tensor.Bool, x.GetData()
	case *onnx.Scalar[float32]:
		dt, data = tensor.Float, []float32{x.GetData()}
	case *onnx.Scalar[float64]:
		dt, data = tensor.Double, []float64{x.GetData()}
	case *onnx.Scalar[int8]:
		dt, data = tensor.Int8, []int8{x.GetData()}
	case *onnx.Scalar[uint8]:
		dt, data = tensor.UInt8, []uint8{x.GetData()}
	case *onnx.Scalar[int32]:
		dt, data = tensor.Int32, []int32{x.GetData()}
	case *onnx.Scalar[int64]:
		dt, data = tensor.Int64, []int64{x.GetData()}
	case *onnx.Scalar[bool]:
		dt, data = tensor.Bool, []bool{x.GetData()}
	default:
		return nil, fmt.Errorf("unexpected value %T of element type %v", v,
			ElementType(onnx.TensorElementDataType(v.DataType())))
	}
	var dims []int // nil for scalars (Scalar values report a nil shape), as tensor.New makes them
	for _, d := range v.GetShape() {
		dims = append(dims, int(d))
	}
	t := &tensor.Tensor{Name: info.Name, Type: dt, Dims: dims, Data: data}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return t, nil
}
