package kern

import (
	"fmt"
	"math"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/trt/internal/ir"
)

// ewArgs mirrors EwArgs in cu/ew.cu.
type ewArgs struct {
	Out         uint64
	N           int64
	Rank        int64
	OType       int64
	Dims        [maxRank]int64
	In          [3]uint64
	IType       [3]int64
	IMode       [3]int64
	Str         [3][maxRank]int64
	Op          int64
	Alpha, Beta float64
	Flags       int64
}

// coalesce drops dims of extent 1 and merges adjacent dims that every
// stride set walks contiguously. It returns the new dims and strides.
func coalesce(dims []int, strides [][]int64) ([]int64, [][]int64) {
	var d []int64
	s := make([][]int64, len(strides))
	for i, n := range dims {
		if n == 1 {
			continue
		}
		if len(d) > 0 {
			last := len(d) - 1
			ok := true
			for k := range strides {
				if s[k][last] != strides[k][i]*int64(n) {
					ok = false
					break
				}
			}
			if ok {
				d[last] *= int64(n)
				for k := range strides {
					s[k][last] = strides[k][i]
				}
				continue
			}
		}
		d = append(d, int64(n))
		for k := range strides {
			s[k] = append(s[k], strides[k][i])
		}
	}
	return d, s
}

// ew launches an element-wise kernel family (name without the variant
// suffix) writing out from up to three inputs broadcast to out's dims.
func (l *Lib) ew(c *Call, name string, op int64, alpha, beta float64, flags int64, out Tensor, ins ...Tensor) error {
	n := vol(out.Dims)
	if n == 0 {
		return nil
	}
	if out.Ptr == 0 {
		return fmt.Errorf("output has no device data")
	}
	a := ewArgs{Out: uint64(out.Ptr), N: n, OType: int64(out.Type), Op: op, Alpha: alpha, Beta: beta, Flags: flags}
	strides := make([][]int64, len(ins))
	fast := true
	for k, t := range ins {
		if t.Ptr == 0 {
			return fmt.Errorf("input %d has no device data", k)
		}
		if _, err := ir.Broadcast(t.Dims, out.Dims); err != nil || len(t.Dims) > len(out.Dims) {
			return fmt.Errorf("input %d dims %s do not broadcast to the output %s", k, ir.DimsString(t.Dims), ir.DimsString(out.Dims))
		}
		v := vol(t.Dims)
		for i := range t.Dims {
			if j := i + len(out.Dims) - len(t.Dims); t.Dims[i] != 1 && t.Dims[i] != out.Dims[j] {
				return fmt.Errorf("input %d dims %s do not broadcast to the output %s", k, ir.DimsString(t.Dims), ir.DimsString(out.Dims))
			}
		}
		a.In[k] = uint64(t.Ptr)
		a.IType[k] = int64(t.Type)
		switch {
		case v == 1:
			a.IMode[k] = 2
		case v == n:
			a.IMode[k] = 1
		default:
			fast = false
		}
		strides[k] = broadcastStrides(t.Dims, out.Dims)
	}
	for k := len(ins); k < 3; k++ {
		a.IMode[k] = 2
		a.In[k] = a.In[0]
		a.IType[k] = a.IType[0]
	}
	variant := "_f"
	if !fast {
		variant = "_g"
		d, s := coalesce(out.Dims, strides)
		if len(d) > maxRank {
			return fmt.Errorf("%w: rank %d", ErrUnsupported, len(d))
		}
		a.Rank = int64(len(d))
		copy(a.Dims[:], d)
		for k := range s {
			copy(a.Str[k][:], s[k])
		}
	}
	if n < math.MaxInt32 {
		variant += "32"
	} else {
		variant += "64"
	}
	return l.launch(c, name+variant, n, argBytes(&a))
}

// copyOrCast writes in converted to out's type (a plain copy when the types match).
func (l *Lib) copyOrCast(c *Call, out, in Tensor) error {
	if vol(out.Dims) != vol(in.Dims) {
		return fmt.Errorf("output %s and input %s differ in size", ir.DimsString(out.Dims), ir.DimsString(in.Dims))
	}
	if out.Type == in.Type {
		return l.copyBytes(c, out.Ptr, in.Ptr, vol(in.Dims)*int64(in.Type.Size()))
	}
	return l.ew(c, "ew_cast", 0, 0, 0, 0, Tensor{Ptr: out.Ptr, Type: out.Type, Dims: in.Dims}, in)
}

// copyBytes copies n bytes between device buffers.
func (l *Lib) copyBytes(c *Call, dst, src cuda.DevicePtr, n int64) error {
	if n <= 0 || dst == src {
		return nil
	}
	if dst == 0 || src == 0 {
		return fmt.Errorf("copy between absent buffers")
	}
	head := int64(0)
	if dst%16 == 0 && src%16 == 0 && n >= 16 {
		head = n / 16
		if err := l.launch(c, "copy_v16", head, dst, src, head); err != nil {
			return err
		}
		head *= 16
	}
	if rest := n - head; rest > 0 {
		return l.launch(c, "copy_b1", rest, dst+cuda.DevicePtr(head), src+cuda.DevicePtr(head), rest)
	}
	return nil
}

func (l *Lib) elementWise(c *Call) error {
	op := c.Node.Params.(*ir.ElementWiseParams).Op
	a, err := c.input(0)
	if err != nil {
		return err
	}
	b, err := c.input(1)
	if err != nil {
		return err
	}
	if isFloat(a.Type) != isFloat(b.Type) {
		return fmt.Errorf("%v inputs have mismatched types %v and %v", op, a.Type, b.Type)
	}
	name := "ew_bin_i"
	if isFloat(a.Type) {
		if !floatBinaryOp(op) {
			return fmt.Errorf("%w: %v for %v", ErrUnsupported, op, a.Type)
		}
		name = "ew_bin_f"
	}
	return l.ew(c, name, int64(op), 0, 0, 0, c.Out[0], a, b)
}

func floatBinaryOp(op ir.ElementWiseOp) bool {
	switch op {
	case ir.EwAnd, ir.EwOr, ir.EwXor, ir.EwBitShiftLeft, ir.EwBitShiftRight:
		return false
	}
	return true
}

func (l *Lib) unary(c *Call) error {
	p := c.Node.Params.(*ir.UnaryParams)
	x, err := c.input(0)
	if err != nil {
		return err
	}
	if isFloat(x.Type) {
		if p.Op == ir.UnNot {
			return fmt.Errorf("%w: %v for %v", ErrUnsupported, p.Op, x.Type)
		}
		var flags int64
		if p.DetectPositive {
			flags |= 1
		}
		if p.DetectNegative {
			flags |= 2
		}
		return l.ew(c, "ew_unary_f", int64(p.Op), 0, 0, flags, c.Out[0], x)
	}
	switch p.Op {
	case ir.UnNot, ir.UnAbs, ir.UnNeg, ir.UnSign:
	default:
		return fmt.Errorf("%w: %v for %v", ErrUnsupported, p.Op, x.Type)
	}
	return l.ew(c, "ew_unary_i", int64(p.Op), 0, 0, 0, c.Out[0], x)
}
