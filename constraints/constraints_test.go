package constraints

import (
	"testing"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
	"github.com/stretchr/testify/require"
)

func TestParseRules(t *testing.T) {
	r, err := ParseRules([]string{"conv1:fp32,attn*:fp16", "lstm:[fp32,fp16]"})
	require.NoError(t, err)
	require.Equal(t, []Rule{
		{Pattern: "conv1", Types: []tensor.DataType{tensor.Float}},
		{Pattern: "attn*", Types: []tensor.DataType{tensor.Half}},
		{Pattern: "lstm", Types: []tensor.DataType{tensor.Float, tensor.Half}},
	}, r)
	for _, bad := range []string{"conv1", "conv1:", ":fp32", "x:fp7", "[a:fp32"} {
		_, err := ParseRules([]string{bad})
		require.Error(t, err, bad)
	}
}

func TestApply(t *testing.T) {
	net := trt.NewNetwork()
	x := net.AddInput("x", trt.Float, trt.Dims{2})
	a := net.AddActivation(x, trt.ActivationRelu)
	a.SetName("block1/relu")
	b := net.AddActivation(a.Output(0), trt.ActivationSigmoid)
	b.SetName("block2/sigmoid")
	rules, err := ParseRules([]string{"block1/*:fp32"})
	require.NoError(t, err)
	require.NoError(t, ApplyPrecisions(net, rules))
	require.True(t, a.PrecisionIsSet())
	require.False(t, b.PrecisionIsSet())
	require.NoError(t, ApplyOutputTypes(net, []Rule{{Pattern: "block2/*", Types: []tensor.DataType{tensor.Half}}}))
	require.Equal(t, trt.Half, b.OutputType(0))
	require.ErrorContains(t, ApplyPrecisions(net, []Rule{{Pattern: "nope*", Types: []tensor.DataType{tensor.Float}}}), "matches no layer")
}
