package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gotrt/gotrt/internal/fsutil"
	"github.com/gotrt/gotrt/runner"
)

func init() {
	register("convert", "build and save a serialized engine (or, with --fp-to-fp16, convert an ONNX model to FP16)", cmdConvert)
}

const convertUsage = `gotrt convert MODEL.onnx -o ENGINE [--backend cpu|cuda|auto] [--fp16] [--bf16] [--tf32]
        [--precision-constraints none|prefer|obey] [--layer-precisions NAME:TYPE ...]
        [--layer-output-types NAME:TYPE ...] [--input-shapes NAME:[D0,...] ...] [--verbose]
   or: gotrt convert --fp-to-fp16 IN.onnx -o OUT.onnx [--keep-io-types=false]

The first form builds an engine and writes it serialized (versioned and
checksummed; 'gotrt inspect ENGINE' shows it). Dynamic dims that
--input-shapes does not fix stay dynamic and are set at run time. The second
form writes an FP16 copy of the ONNX model (I/O types kept FP32 unless
--keep-io-types=false), to check whether the model itself works in FP16:
'gotrt run OUT.onnx --onnxrt'.`

// fpToFP16 converts an ONNX model to FP16 and returns a summary of what it
// did. HOOK: convert_fp16.go sets it from package trt/onnx/fp16; without that
// file (or package) it stays nil and --fp-to-fp16 says it is unavailable.
var fpToFP16 func(ctx context.Context, in, out string, keepIOTypes bool) (summary string, err error)

func cmdConvert(args []string) error {
	fs := newFlagSet("convert", convertUsage)
	var pf precisionFlags
	pf.register(fs)
	shapes := fs.list("input-shapes", "input shapes, NAME:[D0,D1,...]")
	out := fs.String("o", "", "output file")
	fs.StringVar(out, "output", "", "same as -o")
	toFP16 := fs.Bool("fp-to-fp16", false, "convert the ONNX model's floating-point tensors to FP16 and write an ONNX model")
	keepIO := fs.Bool("keep-io-types", true, "with --fp-to-fp16: keep the model's inputs and outputs in their types (FP32)")
	verbose := fs.Bool("verbose", false, "show the engine's layers")
	fs.BoolVar(verbose, "v", false, "same as --verbose")
	pos, err := fs.parse(args)
	if err == errHelp {
		return nil
	} else if err != nil {
		return err
	}
	in, err := wantOne(fs, pos, "input model")
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("missing -o OUTPUT (usage: %s)", fs.usageLine)
	}
	if sameFile(in, *out) {
		return usagef("-o %s would overwrite the input model", *out)
	}
	ctx, stop := signalContext()
	defer stop()
	log := &runner.Logger{W: stdout, Verbose: *verbose}

	if *toFP16 {
		for _, name := range append([]string{"input-shapes"}, precisionFlagNames...) {
			if fs.isSet(name) {
				return usagef("--%s does not apply to --fp-to-fp16 (it converts the ONNX model, no engine is built)", name)
			}
		}
		if fpToFP16 == nil {
			return usagef("--fp-to-fp16 is not available in this build of gotrt (package trt/onnx/fp16 is not linked in)")
		}
		summary, err := fpToFP16(ctx, in, *out, *keepIO)
		if err != nil {
			return runnerError(err)
		}
		if summary != "" {
			log.Infof("%s", summary)
		}
		log.Infof("Saved FP16 model to %s (I/O types %s)", *out, map[bool]string{true: "kept", false: "converted to FP16 too"}[*keepIO])
		return nil
	}
	if fs.isSet("keep-io-types") {
		return usagef("--keep-io-types applies only with --fp-to-fp16")
	}
	p, err := pf.precision()
	if err != nil {
		return err
	}
	sh, err := parseShapes(shapes)
	if err != nil {
		return err
	}
	m, err := runner.Load(ctx, in, runner.LoadOptions{InputShapes: sh})
	if err != nil {
		return runnerError(err)
	}
	label := p.Label("")
	log.Infof("%s | Building engine | backend=%s | flags=%s | precision constraints=%s", label, p.Backend, p.Flags(), p.Constraints)
	e, took, err := m.Build(ctx, p, runner.BuildOptions{Log: log, Label: label})
	if err != nil {
		return runnerError(err)
	}
	defer e.Close()
	label = p.Label(e.Backend())
	log.Infof("%s | Finished engine building in %.3f seconds", label, took.Seconds())
	if *verbose {
		writeEngineText(stdout, e)
	}
	b, err := e.Serialize()
	if err != nil {
		return failf("serializing the engine: %v", err)
	}
	if err := writeFileAtomic(*out, b); err != nil {
		return usagef("%v", err)
	}
	log.Infof("Saved engine to %s (%d bytes)", *out, len(b))
	return nil
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	if err1 == nil && err2 == nil {
		return os.SameFile(sa, sb)
	}
	return filepath.Clean(a) == filepath.Clean(b)
}

// writeFileAtomic writes b to path through a temporary file renamed into
// place, so a failed write leaves no half file.
func writeFileAtomic(path string, b []byte) error {
	if err := fsutil.WriteFileBytes(path, b); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
