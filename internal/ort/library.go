// Package ort runs ONNX models in ONNX Runtime, gotrt's independent reference.
//
// It is a small layer over github.com/yalue/onnxruntime_go that speaks gotrt's
// host tensors (package tensor) instead of onnxruntime_go's generic values, and
// works around that binding's gaps (float16/bfloat16 and scalar outputs).
//
// The ONNX Runtime shared library is not linked: it is loaded at run time from
// GOTRT_ORT_LIB, or from gotrt's cache where scripts/fetch-ort.sh (`make
// setup`) puts it. Without it, Init and NewSession return an error that wraps
// ErrNotFound.
package ort

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	onnx "github.com/yalue/onnxruntime_go"
)

// ORTNodeVersion is the version of the onnxruntime-node npm package whose
// library scripts/fetch-ort.sh caches.
const ORTNodeVersion = "1.30.0"

// EnvLibrary names the environment variable that points at an ONNX Runtime
// shared library (any copy, e.g. libonnxruntime.so.1.30.0). It wins over the
// cache.
const EnvLibrary = "GOTRT_ORT_LIB"

// EnvCacheDir names the environment variable that overrides gotrt's cache root
// ($HOME/.cache/gotrt).
const EnvCacheDir = "GOTRT_CACHE_DIR"

// ErrNotFound is wrapped by the errors of LibraryPath, Init and NewSession
// when the ONNX Runtime library is absent.
var ErrNotFound = errors.New("ONNX Runtime library not found")

const setupHint = "run `make setup` (scripts/fetch-ort.sh) to fetch it, or set " + EnvLibrary +
	" to an ONNX Runtime shared library"

// CachedLibraryPath is where scripts/fetch-ort.sh puts the library:
// ${GOTRT_CACHE_DIR:-$HOME/.cache/gotrt}/onnxruntime-node-1.30.0/libonnxruntime.so.1.
// It returns "" when neither GOTRT_CACHE_DIR nor a home directory is known.
func CachedLibraryPath() string {
	root := os.Getenv(EnvCacheDir)
	if root == "" {
		home, err := os.UserHomeDir()
		if err != nil || home == "" {
			return ""
		}
		root = filepath.Join(home, ".cache", "gotrt")
	}
	return filepath.Join(root, "onnxruntime-node-"+ORTNodeVersion, "libonnxruntime.so.1")
}

// LibraryPath finds the ONNX Runtime shared library: the file named by
// GOTRT_ORT_LIB if set, else the cache path (CachedLibraryPath). The error
// wraps ErrNotFound and says how to get the library.
func LibraryPath() (string, error) {
	if p := os.Getenv(EnvLibrary); p != "" {
		if err := isFile(p); err != nil {
			return "", fmt.Errorf("ort: %w: %s=%s: %v; %s", ErrNotFound, EnvLibrary, p, err, setupHint)
		}
		return p, nil
	}
	p := CachedLibraryPath()
	if p == "" {
		return "", fmt.Errorf("ort: %w: no home directory and %s unset; %s", ErrNotFound, EnvCacheDir, setupHint)
	}
	if err := isFile(p); err != nil {
		return "", fmt.Errorf("ort: %w: no %s; %s", ErrNotFound, p, setupHint)
	}
	return p, nil
}

func isFile(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errors.New("no such file")
		}
		return err
	}
	if st.IsDir() {
		return errors.New("is a directory")
	}
	return nil
}

var (
	initMu   sync.Mutex
	initDone bool
	initPath string
)

// Init loads the ONNX Runtime library (LibraryPath) and creates the process-wide
// environment. It is safe to call from several goroutines and more than once;
// after a success, later calls return nil at once. After a failure a later call
// tries again (e.g. once the library has been fetched).
func Init() error {
	initMu.Lock()
	defer initMu.Unlock()
	if initDone {
		return nil
	}
	if onnx.IsInitialized() { // someone else in the process did it
		initDone = true
		return nil
	}
	p, err := LibraryPath()
	if err != nil {
		return err
	}
	onnx.SetSharedLibraryPath(p)
	if err := onnx.InitializeEnvironment(onnx.WithLogLevelError()); err != nil {
		return fmt.Errorf("ort: loading ONNX Runtime from %s: %w", p, err)
	}
	initDone = true
	initPath = p
	return nil
}

// LoadedLibrary is the path of the library Init loaded ("" before Init, or
// when the environment was initialized outside this package).
func LoadedLibrary() string {
	initMu.Lock()
	defer initMu.Unlock()
	return initPath
}

// Version is the version of the loaded ONNX Runtime library (e.g. "1.30.0").
// It calls Init.
func Version() (string, error) {
	if err := Init(); err != nil {
		return "", err
	}
	return onnx.GetVersion(), nil
}
