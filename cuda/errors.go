package cuda

import (
	"errors"
	"fmt"

	"github.com/gotrt/gotrt/internal/cgo"
)

// Library names a library that package cuda loads at run time.
type Library int

// The libraries package cuda loads with dlopen.
const (
	LibDriver   Library = Library(cgo.LibCUDA)     // libcuda.so.1, the CUDA driver
	LibNVRTC    Library = Library(cgo.LibNVRTC)    // libnvrtc, the runtime compiler
	LibCUBLASLt Library = Library(cgo.LibCUBLASLt) // libcublasLt
	LibCUDNN    Library = Library(cgo.LibCUDNN)    // libcudnn.so.9
)

// String returns the library's short name ("cuda", "nvrtc", "cublasLt", "cudnn").
func (l Library) String() string {
	switch l {
	case LibDriver:
		return "cuda"
	case LibNVRTC:
		return "nvrtc"
	case LibCUBLASLt:
		return "cublasLt"
	case LibCUDNN:
		return "cudnn"
	}
	return fmt.Sprintf("Library(%d)", int(l))
}

// Codes that gotrt's shims return in place of a library status.
const (
	CodeMissingSymbol = int(cgo.CodeMissingSymbol) // the library lacks the function
	CodeNotLoaded     = int(cgo.CodeNotLoaded)     // the library is not loaded
	CodeContext       = int(cgo.CodeContext)       // the CUDA context could not be made current
)

// Sentinel errors. A *Error matches them with errors.Is according to its library and code.
var (
	// ErrNotAvailable: the library (or a function of it, or a usable device) is not there.
	ErrNotAvailable = errors.New("cuda: not available")
	// ErrMissingSymbol: the loaded library lacks a function gotrt needs (also ErrNotAvailable).
	ErrMissingSymbol = errors.New("cuda: symbol not found in library")
	// ErrNoDevice: the driver sees no CUDA device (also ErrNotAvailable).
	ErrNoDevice = errors.New("cuda: no CUDA device")
	// ErrOutOfMemory: device or host memory could not be allocated.
	ErrOutOfMemory = errors.New("cuda: out of memory")
	// ErrInvalidValue: an argument was rejected.
	ErrInvalidValue = errors.New("cuda: invalid value")
	// ErrNotSupported: the operation or configuration is not supported here.
	ErrNotSupported = errors.New("cuda: not supported")
	// ErrNotInitialized: the library was not initialized.
	ErrNotInitialized = errors.New("cuda: not initialized")
	// ErrInvalidContext: the context or a handle is not valid.
	ErrInvalidContext = errors.New("cuda: invalid context or handle")
	// ErrNotReady: asynchronous work has not completed yet (a query, not a failure).
	ErrNotReady = errors.New("cuda: not ready")
	// ErrLaunchFailed: a kernel failed or could not be launched; the context may be unusable.
	ErrLaunchFailed = errors.New("cuda: kernel launch or execution failed")
	// ErrCompile: NVRTC could not compile, or the driver could not load the code.
	ErrCompile = errors.New("cuda: compilation failed")
	// ErrStreamCapture: an operation is not permitted while a stream is captured.
	ErrStreamCapture = errors.New("cuda: stream capture error")
	// ErrClosed: the resource was closed.
	ErrClosed = errors.New("cuda: use of closed resource")
)

