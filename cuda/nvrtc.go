package cuda

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/gotrt/gotrt/internal/cgo"
)

// EnvCacheDir names gotrt's cache directory; compiled kernels go to its nvrtc/ folder.
// Without it they go to os.UserCacheDir()/gotrt/nvrtc. GOTRT_NVRTC_CACHE=off disables the
// cache.
const (
	EnvCacheDir   = "GOTRT_CACHE_DIR"
	EnvNVRTCCache = "GOTRT_NVRTC_CACHE"
)

// Program is device code compiled by NVRTC.
type Program struct {
	Name    string
	Code    []byte // CUBIN (IsCUBIN) or NUL-terminated PTX
	IsCUBIN bool
	Arch    string   // the --gpu-architecture used, e.g. "sm_90" or "compute_90"
	Options []string // every option passed to NVRTC
	Log     string   // NVRTC's log (warnings), empty when served from the cache
	Cached  bool     // served from the on-disk cache
}

// CompileError is a failed NVRTC compilation; its message holds the full compile log.
type CompileError struct {
	Name    string
	Options []string
	Log     string
	Err     *Error
}

func (e *CompileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "nvrtc: compiling %s: %v", e.Name, e.Err)
	if len(e.Options) > 0 {
		fmt.Fprintf(&b, "\noptions: %s", strings.Join(e.Options, " "))
	}
	if e.Log != "" {
		fmt.Fprintf(&b, "\n%s", strings.TrimRight(e.Log, "\n\x00"))
	}
	return b.String()
}

// Unwrap returns the NVRTC error.
func (e *CompileError) Unwrap() error { return e.Err }

// CompileOptions controls CompileProgram.
type CompileOptions struct {
	// Options are passed to NVRTC (e.g. "-default-device", "--use_fast_math", "-I/dir").
	// One that names the architecture (-arch, --gpu-architecture) overrides Arch.
	Options []string
	// Arch is the device to compile for; with PreferPTX false gotrt emits a CUBIN (sm_XY)
	// when NVRTC supports the architecture and PTX (compute_XY) otherwise.
	Arch ComputeCapability
	// PreferPTX asks for PTX even where a CUBIN could be made.
	PreferPTX bool
	// NoCache skips the on-disk cache (reading and writing).
	NoCache bool
	// CacheDir overrides the cache directory.
	CacheDir string
	// NoAutoInclude stops CompileProgram from adding "-I" CUDAIncludeDir() when the source
	// includes a CUDA header (cuda_fp16.h, cuda_bf16.h ...) and no -I option is given:
	// NVRTC 13.0 does not find those headers by itself.
	NoAutoInclude bool
}

// Compile compiles CUDA C++ source for the context's device. opts are NVRTC options.
func (c *Context) Compile(src, name string, opts ...string) (*Program, error) {
	if _, err := c.live(); err != nil {
		return nil, err
	}
	return CompileProgram(src, name, CompileOptions{Options: opts, Arch: c.dev.info.ComputeCapability})
}

// NVRTCVersion returns NVRTC's version, loading NVRTC if needed.
func NVRTCVersion() (major, minor int, err error) {
	if err := requireLib(LibNVRTC); err != nil {
		return 0, 0, err
	}
	ma, mi, code := cgo.NvrtcVersion()
	return ma, mi, newError(LibNVRTC, code, "nvrtcVersion")
}

var archCache struct {
	once  sync.Once
	archs []int
	err   error
}

// NVRTCSupportedArchs returns the SM versions NVRTC compiles for, ascending.
func NVRTCSupportedArchs() ([]int, error) {
	if err := requireLib(LibNVRTC); err != nil {
		return nil, err
	}
	archCache.once.Do(func() {
		a, code := cgo.NvrtcSupportedArchs()
		archCache.archs, archCache.err = a, newError(LibNVRTC, code, "nvrtcGetSupportedArchs")
		sort.Ints(archCache.archs)
	})
	return archCache.archs, archCache.err
}

