package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/gotrt/gotrt/constraints"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/trt"
)

// errHelp is returned by parse after printing a command's help: the command
// returns nil (exit 0).
var errHelp = errors.New("help shown")

// listFlag collects every value of a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// flagSet is a flag.FlagSet with Polygraphy's command-line habits: flags and
// positional arguments may be mixed ("gotrt run model.onnx --fp16"), and the
// flags registered with multi take several space-separated values
// ("--input-shapes x:[1,3] y:[1,5]"): after the first value, every following
// argument that does not start with "-" and holds a ':' is another value.
type flagSet struct {
	*flag.FlagSet
	usageLine string
	multi     map[string]bool
}

func newFlagSet(name, usageLine string) *flagSet {
	fs := &flagSet{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), usageLine: usageLine, multi: map[string]bool{}}
	fs.SetOutput(io.Discard)
	return fs
}

// list registers a repeatable, multi-valued flag.
func (fs *flagSet) list(name, usage string) *listFlag {
	l := &listFlag{}
	fs.Var(l, name, usage)
	fs.multi[name] = true
	return l
}

func (fs *flagSet) printHelp(w io.Writer) {
	fmt.Fprintf(w, "usage: %s\n\nflags:\n", fs.usageLine)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// flagName returns the name of a flag argument ("--x", "-x", "--x=v") and
// whether it carried its value.
func flagName(arg string) (name string, hasValue bool, ok bool) {
	if len(arg) < 2 || arg[0] != '-' || arg == "--" {
		return "", false, false
	}
	s := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if s == "" || s[0] == '-' || s[0] == '=' {
		return "", false, false
	}
	if i := strings.IndexByte(s, '='); i >= 0 {
		return s[:i], true, true
	}
	return s, false, true
}

// expandMulti rewrites multi-valued flags into one "--name=value" per value.
func (fs *flagSet) expandMulti(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, hasValue, ok := flagName(a)
		if !ok || !fs.multi[name] {
			out = append(out, a)
			continue
		}
		if hasValue {
			out = append(out, a)
		} else {
			if i+1 >= len(args) {
				out = append(out, a) // flag reports the missing value
				continue
			}
			i++
			out = append(out, "--"+name+"="+args[i])
		}
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && strings.Contains(args[i+1], ":") {
			i++
			out = append(out, "--"+name+"="+args[i])
		}
	}
	return out
}

// parse parses flags anywhere among the arguments and returns the positional
// arguments. Everything after "--" is positional.
func (fs *flagSet) parse(args []string) ([]string, error) {
	var tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	args = fs.expandMulti(args)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.printHelp(stdout)
				return nil, errHelp
			}
			return nil, usagef("%v (see gotrt %s --help)", err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return append(pos, tail...), nil
}

// isSet reports whether a flag was given.
func (fs *flagSet) isSet(name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// precisionFlags are the engine precision flags shared by run, inspect,
// convert and bench.
type precisionFlags struct {
	backend          string
	fp16, bf16, tf32 bool
	constraints      string
	layerPrecisions  *listFlag
	layerOutputTypes *listFlag
}

func (p *precisionFlags) register(fs *flagSet) {
	fs.StringVar(&p.backend, "backend", "cpu", "engine backend: cpu, cuda or auto (cuda where present, else cpu)")
	fs.BoolVar(&p.fp16, "fp16", false, "allow FP16 layers")
	fs.BoolVar(&p.bf16, "bf16", false, "allow BF16 layers")
	fs.BoolVar(&p.tf32, "tf32", false, "allow TF32 in FP32 convolutions and matrix multiplies (off unless asked, as in Polygraphy)")
	fs.StringVar(&p.constraints, "precision-constraints", "none", "how binding per-layer precisions are: none, prefer or obey")
	p.layerPrecisions = fs.list("layer-precisions", "per-layer compute precision, NAME:TYPE[,NAME:TYPE...] (NAME may hold * and ? wildcards), e.g. 'fc1:fp32 attn*:fp32'")
	p.layerOutputTypes = fs.list("layer-output-types", "per-layer output types, NAME:TYPE or NAME:[TYPE,TYPE] per output")
}

// names of the flags that change what is built (for inspect).
var precisionFlagNames = []string{"fp16", "bf16", "tf32", "precision-constraints", "layer-precisions", "layer-output-types", "backend"}

func (p *precisionFlags) precision() (runner.Precision, error) {
	var out runner.Precision
	b, err := runner.ParseBackend(p.backend)
	if err != nil {
		return out, usagef("--backend: %v", err)
	}
	c, err := trt.ParsePrecisionConstraints(p.constraints)
	if err != nil {
		return out, usagef("--precision-constraints: %v", err)
	}
	lp, err := constraints.ParseRules(*p.layerPrecisions)
	if err != nil {
		return out, usagef("--layer-precisions: %v", err)
	}
	lo, err := constraints.ParseRules(*p.layerOutputTypes)
	if err != nil {
		return out, usagef("--layer-output-types: %v", err)
	}
	return runner.Precision{Backend: b, FP16: p.fp16, BF16: p.bf16, TF32: p.tf32, Constraints: c,
		LayerPrecisions: lp, LayerOutputTypes: lo}, nil
}

// parseShapes parses --input-shapes.
func parseShapes(l *listFlag) (map[string][]int, error) {
	s, err := runner.ParseInputShapes(*l)
	if err != nil {
		return nil, usagef("--input-shapes: %v", err)
	}
	return s, nil
}

// wantOne checks that exactly one positional argument was given.
func wantOne(fs *flagSet, pos []string, what string) (string, error) {
	switch len(pos) {
	case 0:
		return "", usagef("missing %s (usage: %s)", what, fs.usageLine)
	case 1:
		return pos[0], nil
	}
	return "", usagef("one %s expected, got %d arguments: %s (usage: %s)", what, len(pos), strings.Join(pos, " "), fs.usageLine)
}

// signalContext is cancelled by Ctrl-C, so long work stops cleanly.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

// runnerError turns a runner error into the CLI's: bad input exits 2, the
// rest 1.
func runnerError(err error) error {
	switch {
	case err == nil:
		return nil
	case runner.IsBadInput(err):
		return usageError{err}
	case errors.Is(err, context.Canceled):
		return failf("interrupted")
	}
	return failure{err}
}

// quoteArgs joins arguments for display, quoting those with spaces.
func quoteArgs(args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "" || strings.ContainsAny(a, " \t\"'") {
			out[i] = fmt.Sprintf("%q", a)
		} else {
			out[i] = a
		}
	}
	return strings.Join(out, " ")
}
