package cgo

import (
	"strings"
	"testing"
)

func TestDlopenMissingLibraryReturnsDlerror(t *testing.T) {
	h, msg := Dlopen("/nonexistent/gotrt/libnothing.so.1", false)
	if h != 0 {
		t.Fatalf("Dlopen of a missing file returned handle %#x", h)
	}
	if !strings.Contains(msg, "libnothing.so.1") {
		t.Fatalf("dlerror text %q does not name the library", msg)
	}
}

func TestCallsBeforeLoadReturnNotLoaded(t *testing.T) {
	if Loaded(LibCUDA) {
		t.Skip("libcuda bound by another test")
	}
	if got := CuInit(); got != CodeNotLoaded {
		t.Fatalf("CuInit before Bind = %d, want %d", got, CodeNotLoaded)
	}
	if _, got := CuMalloc(0, 16); got != CodeNotLoaded {
		t.Fatalf("CuMalloc before Bind = %d, want %d", got, CodeNotLoaded)
	}
	if _, _, _, got := NvrtcCompile("x", "x.cu", nil, true); got != CodeNotLoaded {
		t.Fatalf("NvrtcCompile before Bind = %d, want %d", got, CodeNotLoaded)
	}
	if _, got := LtCreate(0); got != CodeNotLoaded {
		t.Fatalf("LtCreate before Bind = %d, want %d", got, CodeNotLoaded)
	}
	if _, _, got := DnnCreate(0); got != CodeNotLoaded {
		t.Fatalf("DnnCreate before Bind = %d, want %d", got, CodeNotLoaded)
	}
}

// A library that lacks every symbol: each call must return CodeMissingSymbol, never crash.
func TestMissingSymbolsReturnErrorNotCrash(t *testing.T) {
	h, msg := Dlopen("libc.so.6", false)
	if h == 0 {
		t.Skipf("libc.so.6 not loadable here: %s", msg)
	}
	defer Dlclose(h)
	for _, lib := range []Lib{LibCUDA, LibNVRTC, LibCUBLASLt, LibCUDNN} {
		missing := Bind(lib, h)
		if len(missing) != SymbolCount(lib) {
			t.Fatalf("lib %d: %d missing of %d symbols", lib, len(missing), SymbolCount(lib))
		}
		if !Loaded(lib) {
			t.Fatalf("lib %d not marked loaded after Bind", lib)
		}
	}
	defer func() {
		for _, lib := range []Lib{LibCUDA, LibNVRTC, LibCUBLASLt, LibCUDNN} {
			Unbind(lib)
		}
	}()
	checks := map[string]int32{
		"CuInit":    CuInit(),
		"CuMalloc":  second(CuMalloc(0, 16)),
		"CuLaunch":  CuLaunch(0, 0, [3]uint32{1, 1, 1}, [3]uint32{1, 1, 1}, 0, 0, nil, nil),
		"LtCreate":  second(LtCreate(0)),
		"LtMatmul":  LtMatmul(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, nil, 0, 0, 0),
		"DnnCreate": third(DnnCreate(0)),
	}
	_, _, stage, code := NvrtcCompile("extern \"C\" __global__ void k(){}", "k.cu", []string{"-arch=sm_90"}, true)
	checks["NvrtcCompile"] = code
	if stage != NvrtcStageCreate {
		t.Errorf("NvrtcCompile stage = %d, want %d", stage, NvrtcStageCreate)
	}
	for name, got := range checks {
		if got != CodeMissingSymbol {
			t.Errorf("%s = %d, want CodeMissingSymbol (%d)", name, got, CodeMissingSymbol)
		}
	}
	if name, desc := CuErrorStrings(2); name != "" || desc != "" {
		t.Errorf("CuErrorStrings with missing symbols = %q, %q; want empty", name, desc)
	}
	Unbind(LibCUDA)
	if got := CuInit(); got != CodeNotLoaded {
		t.Errorf("CuInit after Unbind = %d, want %d", got, CodeNotLoaded)
	}
}

func TestOriginNamesTheFile(t *testing.T) {
	h, msg := Dlopen("libc.so.6", false)
	if h == 0 {
		t.Skipf("libc.so.6 not loadable here: %s", msg)
	}
	defer Dlclose(h)
	if o := Origin(h, "malloc"); !strings.Contains(o, "libc") {
		t.Fatalf("Origin(malloc) = %q", o)
	}
	if o := Origin(h, "no_such_symbol_gotrt"); o != "" {
		t.Fatalf("Origin(missing) = %q, want empty", o)
	}
}

func second[A, B any](_ A, b B) B        { return b }
func third[A, B, C any](_ A, _ B, c C) C { return c }