// CompileProgram compiles src with NVRTC, through the on-disk cache.
func CompileProgram(src, name string, o CompileOptions) (*Program, error) {
	if err := requireLib(LibNVRTC); err != nil {
		return nil, err
	}
	if name == "" {
		name = "gotrt_program.cu"
	}
	opts := append([]string(nil), o.Options...)
	if !o.NoAutoInclude && includesCUDAHeader(src) && !hasIncludeOption(opts) {
		if dir := CUDAIncludeDir(); dir != "" {
			opts = append(opts, "-I"+dir)
		}
	}
	arch, userArch := archFromOptions(opts)
	cubin := false
	if userArch {
		cubin = strings.HasPrefix(arch, "sm_")
	} else {
		if o.Arch.Major == 0 {
			return nil, fmt.Errorf("%w: no architecture to compile %s for", ErrInvalidValue, name)
		}
		archs, _ := NVRTCSupportedArchs()
		arch, cubin = chooseArch(o.Arch.SM(), archs, o.PreferPTX)
		if arch == "" {
			return nil, fmt.Errorf("%w: NVRTC supports none of the architectures up to sm_%d (it supports %v)",
				ErrNotSupported, o.Arch.SM(), archs)
		}
		opts = append(opts, "--gpu-architecture="+arch)
	}

	nvrtcVer := libraryVersion(LibNVRTC)
	key := cacheKey(src, name, opts, nvrtcVer, DriverVersion(), cubin)
	dir := o.CacheDir
	if dir == "" {
		dir = defaultCacheDir()
	}
	useCache := !o.NoCache && dir != "" && !cacheDisabled()
	if useCache {
		if code, ok := readCache(dir, key, cubin); ok {
			return &Program{Name: name, Code: code, IsCUBIN: cubin, Arch: arch, Options: opts, Cached: true}, nil
		}
	}
	out, log, stage, code := cgo.NvrtcCompile(src, name, opts, cubin)
	if code != 0 {
		op := [...]string{"nvrtcCreateProgram", "nvrtcCompileProgram", "nvrtcGetCUBIN"}[min(stage, 2)]
		if stage == cgo.NvrtcStageFetch && !cubin {
			op = "nvrtcGetPTX"
		}
		e := makeError(LibNVRTC, int(code), op, "")
		return nil, &CompileError{Name: name, Options: opts, Log: log, Err: e}
	}
	if len(out) == 0 {
		return nil, &CompileError{Name: name, Options: opts, Log: log,
			Err: &Error{Lib: LibNVRTC, Code: 11, Name: "NVRTC_ERROR_INTERNAL_ERROR", Op: "nvrtcGetCUBIN", Msg: "empty output"}}
	}
	if !cubin && out[len(out)-1] != 0 {
		out = append(out, 0)
	}
	if useCache {
		_ = writeCache(dir, key, cubin, out) // the cache is an optimization; failures are not errors
	}
	return &Program{Name: name, Code: out, IsCUBIN: cubin, Arch: arch, Options: opts, Log: log}, nil
}

// archFromOptions finds an architecture given in the options ("-arch=sm_90",
// "--gpu-architecture compute_90", ...).
func archFromOptions(opts []string) (string, bool) {
	for i, o := range opts {
		for _, p := range []string{"--gpu-architecture=", "-arch=", "-arch"} {
			if strings.HasPrefix(o, p) {
				v := strings.TrimPrefix(o, p)
				if v == "" && i+1 < len(opts) {
					v = opts[i+1]
				}
				if v != "" {
					return v, true
				}
			}
		}
		if o == "--gpu-architecture" && i+1 < len(opts) {
			return opts[i+1], true
		}
	}
	return "", false
}

// chooseArch picks the architecture to compile for: sm_XY (CUBIN) when NVRTC supports the
// device's own, else compute_XY (PTX, compiled by the driver) of the newest supported one
// not above it. With no list of supported architectures it trusts the device's.
func chooseArch(sm int, supported []int, preferPTX bool) (string, bool) {
	if len(supported) == 0 {
		if preferPTX {
			return fmt.Sprintf("compute_%d", sm), false
		}
		return fmt.Sprintf("sm_%d", sm), true
	}
	best := 0
	for _, a := range supported {
		if a == sm && !preferPTX {
			return fmt.Sprintf("sm_%d", sm), true
		}
		if a <= sm && a > best {
			best = a
		}
	}
	if best == 0 {
		return "", false
	}
	return fmt.Sprintf("compute_%d", best), false
}

