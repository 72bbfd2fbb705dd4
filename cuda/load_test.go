package cuda

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// On a machine without the CUDA driver, Load fails with ErrNotAvailable (and does not panic).
func TestLoadWithoutDriverIsNotAvailable(t *testing.T) {
	err := Load()
	if err == nil {
		t.Skip("the CUDA driver is present here; this test is for machines without it")
	}
	require.ErrorIs(t, err, ErrNotAvailable)
	_, err = DeviceCount()
	require.ErrorIs(t, err, ErrNotAvailable)
	_, err = GetDevice(0)
	require.ErrorIs(t, err, ErrNotAvailable)
	require.ErrorIs(t, LoadLibrary(LibNVRTC), ErrNotAvailable)
	_, err = CompileProgram("x", "x.cu", CompileOptions{Arch: ComputeCapability{9, 0}})
	require.ErrorIs(t, err, ErrNotAvailable)
	_, err = NewMatmulDesc(Compute32F, R32F)
	require.ErrorIs(t, err, ErrNotAvailable)
	_, err = NewTensorDesc(DNNFloat, []int{1, 1, 1, 1}, nil)
	require.ErrorIs(t, err, ErrNotAvailable)
	info := Libraries()
	require.Len(t, info, 4)
	require.False(t, info[LibDriver].Loaded)
	require.Error(t, info[LibDriver].Err)
}

func TestOpenExplicitMissingPath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "libcuda.so.1")
	_, _, err := openLibrary(LibDriver, loadConfig{paths: map[Library]string{LibDriver: p}})
	require.ErrorIs(t, err, ErrNotAvailable)
	require.Contains(t, err.Error(), p)
}

// GOTRT_CUDA_LIB_PATH is searched, and a file that is not a library fails with dlerror's text.
func TestLibPathEnvIsSearched(t *testing.T) {
	dir := t.TempDir()
	const fake = "libgotrt_fake_for_test.so.9"
	require.NoError(t, os.WriteFile(filepath.Join(dir, fake), []byte("not an ELF file"), 0o644))
	saved := sonames[LibCUDNN]
	sonames[LibCUDNN] = []string{fake}
	defer func() { sonames[LibCUDNN] = saved }()
	t.Setenv(EnvLibPath, "/nonexistent/gotrt:"+dir)
	_, _, err := openLibrary(LibCUDNN, loadConfig{})
	require.ErrorIs(t, err, ErrNotAvailable)
	require.Contains(t, err.Error(), filepath.Join(dir, fake))
	require.Contains(t, err.Error(), EnvLibPath)
}

func TestSonameOrdering(t *testing.T) {
	require.Equal(t, 13, sonameMajor("libnvrtc.so.13"))
	require.Equal(t, 11, sonameMajor("libnvrtc.so.11.2"))
	require.Equal(t, 0, sonameMajor("libnvrtc.so"))

	loader.mu.Lock()
	saved := loader.driverVersion
	loader.driverVersion = 12040
	got := orderedSonames(LibNVRTC)
	loader.driverVersion = saved
	loader.mu.Unlock()
	require.Equal(t, []string{"libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so", "libnvrtc.so.13"}, got)
	require.Equal(t, sonames[LibCUDNN], orderedSonames(LibCUDNN))
}

func TestStandardDirs(t *testing.T) {
	t.Setenv("CUDA_HOME", "/opt/my-cuda")
	dirs := standardDirs()
	require.Equal(t, "/opt/my-cuda/lib64", dirs[0])
	require.Contains(t, dirs, "/usr/local/cuda/lib64")
	require.Contains(t, dirs, "/usr/local/nvidia/lib64")
	seen := map[string]bool{}
	for _, d := range dirs {
		require.False(t, seen[d], "duplicate %s", d)
		seen[d] = true
	}
}

func TestRequireLibWrapsNotAvailable(t *testing.T) {
	if Load() == nil {
		t.Skip("driver present")
	}
	err := requireLib(LibCUBLASLt)
	require.True(t, errors.Is(err, ErrNotAvailable))
}
