package cuda

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrorIsMatchesSentinels(t *testing.T) {
	cases := []struct {
		lib  Library
		code int
		want []error
		not  []error
	}{
		{LibDriver, 2, []error{ErrOutOfMemory}, []error{ErrInvalidValue, ErrNotAvailable}},
		{LibDriver, 1, []error{ErrInvalidValue}, []error{ErrOutOfMemory}},
		{LibDriver, 100, []error{ErrNoDevice, ErrNotAvailable}, nil},
		{LibDriver, 35, []error{ErrNotAvailable}, []error{ErrNoDevice}},
		{LibDriver, 34, []error{ErrNotAvailable}, nil},
		{LibDriver, 600, []error{ErrNotReady}, []error{ErrLaunchFailed}},
		{LibDriver, 700, []error{ErrLaunchFailed}, nil},
		{LibDriver, 719, []error{ErrLaunchFailed}, nil},
		{LibDriver, 218, []error{ErrCompile}, nil},
		{LibDriver, 201, []error{ErrInvalidContext}, nil},
		{LibDriver, 801, []error{ErrNotSupported}, nil},
		{LibDriver, 901, []error{ErrStreamCapture}, nil},
		{LibDriver, 3, []error{ErrNotInitialized}, nil},
		{LibNVRTC, 6, []error{ErrCompile}, []error{ErrInvalidValue}},
		{LibNVRTC, 1, []error{ErrOutOfMemory}, nil},
		{LibNVRTC, 5, []error{ErrInvalidValue}, nil},
		{LibCUBLASLt, 3, []error{ErrOutOfMemory}, nil},
		{LibCUBLASLt, 7, []error{ErrInvalidValue}, nil},
		{LibCUBLASLt, 15, []error{ErrNotSupported}, nil},
		{LibCUBLASLt, 8, []error{ErrNotSupported}, nil},
		{LibCUBLASLt, 13, []error{ErrLaunchFailed}, nil},
		{LibCUDNN, 2000, []error{ErrInvalidValue}, nil},
		{LibCUDNN, 2002, []error{ErrInvalidValue}, nil},
		{LibCUDNN, 3000, []error{ErrNotSupported}, nil},
		{LibCUDNN, 3009, []error{ErrNotSupported, ErrNotAvailable}, nil},
		{LibCUDNN, 4004, []error{ErrOutOfMemory}, nil},
		{LibCUDNN, 5000, []error{ErrLaunchFailed}, nil},
		{LibCUDNN, 1008, []error{ErrNotAvailable}, nil},
		{LibCUBLASLt, CodeMissingSymbol, []error{ErrMissingSymbol, ErrNotAvailable}, nil},
		{LibCUDNN, CodeNotLoaded, []error{ErrNotAvailable}, []error{ErrMissingSymbol}},
		{LibCUDNN, CodeContext, []error{ErrInvalidContext}, nil},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/%d", c.lib, c.code), func(t *testing.T) {
			err := newError(c.lib, int32(c.code), "op")
			require.Error(t, err)
			wrapped := fmt.Errorf("context: %w", err)
			for _, w := range c.want {
				require.ErrorIs(t, wrapped, w)
			}
			for _, n := range c.not {
				require.NotErrorIs(t, wrapped, n)
			}
			var e *Error
			require.True(t, errors.As(wrapped, &e))
			require.Equal(t, c.code, e.Code)
			require.Equal(t, c.lib, e.Lib)
		})
	}
}

func TestNewErrorSuccessIsNil(t *testing.T) {
	require.NoError(t, newError(LibDriver, 0, "cuInit"))
	require.NoError(t, newErrorMsg(LibCUDNN, 0, "cudnnCreate", "detail"))
}

func TestErrorNamesWithoutLibraries(t *testing.T) {
	cases := []struct {
		lib  Library
		code int
		name string
	}{
		{LibDriver, 2, "CUDA_ERROR_OUT_OF_MEMORY"},
		{LibDriver, 700, "CUDA_ERROR_ILLEGAL_ADDRESS"},
		{LibNVRTC, 6, "NVRTC_ERROR_COMPILATION"},
		{LibCUBLASLt, 15, "CUBLAS_STATUS_NOT_SUPPORTED"},
		{LibCUDNN, 2000, "CUDNN_STATUS_BAD_PARAM"},
		{LibDriver, 123456, "UNKNOWN"},
		{LibDriver, CodeMissingSymbol, "GOTRT_MISSING_SYMBOL"},
	}
	for _, c := range cases {
		if loadedLib(c.lib) {
			continue // names then come from the library itself
		}
		e := makeError(c.lib, c.code, "op", "")
		require.Equal(t, c.name, e.Name, "%s code %d", c.lib, c.code)
	}
}

func loadedLib(l Library) bool {
	for _, i := range Libraries() {
		if i.Lib == l {
			return i.Loaded
		}
	}
	return false
}

func TestErrorString(t *testing.T) {
	e := &Error{Lib: LibDriver, Code: 2, Name: "CUDA_ERROR_OUT_OF_MEMORY", Op: "cuMemAlloc_v2", Msg: "out of memory"}
	require.Equal(t, "cuda: cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory", e.Error())
	e.Msg = ""
	require.Equal(t, "cuda: cuMemAlloc_v2: CUDA_ERROR_OUT_OF_MEMORY (2)", e.Error())
	d := makeError(LibCUDNN, 2000, "cudnnSetTensorNdDescriptor", "dims must be positive")
	require.Contains(t, d.Error(), "dims must be positive")
}

func TestCompileErrorCarriesLog(t *testing.T) {
	ce := &CompileError{Name: "k.cu", Options: []string{"--gpu-architecture=sm_90"},
		Log: "k.cu(3): error: identifier \"x\" is undefined\n",
		Err: makeError(LibNVRTC, 6, "nvrtcCompileProgram", "")}
	var err error = fmt.Errorf("building: %w", ce)
	require.ErrorIs(t, err, ErrCompile)
	require.Contains(t, err.Error(), "identifier \"x\" is undefined")
	require.Contains(t, err.Error(), "--gpu-architecture=sm_90")
	got, ok := IsCompileError(err)
	require.True(t, ok)
	require.Equal(t, "k.cu", got.Name)
}

func TestClosedError(t *testing.T) {
	err := closedError("buffer")
	require.ErrorIs(t, err, ErrClosed)
	require.True(t, strings.Contains(err.Error(), "buffer"))
}
