package onnx

import (
	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

func init() {
	Register("NegativeLogLikelihoodLoss", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		var w *trt.Tensor
		if len(in) > 2 {
			w = in[2]
		}
		out, err := nllLoss(c, in[0], in[1], w)
		if err != nil {
			return nil, err
		}
		return []*trt.Tensor{out}, nil
	})
	Register("SoftmaxCrossEntropyLoss", func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		if len(in[0].Dimensions()) < 2 {
			return nil, c.Errorf("scores must have rank >= 2, got %v", in[0].Dimensions())
		}
		ls := c.Net().AddSoftMax(in[0], 1)
		ls.SetMode(trt.SoftmaxLog)
		var w *trt.Tensor
		if len(in) > 2 {
			w = in[2]
		}
		out, err := nllLoss(c, ls.Output(0), in[1], w)
		if err != nil {
			return nil, err
		}
		return []*trt.Tensor{out, ls.Output(0)}, nil
	})
}

// nllLoss builds ONNX NegativeLogLikelihoodLoss from gathers and reductions:
// loss[n, d...] = -input[n, target[n, d...], d...] * weight[target] (0 where
// target == ignore_index); reduction none, sum, or mean (divided by the sum
// of the applied weights).
func nllLoss(c *Ctx, input, target, weight *trt.Tensor) (*trt.Tensor, error) {
	net := c.Net()
	reduction, err := c.Node.AttrString("reduction", "mean")
	if err != nil {
		return nil, err
	}
	if reduction != "none" && reduction != "sum" && reduction != "mean" {
		return nil, c.Errorf("reduction must be none, sum or mean, got %q", reduction)
	}
	if target.Type() != tensor.Int64 && target.Type() != tensor.Int32 {
		return nil, c.Errorf("target must be INT32 or INT64, got %v", target.Type())
	}
	if len(input.Dimensions()) != len(target.Dimensions())+1 {
		return nil, c.Errorf("input %v must have one more dim than target %v", input.Dimensions(), target.Dimensions())
	}
	ft := input.Type()
	t := target
	var mask *trt.Tensor // FP mask: 1 where the target counts
	if c.Node.HasAttr("ignore_index") {
		ii, err := c.Node.AttrInt("ignore_index", 0)
		if err != nil {
			return nil, err
		}
		iiT := c.ConstScalar(target.Type(), float64(ii))
		ne := net.AddUnary(net.AddElementWise(target, iiT, trt.ElementWiseEqual).Output(0), trt.UnaryNot).Output(0)
		t = net.AddSelect(ne, target, c.ConstScalar(target.Type(), 0)).Output(0)
		mask = net.AddCast(ne, ft).Output(0)
	}
	// Gather input[n, t, d...] along axis 1.
	r := len(target.Dimensions())
	var unsqT *trt.Tensor
	if td := target.Dimensions(); knownDims(td) {
		ud := append(trt.Dims{td[0], 1}, td[1:]...)
		s := net.AddShuffle(t)
		s.SetReshapeDimensions(ud)
		unsqT = s.Output(0)
	} else {
		shp := net.AddShape(t).Output(0)
		head := net.AddSliceStatic(shp, []int64{0}, []int64{1}, nil, nil).Output(0)
		tail := net.AddSliceStatic(shp, []int64{1}, []int64{int64(r)}, nil, nil).Output(0)
		cat := net.AddConcatenation([]*trt.Tensor{head, c.ConstInts([]int64{1}), tail}, 0).Output(0)
		unsqT = net.AddReshape(t, cat, false).Output(0)
	}
	g := net.AddGatherV2(input, unsqT, trt.GatherModeElements, 1)
	c.Main(g)
	picked := net.AddReshape(g.Output(0), net.AddShape(target).Output(0), false).Output(0)
	var wt *trt.Tensor // per-element weight
	if weight != nil {
		wt = net.AddGather(weight, t, 0).Output(0)
		if mask != nil {
			wt = net.AddElementWise(wt, mask, trt.ElementWiseProd).Output(0)
		}
	} else {
		wt = mask
	}
	loss := net.AddUnary(picked, trt.UnaryNeg).Output(0)
	if wt != nil {
		loss = net.AddElementWise(loss, wt, trt.ElementWiseProd).Output(0)
	}
	all := make([]int, r)
	for i := range all {
		all[i] = i
	}
	switch reduction {
	case "none":
		return loss, nil
	case "sum":
		return net.AddReduce(loss, trt.ReduceSum, all, false).Output(0), nil
	}
	if wt == nil {
		return net.AddReduce(loss, trt.ReduceAvg, all, false).Output(0), nil
	}
	num := net.AddReduce(loss, trt.ReduceSum, all, false).Output(0)
	den := net.AddReduce(wt, trt.ReduceSum, all, false).Output(0)
	return net.AddElementWise(num, den, trt.ElementWiseDiv).Output(0), nil
}

func knownDims(d trt.Dims) bool {
	for _, v := range d {
		if v < 0 {
			return false
		}
	}
	return true
}
