package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/trt"
	"github.com/gotrt/gotrt/trt/onnx"
)

func init() {
	register("inspect", "show a model's layers (types, shapes; resolved precisions with --fp16 etc.) or a serialized engine", cmdInspect)
}

const inspectUsage = `gotrt inspect MODEL.onnx|ENGINE [--input-shapes NAME:[D0,...] ...] [--build]
        [--backend cpu|cuda|auto] [--fp16] [--bf16] [--tf32] [--precision-constraints none|prefer|obey]
        [--layer-precisions NAME:TYPE ...] [--layer-output-types NAME:TYPE ...] [--json]

For an ONNX model: its inputs, outputs and the layers gotrt imports it into,
with types and shapes; with --build or any precision flag, it also builds an
engine and shows each layer's resolved precision. For a serialized engine
(a file starting with "GOTRTPLN", as written by gotrt convert): the engine
inspector's view.`

// planMagic starts every serialized gotrt engine.
const planMagic = "GOTRTPLN"

// isEngineFile reports whether the file starts with the engine magic.
func isEngineFile(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return false, usagef("%s: no such file", path)
		}
		return false, usagef("%v", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return false, usagef("%s: is a directory, not a file", path)
	}
	head := make([]byte, len(planMagic))
	n, _ := io.ReadFull(f, head)
	return n == len(planMagic) && string(head) == planMagic, nil
}

func cmdInspect(args []string) error {
	fs := newFlagSet("inspect", inspectUsage)
	var pf precisionFlags
	pf.register(fs)
	shapes := fs.list("input-shapes", "input shapes, NAME:[D0,D1,...] (dynamic dims stay dynamic otherwise)")
	build := fs.Bool("build", false, "build an engine and show resolved precisions (implied by any precision flag)")
	jsonOut := fs.Bool("json", false, "write JSON to stdout")
	verbose := fs.Bool("verbose", false, "more detail")
	fs.BoolVar(verbose, "v", false, "same as --verbose")
	pos, err := fs.parse(args)
	if err == errHelp {
		return nil
	} else if err != nil {
		return err
	}
	path, err := wantOne(fs, pos, "MODEL.onnx or ENGINE")
	if err != nil {
		return err
	}
	p, err := pf.precision()
	if err != nil {
		return err
	}
	isEngine, err := isEngineFile(path)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	log := &runner.Logger{W: stderr, Verbose: *verbose, Quiet: true}

	if isEngine {
		for _, name := range precisionFlagNames {
			if name != "backend" && fs.isSet(name) {
				return usagef("--%s does not apply to a serialized engine (its precisions are fixed when it is built)", name)
			}
		}
		if len(*shapes) > 0 || *build {
			return usagef("--input-shapes and --build do not apply to a serialized engine")
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return usagef("%v", err)
		}
		backend := trt.Backend("")
		if fs.isSet("backend") {
			backend = p.Backend
		}
		e, err := trt.Deserialize(ctx, b, backend, nil)
		if err != nil {
			if errors.Is(err, trt.ErrBackend) || errors.Is(err, trt.ErrBadPlan) {
				return usagef("%s: %v", path, err)
			}
			return failf("%s: %v", path, err)
		}
		defer e.Close()
		in := e.CreateEngineInspector()
		if *jsonOut {
			return writeJSON(map[string]any{"kind": "engine", "path": path, "size_bytes": len(b), "engine": in.Info()})
		}
		fmt.Fprintf(stdout, "[I] ==== gotrt Engine ====\n")
		fmt.Fprintf(stdout, "    File: %s (%d bytes)\n", path, len(b))
		writeEngineText(stdout, e)
		return nil
	}

	in, err := parseShapes(shapes)
	if err != nil {
		return err
	}
	m, err := runner.Load(ctx, path, runner.LoadOptions{InputShapes: in})
	if err != nil {
		return runnerError(err)
	}
	doBuild := *build
	for _, name := range precisionFlagNames {
		doBuild = doBuild || fs.isSet(name)
	}
	layers := modelLayers(m)
	var engine *trt.Engine
	if doBuild {
		e, _, err := m.Build(ctx, p, runner.BuildOptions{Log: log, Label: p.Label("")})
		if err != nil {
			return runnerError(err)
		}
		defer e.Close()
		engine = e
	}
	if *jsonOut {
		out := map[string]any{
			"kind":         "model",
			"path":         path,
			"ir_version":   m.Proto.IRVersion,
			"opset":        m.Import.Opset,
			"producer":     strings.TrimSpace(m.Proto.ProducerName + " " + m.Proto.ProducerVersion),
			"graph":        m.Proto.Graph.Name,
			"nodes":        len(m.Proto.Graph.Nodes),
			"initializers": len(m.Proto.Graph.Initializers),
			"inputs":       m.Inputs,
			"outputs":      m.Outputs,
			"layers":       layers,
		}
		if engine != nil {
			out["engine"] = engine.CreateEngineInspector().Info()
		}
		return writeJSON(out)
	}
	w := stdout
	g := m.Proto.Graph
	fmt.Fprintf(w, "[I] ==== ONNX Model ====\n")
	fmt.Fprintf(w, "    Name: %s | ONNX opset: %d | IR version: %d", g.Name, m.Import.Opset, m.Proto.IRVersion)
	if prod := strings.TrimSpace(m.Proto.ProducerName + " " + m.Proto.ProducerVersion); prod != "" {
		fmt.Fprintf(w, " | Producer: %s", prod)
	}
	fmt.Fprintf(w, "\n\n    ---- %d Graph Input(s) ----\n    %s\n", len(m.Inputs), ioSet(m.Inputs))
	fmt.Fprintf(w, "\n    ---- %d Graph Output(s) ----\n    %s\n", len(m.Outputs), ioSet(m.Outputs))
	fmt.Fprintf(w, "\n    ---- %d Initializer(s) ----\n", len(g.Initializers))
	fmt.Fprintf(w, "\n    ---- %d Node(s), %d Layer(s) ----\n", len(g.Nodes), len(layers))
	for i, l := range layers {
		from := ""
		if l.Node != "" && (l.Node != l.Name || l.Op == "") {
			from = fmt.Sprintf(" (from node %q)", l.Node)
		}
		op := ""
		if l.Op != "" {
			op = " [Op: " + l.Op + "]"
		}
		fmt.Fprintf(w, "    Layer %-3d | %s [%s]%s%s\n", i, l.Name, l.Kind, op, from)
		if len(l.Inputs) == 0 {
			fmt.Fprintf(w, "        -> %s\n", tensorSet(l.Outputs))
		} else {
			fmt.Fprintf(w, "        %s\n         -> %s\n", tensorSet(l.Inputs), tensorSet(l.Outputs))
		}
	}
	if engine != nil {
		fmt.Fprintf(w, "\n[I] ==== gotrt Engine (%s) ====\n", p.Label(engine.Backend()))
		writeEngineText(w, engine)
	}
	return nil
}