// Error is an error returned by a CUDA library (or by gotrt's shims in its place).
type Error struct {
	Lib  Library // the library that failed
	Code int     // its status code (CUresult, nvrtcResult, cublasStatus_t, cudnnStatus_t), or a Code* value
	Name string  // the code's name, e.g. "CUDA_ERROR_OUT_OF_MEMORY"
	Op   string  // the function called, e.g. "cuMemAlloc_v2"
	Msg  string  // the library's description, and detail where there is some
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s: %s: %s (%d)", e.Lib, e.Op, e.Name, e.Code)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

// Is matches the sentinel errors of this package.
func (e *Error) Is(target error) bool {
	for _, s := range sentinelsOf(e.Lib, e.Code) {
		if s == target {
			return true
		}
	}
	return false
}

// sentinelsOf returns the sentinels a status code of lib matches.
func sentinelsOf(lib Library, code int) []error {
	switch code {
	case CodeMissingSymbol:
		return []error{ErrMissingSymbol, ErrNotAvailable}
	case CodeNotLoaded:
		return []error{ErrNotAvailable}
	case CodeContext:
		return []error{ErrInvalidContext}
	}
	switch lib {
	case LibDriver:
		switch {
		case code == 1:
			return []error{ErrInvalidValue}
		case code == 2:
			return []error{ErrOutOfMemory}
		case code == 3 || code == 4:
			return []error{ErrNotInitialized}
		case code == 100:
			return []error{ErrNoDevice, ErrNotAvailable}
		case code == 34 || code == 35 || code == 46 || code == 803 || code == 804:
			// stub library, insufficient driver, device unavailable, driver mismatch,
			// forward compatibility not supported
			return []error{ErrNotAvailable}
		case code == 101 || code == 201 || code == 400 || code == 709:
			return []error{ErrInvalidContext}
		case code == 200 || code == 209 || code == 218 || code == 221 || code == 222 || code == 223:
			return []error{ErrCompile}
		case code == 600:
			return []error{ErrNotReady}
		case code == 801 || code == 800:
			return []error{ErrNotSupported}
		case code >= 700 && code <= 720:
			return []error{ErrLaunchFailed}
		case code >= 900 && code <= 908:
			return []error{ErrStreamCapture}
		}
	case LibNVRTC:
		switch code {
		case 1:
			return []error{ErrOutOfMemory}
		case 3, 5:
			return []error{ErrInvalidValue}
		case 6:
			return []error{ErrCompile}
		}
	case LibCUBLASLt:
		switch code {
		case 1:
			return []error{ErrNotInitialized}
		case 3:
			return []error{ErrOutOfMemory}
		case 7:
			return []error{ErrInvalidValue}
		case 8, 15:
			return []error{ErrNotSupported}
		case 13:
			return []error{ErrLaunchFailed}
		}
	case LibCUDNN:
		switch {
		case code == 1001:
			return []error{ErrNotInitialized}
		case code == 1008:
			return []error{ErrNotAvailable}
		case code == 4003 || code == 4004:
			return []error{ErrOutOfMemory}
		case code >= 2000 && code < 3000:
			return []error{ErrInvalidValue}
		case code == 3009:
			return []error{ErrNotSupported, ErrNotAvailable}
		case code >= 3000 && code < 4000:
			return []error{ErrNotSupported}
		case code >= 5000 && code < 6000:
			return []error{ErrLaunchFailed}
		}
	}
	return nil
}

// newError builds the *Error of a failed call, or returns nil when code is 0.
func newError(lib Library, code int32, op string) error {
	if code == 0 {
		return nil
	}
	return makeError(lib, int(code), op, "")
}

// newErrorMsg is newError with library detail appended to the description.
func newErrorMsg(lib Library, code int32, op, detail string) error {
	if code == 0 {
		return nil
	}
	return makeError(lib, int(code), op, detail)
}

func makeError(lib Library, code int, op, detail string) *Error {
	name, desc := statusStrings(lib, code)
	msg := desc
	if detail != "" {
		if msg != "" {
			msg += ": "
		}
		msg += detail
	}
	return &Error{Lib: lib, Code: code, Name: name, Op: op, Msg: msg}
}

// statusStrings returns the name and description of a status code: from the library when it
// is loaded, otherwise from gotrt's own tables.
func statusStrings(lib Library, code int) (name, desc string) {
	switch code {
	case CodeMissingSymbol:
		return "GOTRT_MISSING_SYMBOL", "the loaded " + lib.String() + " library lacks this function"
	case CodeNotLoaded:
		return "GOTRT_NOT_LOADED", lib.String() + " library not loaded"
	case CodeContext:
		return "GOTRT_CONTEXT", "the CUDA context could not be made current"
	}
	switch lib {
	case LibDriver:
		name, desc = cgo.CuErrorStrings(int32(code))
		if name == "" {
			name = cudaErrorNames[code]
		}
	case LibNVRTC:
		name = cgo.NvrtcErrorString(int32(code))
		if name == "" {
			name = nvrtcErrorNames[code]
		}
	case LibCUBLASLt:
		name, desc = cgo.LtStatusStrings(int32(code))
		if name == "" || name == "<unknown>" {
			name = cublasStatusNames[code]
		}
	case LibCUDNN:
		name = cgo.DnnErrorString(int32(code))
		if name == "" {
			name = cudnnStatusNames[code]
		}
	}
	if name == "" {
		name = "UNKNOWN"
	}
	return name, desc
}

// cudaErrorNames holds CUresult names for use where libcuda is not loaded.
var cudaErrorNames = map[int]string{
	0: "CUDA_SUCCESS", 1: "CUDA_ERROR_INVALID_VALUE", 2: "CUDA_ERROR_OUT_OF_MEMORY",
	3: "CUDA_ERROR_NOT_INITIALIZED", 4: "CUDA_ERROR_DEINITIALIZED",
	34: "CUDA_ERROR_STUB_LIBRARY", 35: "CUDA_ERROR_INSUFFICIENT_DRIVER",
	46: "CUDA_ERROR_DEVICE_UNAVAILABLE", 100: "CUDA_ERROR_NO_DEVICE",
	101: "CUDA_ERROR_INVALID_DEVICE", 200: "CUDA_ERROR_INVALID_IMAGE",
	201: "CUDA_ERROR_INVALID_CONTEXT", 209: "CUDA_ERROR_NO_BINARY_FOR_GPU",
	218: "CUDA_ERROR_INVALID_PTX", 221: "CUDA_ERROR_JIT_COMPILER_NOT_FOUND",
	222: "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", 223: "CUDA_ERROR_JIT_COMPILATION_DISABLED",
	301: "CUDA_ERROR_FILE_NOT_FOUND", 400: "CUDA_ERROR_INVALID_HANDLE",
	401: "CUDA_ERROR_ILLEGAL_STATE", 500: "CUDA_ERROR_NOT_FOUND", 600: "CUDA_ERROR_NOT_READY",
	700: "CUDA_ERROR_ILLEGAL_ADDRESS", 701: "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES",
	702: "CUDA_ERROR_LAUNCH_TIMEOUT", 709: "CUDA_ERROR_CONTEXT_IS_DESTROYED",
	710: "CUDA_ERROR_ASSERT", 715: "CUDA_ERROR_ILLEGAL_INSTRUCTION",
	716: "CUDA_ERROR_MISALIGNED_ADDRESS", 719: "CUDA_ERROR_LAUNCH_FAILED",
	720: "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE", 800: "CUDA_ERROR_NOT_PERMITTED",
	801: "CUDA_ERROR_NOT_SUPPORTED", 803: "CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
	804: "CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE",
	900: "CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED", 901: "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED",
	902: "CUDA_ERROR_STREAM_CAPTURE_MERGE", 903: "CUDA_ERROR_STREAM_CAPTURE_UNMATCHED",
	904: "CUDA_ERROR_STREAM_CAPTURE_UNJOINED", 905: "CUDA_ERROR_STREAM_CAPTURE_ISOLATION",
	906: "CUDA_ERROR_STREAM_CAPTURE_IMPLICIT", 907: "CUDA_ERROR_CAPTURED_EVENT",
	908: "CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD", 999: "CUDA_ERROR_UNKNOWN",
}

var nvrtcErrorNames = map[int]string{
	0: "NVRTC_SUCCESS", 1: "NVRTC_ERROR_OUT_OF_MEMORY", 2: "NVRTC_ERROR_PROGRAM_CREATION_FAILURE",
	3: "NVRTC_ERROR_INVALID_INPUT", 4: "NVRTC_ERROR_INVALID_PROGRAM", 5: "NVRTC_ERROR_INVALID_OPTION",
	6: "NVRTC_ERROR_COMPILATION", 7: "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE",
	8: "NVRTC_ERROR_NO_NAME_EXPRESSIONS_AFTER_COMPILATION",
	9: "NVRTC_ERROR_NO_LOWERED_NAMES_BEFORE_COMPILATION", 10: "NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID",
	11: "NVRTC_ERROR_INTERNAL_ERROR", 12: "NVRTC_ERROR_TIME_FILE_WRITE_FAILED",
}

var cublasStatusNames = map[int]string{
	0: "CUBLAS_STATUS_SUCCESS", 1: "CUBLAS_STATUS_NOT_INITIALIZED", 3: "CUBLAS_STATUS_ALLOC_FAILED",
	7: "CUBLAS_STATUS_INVALID_VALUE", 8: "CUBLAS_STATUS_ARCH_MISMATCH",
	11: "CUBLAS_STATUS_MAPPING_ERROR", 13: "CUBLAS_STATUS_EXECUTION_FAILED",
	14: "CUBLAS_STATUS_INTERNAL_ERROR", 15: "CUBLAS_STATUS_NOT_SUPPORTED",
	16: "CUBLAS_STATUS_LICENSE_ERROR",
}

var cudnnStatusNames = map[int]string{
	0: "CUDNN_STATUS_SUCCESS", 1001: "CUDNN_STATUS_NOT_INITIALIZED",
	1002: "CUDNN_STATUS_SUBLIBRARY_VERSION_MISMATCH", 1004: "CUDNN_STATUS_DEPRECATED",
	1005: "CUDNN_STATUS_LICENSE_ERROR", 1008: "CUDNN_STATUS_SUBLIBRARY_LOADING_FAILED",
	2000: "CUDNN_STATUS_BAD_PARAM", 2001: "CUDNN_STATUS_INVALID_VALUE",
	2002: "CUDNN_STATUS_BAD_PARAM_NULL_POINTER", 2003: "CUDNN_STATUS_BAD_PARAM_MISALIGNED_POINTER",
	2004: "CUDNN_STATUS_BAD_PARAM_NOT_FINALIZED", 2005: "CUDNN_STATUS_BAD_PARAM_OUT_OF_BOUND",
	2006: "CUDNN_STATUS_BAD_PARAM_SIZE_INSUFFICIENT", 2007: "CUDNN_STATUS_BAD_PARAM_STREAM_MISMATCH",
	2008: "CUDNN_STATUS_BAD_PARAM_SHAPE_MISMATCH",
	3000: "CUDNN_STATUS_NOT_SUPPORTED", 3001: "CUDNN_STATUS_NOT_SUPPORTED_GRAPH_PATTERN",
	3002: "CUDNN_STATUS_NOT_SUPPORTED_SHAPE", 3003: "CUDNN_STATUS_NOT_SUPPORTED_DATA_TYPE",
	3004: "CUDNN_STATUS_NOT_SUPPORTED_LAYOUT", 3007: "CUDNN_STATUS_NOT_SUPPORTED_ARCH_MISMATCH",
	3009: "CUDNN_STATUS_NOT_SUPPORTED_SUBLIBRARY_UNAVAILABLE",
	3010: "CUDNN_STATUS_NOT_SUPPORTED_SHARED_MEMORY_INSUFFICIENT",
	4000: "CUDNN_STATUS_INTERNAL_ERROR", 4001: "CUDNN_STATUS_INTERNAL_ERROR_COMPILATION_FAILED",
	4003: "CUDNN_STATUS_INTERNAL_ERROR_HOST_ALLOCATION_FAILED",
	4004: "CUDNN_STATUS_INTERNAL_ERROR_DEVICE_ALLOCATION_FAILED",
	5000: "CUDNN_STATUS_EXECUTION_FAILED", 5001: "CUDNN_STATUS_EXECUTION_FAILED_CUDA_DRIVER",
	5002: "CUDNN_STATUS_EXECUTION_FAILED_CUBLAS", 5003: "CUDNN_STATUS_EXECUTION_FAILED_CUDART",
}

// closedError reports use of a closed resource.
func closedError(what string) error { return fmt.Errorf("%w: %s", ErrClosed, what) }
