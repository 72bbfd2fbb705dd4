package main

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFlagParsing(t *testing.T) {
	cases := []struct {
		args   []string
		pos    []string
		shapes []string
		atol   []string
		fp16   bool
	}{
		{[]string{"m.onnx", "--fp16"}, []string{"m.onnx"}, nil, nil, true},
		{[]string{"--fp16", "m.onnx"}, []string{"m.onnx"}, nil, nil, true},
		{[]string{"--input-shapes", "x:[1,3]", "y:[2]", "m.onnx"}, []string{"m.onnx"}, []string{"x:[1,3]", "y:[2]"}, nil, false},
		{[]string{"m.onnx", "--input-shapes", "x:[1,3],y:[2]"}, []string{"m.onnx"}, []string{"x:[1,3],y:[2]"}, nil, false},
		{[]string{"m.onnx", "--input-shapes=x:[1,3]", "y:[2]", "-fp16"}, []string{"m.onnx"}, []string{"x:[1,3]", "y:[2]"}, nil, true},
		{[]string{"--atol", "1e-3", "out:1e-2", "m.onnx"}, []string{"m.onnx"}, nil, []string{"1e-3", "out:1e-2"}, false},
		{[]string{"--atol", "-1", "m.onnx"}, []string{"m.onnx"}, nil, []string{"-1"}, false},
		{[]string{"m.onnx", "--", "--fp16"}, []string{"m.onnx", "--fp16"}, nil, nil, false},
	}
	for _, c := range cases {
		fs := newFlagSet("t", "t")
		fp16 := fs.Bool("fp16", false, "")
		shapes := fs.list("input-shapes", "")
		atol := fs.list("atol", "")
		pos, err := fs.parse(c.args)
		require.NoError(t, err, "%v", c.args)
		require.Equal(t, c.pos, pos, "%v", c.args)
		require.Equal(t, c.fp16, *fp16, "%v", c.args)
		require.Equal(t, append([]string{}, c.shapes...), append([]string{}, *shapes...), "%v", c.args)
		require.Equal(t, append([]string{}, c.atol...), append([]string{}, *atol...), "%v", c.args)
	}
}
