package cuda

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gotrt/gotrt/internal/cgo"
)

// EnvLibPath names a colon-separated list of directories searched for the CUDA libraries
// before the dynamic loader's own search path and the standard locations.
const EnvLibPath = "GOTRT_CUDA_LIB_PATH"

// sonames lists, for each library, the file names tried in order of preference.
var sonames = map[Library][]string{
	LibDriver:   {"libcuda.so.1", "libcuda.so"},
	LibNVRTC:    {"libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2", "libnvrtc.so"},
	LibCUBLASLt: {"libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11", "libcublasLt.so"},
	LibCUDNN:    {"libcudnn.so.9"},
}

// probeSymbol is a function each library defines, used to tell where a library came from.
var probeSymbol = map[Library]string{
	LibDriver:   "cuInit",
	LibNVRTC:    "nvrtcVersion",
	LibCUBLASLt: "cublasLtCreate",
	LibCUDNN:    "cudnnCreate",
}

// LoadOption configures Load and the loading of the other libraries.
type LoadOption func(*loadConfig)

type loadConfig struct {
	paths map[Library]string
	dirs  []string
}

// WithLibraryPath loads lib from the file at path instead of searching for it.
func WithLibraryPath(lib Library, path string) LoadOption {
	return func(c *loadConfig) {
		if c.paths == nil {
			c.paths = map[Library]string{}
		}
		c.paths[lib] = path
	}
}

// WithSearchDirs adds directories searched first (after $GOTRT_CUDA_LIB_PATH).
func WithSearchDirs(dirs ...string) LoadOption {
	return func(c *loadConfig) { c.dirs = append(c.dirs, dirs...) }
}

// LibraryInfo says whether and from where a library was loaded.
type LibraryInfo struct {
	Lib     Library
	Loaded  bool
	Path    string   // the file loaded
	Version string   // e.g. "13.0" (driver, NVRTC), "13.0.0" (cuBLASLt), "9.10.2" (cuDNN)
	Missing []string // functions of gotrt's table the library lacks
	Err     error    // why it did not load, when it did not
}

type libState struct {
	handle  uintptr
	path    string
	version string
	missing []string
	err     error
	tried   bool
}

var loader struct {
	mu            sync.Mutex
	cfg           loadConfig
	libs          [4]libState
	driverVersion int
}

// Load loads the CUDA driver (libcuda.so.1) and initializes it. It is safe to call more
// than once and from several goroutines; once it succeeds it returns nil at once. Where the
// driver or a device is missing the error matches ErrNotAvailable.
//
// NVRTC, cuBLASLt and cuDNN are loaded when first used (or by LoadLibrary); the options
// given here apply to them too.
func Load(opts ...LoadOption) error {
	loader.mu.Lock()
	defer loader.mu.Unlock()
	for _, o := range opts {
		o(&loader.cfg)
	}
	return loadDriverLocked()
}

func loadDriverLocked() error {
	st := &loader.libs[LibDriver]
	if st.handle != 0 && st.err == nil {
		return nil
	}
	h, path, err := openLibrary(LibDriver, loader.cfg)
	if err != nil {
		st.err = err
		return err
	}
	missing := cgo.Bind(cgo.LibCUDA, h)
	if code := cgo.CuInit(); code != 0 {
		e := makeError(LibDriver, int(code), "cuInit", "")
		cgo.Unbind(cgo.LibCUDA)
		cgo.Dlclose(h)
		st.err = fmt.Errorf("%w: %s: %w", ErrNotAvailable, path, e)
		return st.err
	}
	v, code := cgo.CuDriverVersion()
	if code == 0 {
		loader.driverVersion = v
	}
	*st = libState{handle: h, path: path, missing: missing, tried: true,
		version: fmt.Sprintf("%d.%d", v/1000, (v%1000)/10)}
	return nil
}

// LoadLibrary loads lib (after the driver) if it is not loaded yet. Its error matches
// ErrNotAvailable when the library cannot be found or opened.
func LoadLibrary(lib Library) error {
	if err := Load(); err != nil {
		return err
	}
	if lib == LibDriver {
		return nil
	}
	loader.mu.Lock()
	defer loader.mu.Unlock()
	return loadLibLocked(lib)
}