// cacheKey hashes everything that determines the compiled code.
func cacheKey(src, name string, opts []string, nvrtcVersion string, driverVersion int, cubin bool) string {
	h := sha256.New()
	w := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	w("gotrt-nvrtc-cache-v1")
	w(nvrtcVersion)
	w(strconv.Itoa(driverVersion))
	if cubin {
		w("cubin")
	} else {
		w("ptx")
	}
	w(name)
	w(strconv.Itoa(len(opts)))
	for _, o := range opts {
		w(o)
	}
	w(src)
	return hex.EncodeToString(h.Sum(nil))
}

func cacheDisabled() bool {
	switch strings.ToLower(os.Getenv(EnvNVRTCCache)) {
	case "0", "off", "false", "no":
		return true
	}
	return false
}

func defaultCacheDir() string {
	if d := os.Getenv(EnvCacheDir); d != "" {
		return filepath.Join(d, "nvrtc")
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "gotrt", "nvrtc")
}

// Cache files hold a magic, the SHA-256 of the code, and the code.
var cacheMagic = []byte("GOTRTNV1")

func cachePath(dir, key string, cubin bool) string {
	ext := ".ptx"
	if cubin {
		ext = ".cubin"
	}
	return filepath.Join(dir, key+ext)
}

func readCache(dir, key string, cubin bool) ([]byte, bool) {
	b, err := os.ReadFile(cachePath(dir, key, cubin))
	if err != nil || len(b) < len(cacheMagic)+sha256.Size+1 || !bytes.Equal(b[:len(cacheMagic)], cacheMagic) {
		return nil, false
	}
	sum := b[len(cacheMagic) : len(cacheMagic)+sha256.Size]
	code := b[len(cacheMagic)+sha256.Size:]
	got := sha256.Sum256(code)
	if !bytes.Equal(sum, got[:]) {
		return nil, false
	}
	return code, true
}

func writeCache(dir, key string, cubin bool, code []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, key+".tmp*")
	if err != nil {
		return err
	}
	sum := sha256.Sum256(code)
	_, err = f.Write(append(append(append([]byte(nil), cacheMagic...), sum[:]...), code...))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), cachePath(dir, key, cubin)); err != nil {
		os.Remove(f.Name())
		return err
	}
	return nil
}

// CUDAIncludeDir returns a directory holding the CUDA headers (cuda_fp16.h), for "-I" when a
// kernel includes them and NVRTC does not provide them itself; "" when none is found.
func CUDAIncludeDir() string {
	var cands []string
	for _, env := range []string{"CUDA_HOME", "CUDA_PATH"} {
		if v := os.Getenv(env); v != "" {
			cands = append(cands, filepath.Join(v, "include"))
		}
	}
	if d := libraryDir(LibNVRTC); d != "" {
		// toolkit: lib64/../include; pip wheels: nvidia/cu13/lib/../include
		cands = append(cands, filepath.Join(d, "..", "include"))
	}
	cands = append(cands, "/usr/local/cuda/include")
	cands = append(cands, globSorted("/usr/local/cuda-*/include")...)
	for _, c := range cands {
		if exists(filepath.Join(c, "cuda_fp16.h")) {
			return filepath.Clean(c)
		}
	}
	return ""
}

// includesCUDAHeader reports whether src includes a CUDA toolkit header (cuda_*.h).
func includesCUDAHeader(src string) bool {
	for _, line := range strings.Split(src, "\n") {
		l := strings.TrimSpace(line)
		if !strings.HasPrefix(l, "#") {
			continue
		}
		l = strings.TrimSpace(strings.TrimPrefix(l, "#"))
		if !strings.HasPrefix(l, "include") {
			continue
		}
		l = strings.TrimSpace(strings.TrimPrefix(l, "include"))
		if strings.HasPrefix(l, "<cuda_") || strings.HasPrefix(l, "\"cuda_") {
			return true
		}
	}
	return false
}

func hasIncludeOption(opts []string) bool {
	for _, o := range opts {
		if strings.HasPrefix(o, "-I") || strings.HasPrefix(o, "--include-path") {
			return true
		}
	}
	return false
}

// IsCompileError reports whether err is an NVRTC compile error and returns it.
func IsCompileError(err error) (*CompileError, bool) {
	var ce *CompileError
	ok := errors.As(err, &ce)
	return ce, ok
}