func writeEngineText(w io.Writer, e *trt.Engine) {
	var b bytes.Buffer
	e.CreateEngineInspector().WriteText(&b)
	var ins, outs []runner.IOInfo
	for _, t := range e.Inputs() {
		ins = append(ins, runner.IOInfo{Name: t.Name, Type: t.Type, Dims: t.Dims})
	}
	for _, t := range e.Outputs() {
		outs = append(outs, runner.IOInfo{Name: t.Name, Type: t.Type, Dims: t.Dims})
	}
	fmt.Fprintf(w, "    Inputs: %s\n    Outputs: %s\n", ioSet(ins), ioSet(outs))
	for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		fmt.Fprintf(w, "    %s\n", line)
	}
	prec := map[string]int{}
	for _, v := range e.LayerPrecisions() {
		prec[v]++
	}
	if len(prec) > 0 {
		var parts []string
		for _, k := range []string{"FP32", "TF32", "FP16", "BF16"} {
			if prec[k] > 0 {
				parts = append(parts, fmt.Sprintf("%s: %d", k, prec[k]))
				delete(prec, k)
			}
		}
		for k, v := range prec {
			parts = append(parts, fmt.Sprintf("%s: %d", k, v))
		}
		fmt.Fprintf(w, "    Layer precisions | %s\n", strings.Join(parts, " | "))
	}
}

func ioSet(ios []runner.IOInfo) string {
	var s []string
	for _, i := range ios {
		s = append(s, i.String())
	}
	return "{" + strings.Join(s, ",\n     ") + "}"
}

// layerJSON describes one network layer.
type layerJSON struct {
	Name    string          `json:"name"`
	Kind    string          `json:"kind"`
	Node    string          `json:"onnx_node,omitempty"`
	Op      string          `json:"onnx_op,omitempty"`
	Inputs  []runner.IOInfo `json:"inputs"`
	Outputs []runner.IOInfo `json:"outputs"`
}

func tensorSet(ts []runner.IOInfo) string {
	var s []string
	for _, t := range ts {
		s = append(s, t.String())
	}
	return "{" + strings.Join(s, ", ") + "}"
}

// modelLayers lists the network's layers with the ONNX node each came from.
func modelLayers(m *runner.Model) []layerJSON {
	nodeOp := map[string]string{}
	for i, n := range m.Proto.Graph.Nodes {
		nodeOp[onnx.NodeName(n, i)] = n.OpType
	}
	layerNode := map[string]string{}
	for node, ls := range m.Import.NodeLayers {
		for _, l := range ls {
			layerNode[l] = node
		}
	}
	net := m.Network()
	var out []layerJSON
	for _, l := range net.Layers() {
		lj := layerJSON{Name: l.Name(), Kind: l.Kind().String(), Inputs: []runner.IOInfo{}, Outputs: []runner.IOInfo{}}
		if node, ok := layerNode[l.Name()]; ok {
			lj.Node, lj.Op = node, nodeOp[node]
		}
		for i := 0; i < l.NumInputs(); i++ {
			if t := l.Input(i); t != nil {
				lj.Inputs = append(lj.Inputs, runner.IOInfo{Name: t.Name(), Type: t.Type(), Dims: t.Dimensions()})
			}
		}
		for i := 0; i < l.NumOutputs(); i++ {
			if t := l.Output(i); t != nil {
				lj.Outputs = append(lj.Outputs, runner.IOInfo{Name: t.Name(), Type: t.Type(), Dims: t.Dimensions()})
			}
		}
		out = append(out, lj)
	}
	return out
}
