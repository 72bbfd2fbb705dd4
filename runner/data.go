package runner

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"

	"github.com/x448/float16"

	"github.com/gotrt/gotrt/internal/npz"
	"github.com/gotrt/gotrt/tensor"
)

// IOInfo describes a model input or output: name, element type and dims
// (-1 for a dim known only at run time).
type IOInfo struct {
	Name string          `json:"name"`
	Type tensor.DataType `json:"-"`
	Dims []int           `json:"shape"`
}

// String formats the info as Polygraphy does: "x [dtype=FP32, shape=[1, 3]]".
func (i IOInfo) String() string {
	return fmt.Sprintf("%s [dtype=%v, shape=%s]", i.Name, i.Type, FormatDims(i.Dims))
}

// Static reports whether every dim is known.
func (i IOInfo) Static() bool {
	for _, d := range i.Dims {
		if d < 0 {
			return false
		}
	}
	return true
}

// DefaultSeed is Polygraphy's default seed.
const DefaultSeed = 1

// DataOptions controls generated inputs.
type DataOptions struct {
	Seed   int64
	Ranges ValRanges
}

// streamFor gives each input its own generator, seeded from the seed and the
// input's name.
func streamFor(seed int64, name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
}

// GenerateInputs makes random data for every input (see the package
// documentation for the distributions). Every input's dims must be known.
func GenerateInputs(inputs []IOInfo, opt DataOptions) (map[string]*tensor.Tensor, error) {
	out := map[string]*tensor.Tensor{}
	for _, in := range inputs {
		_, explicit := opt.Ranges.PerInput[in.Name]
		t, err := generate(in, opt.Ranges.For(in.Name), explicit, streamFor(opt.Seed, in.Name))
		if err != nil {
			return nil, badInput("input %q: %v", in.Name, err)
		}
		out[in.Name] = t
	}
	for name := range opt.Ranges.PerInput {
		if !hasIO(inputs, name) {
			return nil, badInput("--val-range names %q, which is not a model input (inputs: %s)", name, ioNames(inputs))
		}
	}
	return out, nil
}

func hasIO(ios []IOInfo, name string) bool {
	for _, i := range ios {
		if i.Name == name {
			return true
		}
	}
	return false
}

