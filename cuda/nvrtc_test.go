package cuda

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCacheKeyDependsOnEveryInput(t *testing.T) {
	base := func() string {
		return cacheKey("src", "k.cu", []string{"--gpu-architecture=sm_90", "-O3"}, "13.0", 13000, true)
	}
	k := base()
	require.Len(t, k, 64)
	require.Equal(t, k, base(), "deterministic")
	variants := []string{
		cacheKey("src2", "k.cu", []string{"--gpu-architecture=sm_90", "-O3"}, "13.0", 13000, true),
		cacheKey("src", "k2.cu", []string{"--gpu-architecture=sm_90", "-O3"}, "13.0", 13000, true),
		cacheKey("src", "k.cu", []string{"--gpu-architecture=sm_80", "-O3"}, "13.0", 13000, true),
		cacheKey("src", "k.cu", []string{"--gpu-architecture=sm_90"}, "13.0", 13000, true),
		cacheKey("src", "k.cu", []string{"-O3", "--gpu-architecture=sm_90"}, "13.0", 13000, true),
		cacheKey("src", "k.cu", []string{"--gpu-architecture=sm_90", "-O3"}, "12.8", 13000, true),
		cacheKey("src", "k.cu", []string{"--gpu-architecture=sm_90", "-O3"}, "13.0", 12080, true),
		cacheKey("src", "k.cu", []string{"--gpu-architecture=sm_90", "-O3"}, "13.0", 13000, false),
		// no ambiguity from concatenation
		cacheKey("", "k.cusrc", []string{"--gpu-architecture=sm_90", "-O3"}, "13.0", 13000, true),
		cacheKey("src", "k.cu", []string{"--gpu-architecture=sm_90-O3"}, "13.0", 13000, true),
	}
	seen := map[string]bool{k: true}
	for i, v := range variants {
		require.False(t, seen[v], "variant %d collides", i)
		seen[v] = true
	}
}

func TestCacheRoundTripAndCorruption(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "nvrtc")
	key := cacheKey("s", "n", nil, "13.0", 13000, true)
	_, ok := readCache(dir, key, true)
	require.False(t, ok)
	code := []byte("\x7fELF pretend cubin")
	require.NoError(t, writeCache(dir, key, true, code))
	got, ok := readCache(dir, key, true)
	require.True(t, ok)
	require.Equal(t, code, got)
	_, ok = readCache(dir, key, false) // PTX and CUBIN are separate entries
	require.False(t, ok)

	p := cachePath(dir, key, true)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	b[len(b)-1] ^= 0xff
	require.NoError(t, os.WriteFile(p, b, 0o644))
	_, ok = readCache(dir, key, true)
	require.False(t, ok, "a corrupted entry must be ignored")

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary files left behind")
}

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv(EnvCacheDir, "/tmp/gotrt-cache-test")
	require.Equal(t, "/tmp/gotrt-cache-test/nvrtc", defaultCacheDir())
	t.Setenv(EnvCacheDir, "")
	if d, err := os.UserCacheDir(); err == nil {
		require.Equal(t, filepath.Join(d, "gotrt", "nvrtc"), defaultCacheDir())
	}
	t.Setenv(EnvNVRTCCache, "off")
	require.True(t, cacheDisabled())
	t.Setenv(EnvNVRTCCache, "")
	require.False(t, cacheDisabled())
}

func TestChooseArch(t *testing.T) {
	supported := []int{75, 80, 86, 87, 89, 90, 100, 120}
	cases := []struct {
		sm        int
		supported []int
		preferPTX bool
		arch      string
		cubin     bool
	}{
		{90, supported, false, "sm_90", true},
		{90, supported, true, "compute_90", false},
		{91, supported, false, "compute_90", false}, // a device newer than NVRTC knows: PTX for the driver
		{121, supported, false, "compute_120", false},
		{70, supported, false, "", false}, // too old for this NVRTC
		{90, nil, false, "sm_90", true},
	}
	for _, c := range cases {
		arch, cubin := chooseArch(c.sm, c.supported, c.preferPTX)
		require.Equal(t, c.arch, arch, "sm %d", c.sm)
		require.Equal(t, c.cubin, cubin, "sm %d", c.sm)
	}
}

func TestArchFromOptions(t *testing.T) {
	cases := []struct {
		opts []string
		arch string
		ok   bool
	}{
		{[]string{"-O3"}, "", false},
		{[]string{"--gpu-architecture=sm_80"}, "sm_80", true},
		{[]string{"-arch=compute_90"}, "compute_90", true},
		{[]string{"-arch", "sm_90a"}, "sm_90a", true},
		{[]string{"--gpu-architecture", "sm_86"}, "sm_86", true},
		{[]string{"--gpu-architecture=sm_75"}, "sm_75", true},
	}
	for _, c := range cases {
		arch, ok := archFromOptions(c.opts)
		require.Equal(t, c.ok, ok, "%v", c.opts)
		require.Equal(t, c.arch, arch, "%v", c.opts)
	}
}

func TestIsPTX(t *testing.T) {
	require.False(t, isPTX([]byte("\x7fELF\x02\x01")))
	require.False(t, isPTX([]byte{0x50, 0xED, 0x55, 0xBA, 1, 0}))
	require.True(t, isPTX([]byte(".version 8.0\n.target sm_90\n")))
}

func TestIncludesCUDAHeader(t *testing.T) {
	require.True(t, includesCUDAHeader("#include <cuda_fp16.h>\nextern \"C\" __global__ void k(){}"))
	require.True(t, includesCUDAHeader("  #  include \"cuda_bf16.h\"\n"))
	require.False(t, includesCUDAHeader("// #include <cuda_fp16.h> is not needed\n__global__ void k(){}"))
	require.False(t, includesCUDAHeader("#include <mma.h>\n"))
	require.True(t, hasIncludeOption([]string{"-O3", "-I/usr/local/cuda/include"}))
	require.True(t, hasIncludeOption([]string{"--include-path=/x"}))
	require.False(t, hasIncludeOption([]string{"-O3"}))
}
