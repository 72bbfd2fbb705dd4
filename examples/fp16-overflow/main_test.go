package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The demo's claim: only the plain FP16 engine fails, and pinning the one
// overflowing layer to FP32 fixes it.
func TestDemoFindsTheOverflowingLayer(t *testing.T) {
	var b strings.Builder
	failed, err := demo(&b, 2, 1e-2, 1e-2)
	require.NoError(t, err)
	require.Equal(t, []string{"FP16"}, failed, b.String())
	require.Contains(t, b.String(), "FP32: normalize")
}