func ioNames(ios []IOInfo) string {
	var s []string
	for _, i := range ios {
		s = append(s, i.Name)
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// intLimits are the values each integer type holds.
func intLimits(t tensor.DataType) (lo, hi float64) {
	switch t {
	case tensor.Int8:
		return math.MinInt8, math.MaxInt8
	case tensor.UInt8:
		return 0, math.MaxUint8
	case tensor.Int32:
		return math.MinInt32, math.MaxInt32
	default:
		return -(1 << 62), 1 << 62
	}
}

// generate makes one input. A range given for this input must fit an
// integer type; the default range is clipped to the type's limits.
func generate(in IOInfo, r ValRange, explicit bool, rng *rand.Rand) (*tensor.Tensor, error) {
	if !in.Static() {
		return nil, fmt.Errorf("dims %s are not all known: give them with --input-shapes", FormatDims(in.Dims))
	}
	vol := 1.0
	for _, d := range in.Dims {
		vol *= float64(d)
	}
	if vol > MaxElements {
		return nil, fmt.Errorf("shape %s has %.3g elements, more than gotrt generates (%d)", FormatDims(in.Dims), vol, int64(MaxElements))
	}
	t, err := tensor.New(in.Name, in.Type, in.Dims)
	if err != nil {
		return nil, err
	}
	uniform := func() float64 { return r.Lo + rng.Float64()*(r.Hi-r.Lo) }
	var ilo, ihi int64
	if !in.Type.IsFloat() && in.Type != tensor.Bool {
		lo, hi := math.Ceil(r.Lo), math.Floor(r.Hi)
		tlo, thi := intLimits(in.Type)
		if (lo < tlo || hi > thi) && explicit {
			return nil, fmt.Errorf("value range %v does not fit %v", r, in.Type)
		}
		lo, hi = math.Max(lo, tlo), math.Min(hi, thi)
		if lo > hi {
			return nil, fmt.Errorf("value range %v holds no %v value", r, in.Type)
		}
		ilo, ihi = int64(lo), int64(hi)
	}
	intv := func() int64 { return ilo + rng.Int64N(ihi-ilo+1) }
	switch d := t.Data.(type) {
	case []float32:
		for i := range d {
			d[i] = float32(uniform())
		}
	case []float64:
		for i := range d {
			d[i] = uniform()
		}
	case []float16.Float16:
		for i := range d {
			d[i] = float16.Fromfloat32(float32(uniform()))
		}
	case []tensor.BF16Bits:
		for i := range d {
			d[i] = tensor.ToBF16(float32(uniform()))
		}
	case []int8:
		for i := range d {
			d[i] = int8(intv())
		}
	case []uint8:
		for i := range d {
			d[i] = uint8(intv())
		}
	case []int32:
		for i := range d {
			d[i] = int32(intv())
		}
	case []int64:
		for i := range d {
			d[i] = intv()
		}
	case []bool:
		for i := range d {
			d[i] = rng.IntN(2) == 1
		}
	default:
		return nil, fmt.Errorf("cannot generate %v data", in.Type)
	}
	return t, nil
}

// ReadTensors reads an .npz file. Errors match ErrBadInput and name the file.
func ReadTensors(path string) ([]*tensor.Tensor, error) {
	if err := checkFile(path); err != nil {
		return nil, err
	}
	ts, err := npz.ReadNPZ(path)
	if err != nil {
		msg := strings.TrimPrefix(strings.TrimPrefix(err.Error(), "npz: "), path+": ")
		return nil, badInput("%s: not a readable .npz file: %s", path, msg)
	}
	return ts, nil
}

// checkFile gives a plain message for a path that is missing, a folder or
// empty.
func checkFile(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return badInput("%s: no such file", path)
	case err != nil:
		return badInput("%v", err)
	case st.IsDir():
		return badInput("%s: is a directory, not a file", path)
	case st.Size() == 0:
		return badInput("%s: empty file", path)
	}
	return nil
}

// MatchInputs checks loaded tensors against the model inputs: every input
// must be present once, no extra array may be present, and each array's dims
// must fit the input's (dynamic dims take the array's). Arrays of another
// type of the same kind (FP64 data for an FP32 input, INT32 for INT64) are
// converted when every value fits. The result is keyed by input name.
func MatchInputs(ts []*tensor.Tensor, inputs []IOInfo, source string) (map[string]*tensor.Tensor, error) {
	byName := map[string]*tensor.Tensor{}
	for _, t := range ts {
		if _, dup := byName[t.Name]; dup {
			return nil, badInput("%s: array %q appears twice", source, t.Name)
		}
		byName[t.Name] = t
	}
	out := map[string]*tensor.Tensor{}
	var missing []string
	for _, in := range inputs {
		t, ok := byName[in.Name]
		if !ok {
			missing = append(missing, in.Name)
			continue
		}
		if len(t.Dims) != len(in.Dims) {
			return nil, badInput("%s: array %q has shape %s, the model input has rank %d %s", source, in.Name, FormatDims(t.Dims), len(in.Dims), FormatDims(in.Dims))
		}
		for i, d := range in.Dims {
			if d >= 0 && t.Dims[i] != d {
				return nil, badInput("%s: array %q has shape %s, the model input needs %s", source, in.Name, FormatDims(t.Dims), FormatDims(in.Dims))
			}
		}
		c, err := Convert(t, in.Type)
		if err != nil {
			return nil, badInput("%s: array %q: %v", source, in.Name, err)
		}
		c.Name = in.Name
		out[in.Name] = c
	}
	if len(missing) > 0 {
		return nil, badInput("%s: no array for model input(s) %s (arrays: %s)", source, strings.Join(missing, ", "), tensorNames(ts))
	}
	var extra []string
	for name := range byName {
		if !hasIO(inputs, name) {
			extra = append(extra, name)
		}
	}
	if len(extra) > 0 {
		sort.Strings(extra)
		return nil, badInput("%s: array(s) %s are not model inputs (inputs: %s)", source, strings.Join(extra, ", "), ioNames(inputs))
	}
	return out, nil
}

func tensorNames(ts []*tensor.Tensor) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.Name)
	}
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// Convert returns t as type to: t itself when the types match; a converted
// copy between floating-point types, or between integer types when every
// value fits. Other conversions (float to int, bool to number) are errors.
func Convert(t *tensor.Tensor, to tensor.DataType) (*tensor.Tensor, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.Type == to {
		return t, nil
	}
	from := t.Type
	out, err := tensor.New(t.Name, to, t.Dims)
	if err != nil {
		return nil, err
	}
	switch {
	case from.IsFloat() && to.IsFloat():
		vals := t.Float64s()
		switch d := out.Data.(type) {
		case []float32:
			for i, v := range vals {
				d[i] = float32(v)
			}
		case []float64:
			copy(d, vals)
		case []float16.Float16:
			for i, v := range vals {
				d[i] = float16.Fromfloat32(float32(v))
			}
		case []tensor.BF16Bits:
			for i, v := range vals {
				d[i] = tensor.ToBF16(float32(v))
			}
		default:
			return nil, fmt.Errorf("cannot convert %v to %v", from, to)
		}
	case isInt(from) && isInt(to):
		vals := intsOf(t)
		if to != tensor.Int64 {
			lo, hi := intLimits(to)
			for _, v := range vals {
				if float64(v) < lo || float64(v) > hi {
					return nil, fmt.Errorf("value %d does not fit %v", v, to)
				}
			}
		}
		switch d := out.Data.(type) {
		case []int8:
			for i, v := range vals {
				d[i] = int8(v)
			}
		case []uint8:
			for i, v := range vals {
				d[i] = uint8(v)
			}
		case []int32:
			for i, v := range vals {
				d[i] = int32(v)
			}
		case []int64:
			copy(d, vals)
		}
	default:
		return nil, fmt.Errorf("has type %v, the model needs %v", from, to)
	}
	return out, nil
}

func isInt(d tensor.DataType) bool {
	return d == tensor.Int8 || d == tensor.UInt8 || d == tensor.Int32 || d == tensor.Int64
}

func intsOf(t *tensor.Tensor) []int64 {
	out := make([]int64, t.Len())
	switch d := t.Data.(type) {
	case []int8:
		for i, v := range d {
			out[i] = int64(v)
		}
	case []uint8:
		for i, v := range d {
			out[i] = int64(v)
		}
	case []int32:
		for i, v := range d {
			out[i] = int64(v)
		}
	case []int64:
		copy(out, d)
	}
	return out
}

// SaveTensors writes tensors to an .npz file, one array per name, in the
// given order (names not in order follow sorted).
func SaveTensors(path string, ts map[string]*tensor.Tensor, order []string) error {
	var list []*tensor.Tensor
	seen := map[string]bool{}
	add := func(name string) {
		if t := ts[name]; t != nil && !seen[name] {
			seen[name] = true
			c := *t
			c.Name = name
			list = append(list, &c)
		}
	}
	for _, n := range order {
		add(n)
	}
	var rest []string
	for n := range ts {
		if !seen[n] {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	for _, n := range rest {
		add(n)
	}
	if err := npz.WriteNPZ(path, list); err != nil {
		return badInput("%v", err)
	}
	return nil
}