func loadLibLocked(lib Library) error {
	st := &loader.libs[lib]
	if st.handle != 0 {
		return nil
	}
	if st.tried {
		return st.err
	}
	st.tried = true
	if lib == LibCUDNN {
		// cuDNN's engines use cuBLASLt and NVRTC: have them loaded first so that cuDNN's
		// own loading of them finds them by soname.
		_ = loadLibLocked(LibCUBLASLt)
		_ = loadLibLocked(LibNVRTC)
	}
	h, path, err := openLibrary(lib, loader.cfg)
	if err != nil {
		st.err = err
		return err
	}
	missing := cgo.Bind(cgo.Lib(lib), h)
	st.handle, st.path, st.missing, st.err = h, path, missing, nil
	switch lib {
	case LibNVRTC:
		if ma, mi, code := cgo.NvrtcVersion(); code == 0 {
			st.version = fmt.Sprintf("%d.%d", ma, mi)
		}
	case LibCUBLASLt:
		if v := cgo.LtVersion(); v > 0 {
			st.version = fmt.Sprintf("%d.%d.%d", v/10000, (v/100)%100, v%100)
		}
	case LibCUDNN:
		if v := cgo.DnnVersion(); v > 0 {
			st.version = fmt.Sprintf("%d.%d.%d", v/10000, (v%10000)/100, v%100)
		}
	}
	return nil
}

// Libraries reports, for each library, whether and from where it was loaded. It loads
// nothing.
func Libraries() []LibraryInfo {
	loader.mu.Lock()
	defer loader.mu.Unlock()
	out := make([]LibraryInfo, 0, len(loader.libs))
	for i, st := range loader.libs {
		out = append(out, LibraryInfo{Lib: Library(i), Loaded: st.handle != 0 && st.err == nil,
			Path: st.path, Version: st.version, Missing: append([]string(nil), st.missing...), Err: st.err})
	}
	return out
}

// DriverVersion returns the CUDA version of the loaded driver, e.g. 13000 (0 before Load).
func DriverVersion() int {
	loader.mu.Lock()
	defer loader.mu.Unlock()
	return loader.driverVersion
}

func libraryVersion(lib Library) string {
	loader.mu.Lock()
	defer loader.mu.Unlock()
	return loader.libs[lib].version
}

func libraryDir(lib Library) string {
	loader.mu.Lock()
	defer loader.mu.Unlock()
	if loader.libs[lib].path == "" {
		return ""
	}
	return filepath.Dir(loader.libs[lib].path)
}

// openLibrary finds and opens lib: the explicit path if one was given; else each soname in
// turn from $GOTRT_CUDA_LIB_PATH and WithSearchDirs, from the dynamic loader's search path,
// then from the standard locations (CUDA toolkits, the driver's directories, Python
// packages' nvidia/*/lib).
func openLibrary(lib Library, cfg loadConfig) (uintptr, string, error) {
	if p, ok := cfg.paths[lib]; ok && p != "" {
		return openPath(lib, p, filepath.Dir(p))
	}
	var first, errs []string
	first = append(first, splitList(os.Getenv(EnvLibPath))...)
	first = append(first, cfg.dirs...)
	fallback := standardDirs()
	for _, name := range orderedSonames(lib) {
		for _, d := range first {
			p := filepath.Join(d, name)
			if !exists(p) {
				continue
			}
			h, path, err := openPath(lib, p, d)
			if err == nil {
				return h, path, nil
			}
			errs = append(errs, err.Error())
		}
		if h, msg := cgo.Dlopen(name, false); h != 0 {
			return h, origin(lib, h, name), nil
		} else if len(errs) < 8 {
			errs = append(errs, msg)
		}
		for _, d := range fallback {
			p := filepath.Join(d, name)
			if !exists(p) {
				continue
			}
			h, path, err := openPath(lib, p, d)
			if err == nil {
				return h, path, nil
			}
			errs = append(errs, err.Error())
		}
	}
	return 0, "", fmt.Errorf("%w: %s library not found (set %s to its directory): %s",
		ErrNotAvailable, lib, EnvLibPath, strings.Join(dedupe(errs), "; "))
}

// openPath opens the library file p found in dir, preloading the companion libraries that
// the library itself opens by soname (cuDNN's sub-libraries, NVRTC's builtins).
func openPath(lib Library, p, dir string) (uintptr, string, error) {
	preloadCompanions(lib, dir)
	h, msg := cgo.Dlopen(p, false)
	if h == 0 {
		return 0, "", fmt.Errorf("%w: %s", ErrNotAvailable, msg)
	}
	return h, origin(lib, h, p), nil
}

func origin(lib Library, h uintptr, fallback string) string {
	if o := cgo.Origin(h, probeSymbol[lib]); o != "" {
		return o
	}
	return fallback
}

