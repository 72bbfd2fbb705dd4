package onnx

import (
	"strings"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

// Importers of the recurrent operators RNN, GRU and LSTM: one RNN layer with
// ONNX semantics (gates, activations with alpha/beta, clip, directions,
// layouts, sequence lengths, initial states and peepholes).

func init() {
	Register("RNN", importRecurrent(trt.RNNVanilla))
	Register("GRU", importRecurrent(trt.RNNGRU))
	Register("LSTM", importRecurrent(trt.RNNLSTM))
}

// nnRNNActivations are ONNX's recurrent activation functions (the names are
// matched case-insensitively, as ONNX Runtime does).
var nnRNNActivations = map[string]bool{
	"relu": true, "tanh": true, "sigmoid": true, "affine": true, "leakyrelu": true, "thresholdedrelu": true,
	"scaledtanh": true, "hardsigmoid": true, "elu": true, "softsign": true, "softplus": true,
}

func importRecurrent(mode trt.RNNMode) OpFunc {
	return func(c *Ctx, in []*trt.Tensor) ([]*trt.Tensor, error) {
		if err := nnRequire(c, in, "X", "W", "R"); err != nil {
			return nil, err
		}
		nin, nout, acts := 6, 2, 1
		switch mode {
		case trt.RNNLSTM:
			nin, nout, acts = 8, 3, 3
		case trt.RNNGRU:
			acts = 2
		}
		if len(in) > nin {
			return nil, c.Errorf("takes at most %d inputs, has %d", nin, len(in))
		}
		if len(c.Node.Outputs) > nout {
			return nil, c.Errorf("has at most %d outputs, got %d", nout, len(c.Node.Outputs))
		}
		a := nnAttr(c)
		p := &trt.RNNParams{Mode: mode}
		if a.has("hidden_size") {
			h := a.int("hidden_size", 0)
			if h < 1 && a.err == nil {
				return nil, c.Errorf("hidden_size must be positive, got %d", h)
			}
			p.HiddenSize = int(h)
		}
		p.Direction = a.str("direction", "forward")
		nd := 1
		switch p.Direction {
		case "forward", "reverse":
		case "bidirectional":
			nd = 2
		default:
			if a.err == nil {
				return nil, c.Errorf("direction must be forward, reverse or bidirectional, got %q", p.Direction)
			}
		}
		p.Activations = a.strs("activations", nil)
		p.ActivationAlpha = a.floats("activation_alpha", nil)
		p.ActivationBeta = a.floats("activation_beta", nil)
		if a.has("clip") {
			p.Clip = a.float("clip", 0)
			if !(p.Clip > 0) && a.err == nil {
				return nil, c.Errorf("clip must be positive, got %v", p.Clip)
			}
		}
		if c.Opset >= 14 {
			p.Layout = int(a.int("layout", 0))
			if p.Layout != 0 && p.Layout != 1 && a.err == nil {
				return nil, c.Errorf("layout must be 0 or 1, got %d", p.Layout)
			}
		}
		switch mode {
		case trt.RNNGRU:
			// linear_before_reset from opset 3 (GRU-1 resets first).
			p.LinearBeforeReset = a.bool(c, "linear_before_reset", false)
		case trt.RNNLSTM:
			p.InputForget = a.bool(c, "input_forget", false)
		}
		// output_sequence (opset 1) only says whether Y is wanted: the
		// outputs the node names decide.
		a.int("output_sequence", 0)
		if a.err != nil {
			return nil, a.err
		}
		if n := len(p.Activations); n != 0 && n != acts && n != acts*nd {
			return nil, c.Errorf("activations %v: want %d per direction", p.Activations, acts)
		}
		for _, f := range p.Activations {
			if !nnRNNActivations[strings.ToLower(f)] {
				return nil, c.Errorf("unknown activation %q in activations %v", f, p.Activations)
			}
		}
		if s := nnIn(in, 4); s != nil {
			if t := s.Type(); t != tensor.Int32 && t != tensor.Int64 {
				return nil, c.Errorf("sequence_lens must be INT32, got %v", t)
			}
		}
		ins := make([]*trt.Tensor, nin)
		copy(ins, in)
		l := c.Main(c.Net().AddRNN(p, ins...))
		outs := make([]*trt.Tensor, nout)
		for i := range outs {
			outs[i] = l.Output(i)
		}
		return outs, nil
	}
}
