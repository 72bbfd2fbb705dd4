package models

import (
	"fmt"
	"math"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// SpeechOptions configures SpeechLSTM. Zero fields take the defaults noted.
type SpeechOptions struct {
	// Seq and Batch are the input size (default 50 frames, batch 1).
	Seq, Batch int
	// Dynamic makes the seq and batch dims symbolic ("seq", "batch").
	Dynamic bool
	// Features per frame (default 40, log-mel), LSTMHidden (default 64, per
	// direction), GRUHidden (default 64), Classes (default 29).
	Features, LSTMHidden, GRUHidden, Classes int
	// Opset is the default-domain opset (14 to 17; default 14).
	Opset int
	// Seed seeds the weights.
	Seed uint64
}

// SpeechLSTM builds a small recurrent acoustic model in PyTorch's export
// layout (sequence first):
//
//   - a bidirectional LSTM over [seq, N, Features] whose output
//     [seq, 2, N, H] is Transposed and Reshaped to [seq, N, 2H];
//   - a forward GRU (linear_before_reset=1, as PyTorch) whose output is
//     Squeezed to [seq, N, G];
//   - a per-frame head: MatMul+Add and LogSoftmax, output "frame_logits"
//     [seq, N, Classes];
//   - an utterance head on the GRU's last state: Squeeze and Gemm, output
//     "utterance_logits" [N, Classes].
//
// Input "features" [seq, N, Features].
func SpeechLSTM(opt SpeechOptions) (*onnxpb.Model, error) {
	def := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	def(&opt.Seq, 50)
	def(&opt.Batch, 1)
	def(&opt.Features, 40)
	def(&opt.LSTMHidden, 64)
	def(&opt.GRUHidden, 64)
	def(&opt.Classes, 29)
	def(&opt.Opset, 14)
	if err := checkPositive("SpeechLSTM sizes", opt.Seq, opt.Batch, opt.Features, opt.LSTMHidden, opt.GRUHidden, opt.Classes); err != nil {
		return nil, err
	}
	if opt.Opset < 14 || opt.Opset > 17 {
		return nil, fmt.Errorf("models: SpeechLSTM opset must be 14..17, got %d", opt.Opset)
	}
	b := newBuilder("main_graph", opt.Opset, opt.Seed)
	F, H, G := int64(opt.Features), int64(opt.LSTMHidden), int64(opt.GRUHidden)
	x := b.input("features", dimOf(opt.Seq, opt.Dynamic, "seq"), dimOf(opt.Batch, opt.Dynamic, "batch"), dim{size: opt.Features})

	// PyTorch's default RNN init: U(-1/sqrt(hidden), 1/sqrt(hidden)).
	kh := 1 / math.Sqrt(float64(H))
	w := b.uniform("onnx::LSTM_W", []int64{2, 4 * H, F}, -kh, kh)
	r := b.uniform("onnx::LSTM_R", []int64{2, 4 * H, H}, -kh, kh)
	bias := b.uniform("onnx::LSTM_B", []int64{2, 8 * H}, -kh, kh)
	y := b.node("/lstm", "LSTM", []string{x, w, r, bias}, 3,
		attrString("direction", "bidirectional"), attrInt("hidden_size", H))[0]
	y = b.transpose("/lstm", y, 0, 2, 1, 3)
	y = b.reshape("/lstm", y, 0, 0, -1)

	kg := 1 / math.Sqrt(float64(G))
	gw := b.uniform("onnx::GRU_W", []int64{1, 3 * G, 2 * H}, -kg, kg)
	gr := b.uniform("onnx::GRU_R", []int64{1, 3 * G, G}, -kg, kg)
	gb := b.uniform("onnx::GRU_B", []int64{1, 6 * G}, -kg, kg)
	outs := b.node("/gru", "GRU", []string{y, gw, gr, gb}, 2, attrInt("hidden_size", G), attrInt("linear_before_reset", 1))
	seq := b.squeeze("/gru", outs[0], 1)
	last := b.squeeze("/gru", outs[1], 0)

	// Heads with a larger gain, so that the logits spread like a trained
	// model's (std ~1) rather than staying near uniform.
	frame := b.linear("/frame_head", "frame_head", seq, int(G), opt.Classes, 25)
	frame = b.op1("", "LogSoftmax", []string{frame}, attrInt("axis", 2))
	utt := b.gemm("/utt_head", "utt_head", last, int(G), opt.Classes, 25)
	b.output(frame, "frame_logits")
	b.output(utt, "utterance_logits")
	return b.model(), nil
}