// preloadCompanions opens, with RTLD_GLOBAL, the libraries that lib loads by bare name at
// run time, from the directory lib is loaded from, so that those loads find them even
// where the directory is not on the loader's search path.
func preloadCompanions(lib Library, dir string) {
	var patterns []string
	switch lib {
	case LibCUDNN:
		patterns = []string{"libcudnn_graph.so.9", "libcudnn_*.so.9"}
	case LibNVRTC:
		patterns = []string{"libnvrtc-builtins.so.*"}
	default:
		return
	}
	var files []string
	seen := map[string]bool{}
	for _, pat := range patterns {
		m, _ := filepath.Glob(filepath.Join(dir, pat))
		sort.Strings(m)
		for _, f := range m {
			if !seen[f] {
				seen[f] = true
				files = append(files, f)
			}
		}
	}
	// Sub-libraries depend on one another; retry until no more open.
	for pass := 0; pass < 4 && len(files) > 0; pass++ {
		var left []string
		for _, f := range files {
			if h, _ := cgo.Dlopen(f, true); h == 0 {
				left = append(left, f)
			}
		}
		if len(left) == len(files) {
			break
		}
		files = left
	}
}

// orderedSonames returns lib's sonames; for NVRTC and cuBLASLt those of a CUDA major
// version the driver supports come first.
func orderedSonames(lib Library) []string {
	names := append([]string(nil), sonames[lib]...)
	if lib != LibNVRTC && lib != LibCUBLASLt {
		return names
	}
	major := loader.driverVersion / 1000
	if major == 0 {
		return names
	}
	var ok, later []string
	for _, n := range names {
		if m := sonameMajor(n); m > major {
			later = append(later, n)
		} else {
			ok = append(ok, n)
		}
	}
	return append(ok, later...)
}

// sonameMajor returns the major version of a soname like libnvrtc.so.12 (0 when none).
func sonameMajor(name string) int {
	i := strings.Index(name, ".so.")
	if i < 0 {
		return 0
	}
	v := name[i+4:]
	if j := strings.IndexByte(v, '.'); j >= 0 {
		v = v[:j]
	}
	m, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return m
}

// standardDirs lists where CUDA libraries are commonly installed, most specific first.
func standardDirs() []string {
	var dirs []string
	add := func(d ...string) { dirs = append(dirs, d...) }
	for _, env := range []string{"CUDA_HOME", "CUDA_PATH", "CUDA_ROOT"} {
		if v := os.Getenv(env); v != "" {
			add(filepath.Join(v, "lib64"), filepath.Join(v, "lib"))
		}
	}
	arch := "x86_64-linux"
	if runtime.GOARCH == "arm64" {
		arch = "sbsa-linux"
	}
	add("/usr/local/cuda/lib64", "/usr/local/cuda/targets/"+arch+"/lib")
	add(globSorted("/usr/local/cuda-*/lib64")...)
	add(globSorted("/usr/local/cuda-*/targets/" + arch + "/lib")...)
	add("/usr/local/nvidia/lib64", "/usr/local/nvidia/lib", "/usr/lib/wsl/lib")
	if runtime.GOARCH == "arm64" {
		add("/usr/lib/aarch64-linux-gnu")
	} else {
		add("/usr/lib/x86_64-linux-gnu")
	}
	add("/usr/lib64", "/usr/lib")
	// Python packages (pip wheels of CUDA 12: nvidia/<lib>/lib; of CUDA 13: nvidia/cu13/lib).
	var prefixes []string
	for _, env := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if v := os.Getenv(env); v != "" {
			prefixes = append(prefixes, v)
			if env == "CONDA_PREFIX" {
				add(filepath.Join(v, "lib"))
			}
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		prefixes = append(prefixes, filepath.Join(home, ".local"))
	}
	prefixes = append(prefixes, "/usr/local", "/usr", "/opt/conda")
	prefixes = append(prefixes, globSorted("/opt/*/.venv")...)
	prefixes = append(prefixes, globSorted("/opt/*")...)
	for _, p := range prefixes {
		for _, sp := range []string{"site-packages", "dist-packages"} {
			add(globSorted(filepath.Join(p, "lib", "python3*", sp, "nvidia", "*", "lib"))...)
		}
	}
	add(globSorted("/usr/lib/python3/dist-packages/nvidia/*/lib")...)
	return dedupe(dirs)
}

// globSorted returns the matches of pattern, newest-looking first (reverse lexical order).
func globSorted(pattern string) []string {
	m, _ := filepath.Glob(pattern)
	sort.Sort(sort.Reverse(sort.StringSlice(m)))
	return m
}

func splitList(s string) []string {
	var out []string
	for _, p := range filepath.SplitList(s) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// requireLib loads lib if needed, returning an error that matches ErrNotAvailable when it
// cannot be loaded.
func requireLib(lib Library) error {
	loader.mu.Lock()
	st := loader.libs[lib]
	loader.mu.Unlock()
	if st.handle != 0 && st.err == nil {
		return nil
	}
	err := LoadLibrary(lib)
	if err != nil && !errors.Is(err, ErrNotAvailable) {
		err = fmt.Errorf("%w: %w", ErrNotAvailable, err)
	}
	return err
}
