package trt

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"fmt"

	"github.com/gotrt/gotrt/trt/internal/ir"
)

// Plan file layout: magic (8 bytes) | format version (uint32 LE) | payload
// length (uint64 LE) | SHA-256 of the payload (32 bytes) | payload (gob).
const (
	planMagic   = "GOTRTPLN"
	planVersion = 1
	headerSize  = 8 + 4 + 8 + 32
	// maxPlanSize bounds what Deserialize accepts.
	maxPlanSize = 16 << 30
)

func init() {
	for _, p := range []ir.Params{&ir.ConstantParams{}, &ir.IdentityParams{}, &ir.CastParams{}, &ir.ConvParams{},
		&ir.DeconvParams{}, &ir.MatMulParams{}, &ir.ElementWiseParams{}, &ir.UnaryParams{}, &ir.ActivationParams{},
		&ir.PReLUParams{}, &ir.PoolingParams{}, &ir.SoftmaxParams{}, &ir.NormParams{}, &ir.ReduceParams{},
		&ir.ShuffleParams{}, &ir.ConcatParams{}, &ir.SplitParams{}, &ir.SliceParams{}, &ir.GatherParams{},
		&ir.ScatterParams{}, &ir.ResizeParams{}, &ir.PaddingParams{}, &ir.SelectParams{}, &ir.ShapeParams{},
		&ir.FillParams{}, &ir.TopKParams{}, &ir.ArgMinMaxParams{}, &ir.CumulativeParams{}, &ir.EinsumParams{},
		&ir.RNNParams{}, &ir.NonZeroParams{}, &ir.OneHotParams{}, &ir.TriluParams{}, &ir.ExpandParams{},
		&ir.TileParams{}} {
		gob.Register(p)
	}
}

type tensorRec struct {
	ID       int
	Name     string
	Type     ir.DataType
	Dims     []int
	Producer int // node index, -1 for none
	Index    int
	Input    bool
	Output   bool
	Const    *ir.Data
}

type nodeRec struct {
	Name         string
	Params       ir.Params
	Inputs       []int // tensor IDs, -1 for absent
	Outputs      []int
	Precision    ir.DataType
	PrecisionSet bool
	OutTypes     []ir.DataType
	OutTypeSet   []bool
}

type stepRec struct {
	Node      int
	Precision ir.DataType
	TF32      bool
	OutTypes  []ir.DataType
	Epilogue  []int
	Free      []int
}

type graphRec struct {
	Tensors       []tensorRec
	Nodes         []nodeRec
	Inputs        []int
	Outputs       []int
	StronglyTyped bool
}

type planRec struct {
	Graph    graphRec
	Steps    []stepRec
	Profiles []ir.Profile
	Info     buildInfo
}

func encodeGraph(g *ir.Graph) graphRec {
	nodeIdx := map[*ir.Node]int{}
	for i, n := range g.Nodes {
		nodeIdx[n] = i
	}
	var r graphRec
	r.StronglyTyped = g.StronglyTyped
	for _, t := range g.Tensors {
		tr := tensorRec{ID: t.ID, Name: t.Name, Type: t.Type, Dims: t.Dims, Producer: -1, Index: t.Index,
			Input: t.Input, Output: t.Output, Const: t.Const}
		if t.Producer != nil {
			if i, ok := nodeIdx[t.Producer]; ok {
				tr.Producer = i
			}
		}
		r.Tensors = append(r.Tensors, tr)
	}
	ids := func(ts []*ir.Tensor) []int {
		out := make([]int, len(ts))
		for i, t := range ts {
			out[i] = -1
			if t != nil {
				out[i] = t.ID
			}
		}
		return out
	}
	for _, n := range g.Nodes {
		r.Nodes = append(r.Nodes, nodeRec{Name: n.Name, Params: n.Params, Inputs: ids(n.Inputs), Outputs: ids(n.Outputs),
			Precision: n.Precision, PrecisionSet: n.PrecisionSet, OutTypes: n.OutTypes, OutTypeSet: n.OutTypeSet})
	}
	r.Inputs, r.Outputs = ids(g.Inputs), ids(g.Outputs)
	return r
}

func decodeGraph(r graphRec) (*ir.Graph, error) {
	g := &ir.Graph{StronglyTyped: r.StronglyTyped}
	byID := map[int]*ir.Tensor{}
	for _, tr := range r.Tensors {
		if _, dup := byID[tr.ID]; dup {
			return nil, fmt.Errorf("duplicate tensor id %d", tr.ID)
		}
		t := &ir.Tensor{ID: tr.ID, Name: tr.Name, Type: tr.Type, Dims: tr.Dims, Index: tr.Index, Input: tr.Input,
			Output: tr.Output, Const: tr.Const}
		if t.Const != nil && t.Const.Len() != ir.Volume(t.Const.Dims) {
			return nil, fmt.Errorf("tensor %q: constant has %d values for dims %v", t.Name, t.Const.Len(), t.Const.Dims)
		}
		byID[tr.ID] = t
		g.Tensors = append(g.Tensors, t)
	}
	get := func(ids []int) ([]*ir.Tensor, error) {
		out := make([]*ir.Tensor, len(ids))
		for i, id := range ids {
			if id < 0 {
				continue
			}
			t, ok := byID[id]
			if !ok {
				return nil, fmt.Errorf("unknown tensor id %d", id)
			}
			out[i] = t
		}
		return out, nil
	}
	for i, nr := range r.Nodes {
		if nr.Params == nil {
			return nil, fmt.Errorf("node %d (%q) has no parameters", i, nr.Name)
		}
		ins, err := get(nr.Inputs)
		if err != nil {
			return nil, err
		}
		outs, err := get(nr.Outputs)
		if err != nil {
			return nil, err
		}
		if len(nr.OutTypes) != len(outs) || len(nr.OutTypeSet) != len(outs) {
			return nil, fmt.Errorf("node %q: output type records do not match its outputs", nr.Name)
		}
		for _, o := range outs {
			if o == nil {
				return nil, fmt.Errorf("node %q has an absent output", nr.Name)
			}
		}
		n := &ir.Node{ID: i, Name: nr.Name, Params: nr.Params, Inputs: ins, Outputs: outs,
			Precision: nr.Precision, PrecisionSet: nr.PrecisionSet, OutTypes: nr.OutTypes, OutTypeSet: nr.OutTypeSet}
		n.Kind = kindOf(nr.Params)
		g.Nodes = append(g.Nodes, n)
	}
	for _, tr := range r.Tensors {
		if tr.Producer >= 0 {
			if tr.Producer >= len(g.Nodes) {
				return nil, fmt.Errorf("tensor %q: unknown producer %d", tr.Name, tr.Producer)
			}
			byID[tr.ID].Producer = g.Nodes[tr.Producer]
		}
	}
	var err error
	if g.Inputs, err = get(r.Inputs); err != nil {
		return nil, err
	}
	if g.Outputs, err = get(r.Outputs); err != nil {
		return nil, err
	}
	for _, t := range append(append([]*ir.Tensor{}, g.Inputs...), g.Outputs...) {
		if t == nil {
			return nil, fmt.Errorf("absent network input or output")
		}
	}
	ir.SetCounters(g)
	return g, nil
}

// kindOf maps a params value to its kind (through a throwaway node).
func kindOf(p ir.Params) ir.Kind { return ir.KindOf(p) }

// cloneGraph deep-copies a graph through the plan encoding.
func cloneGraph(g *ir.Graph) (*ir.Graph, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(encodeGraph(g)); err != nil {
		return nil, err
	}
	var r graphRec
	if err := gob.NewDecoder(&buf).Decode(&r); err != nil {
		return nil, err
	}
	return decodeGraph(r)
}

func encodePlan(p *ir.Plan, info *buildInfo) ([]byte, error) {
	rec := planRec{Graph: encodeGraph(p.Graph), Profiles: p.Profiles, Info: *info}
	idx := map[*ir.Node]int{}
	for i, n := range p.Graph.Nodes {
		idx[n] = i
	}
	for _, s := range p.Steps {
		sr := stepRec{Node: idx[s.Node], Precision: s.Precision, TF32: s.TF32, OutTypes: s.OutTypes, Free: s.Free}
		for _, e := range s.Epilogue {
			sr.Epilogue = append(sr.Epilogue, idx[e])
		}
		rec.Steps = append(rec.Steps, sr)
	}
	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(&rec); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(payload.Bytes())
	out := make([]byte, 0, headerSize+payload.Len())
	out = append(out, planMagic...)
	out = binary.LittleEndian.AppendUint32(out, planVersion)
	out = binary.LittleEndian.AppendUint64(out, uint64(payload.Len()))
	out = append(out, sum[:]...)
	return append(out, payload.Bytes()...), nil
}

func decodePlan(b []byte) (p *ir.Plan, info *buildInfo, err error) {
	defer func() {
		if r := recover(); r != nil { // gob should not panic; never let a bad plan crash the caller
			p, info, err = nil, nil, fmt.Errorf("%w: %v", ErrBadPlan, r)
		}
	}()
	if len(b) < headerSize {
		return nil, nil, fmt.Errorf("%w: %d bytes is shorter than the %d-byte header", ErrBadPlan, len(b), headerSize)
	}
	if string(b[:8]) != planMagic {
		return nil, nil, fmt.Errorf("%w: not a gotrt plan (bad magic)", ErrBadPlan)
	}
	if v := binary.LittleEndian.Uint32(b[8:12]); v != planVersion {
		return nil, nil, fmt.Errorf("%w: plan format version %d, this gotrt reads version %d", ErrBadPlan, v, planVersion)
	}
	n := binary.LittleEndian.Uint64(b[12:20])
	if n > maxPlanSize || n != uint64(len(b)-headerSize) {
		return nil, nil, fmt.Errorf("%w: payload length %d does not match the %d bytes present (truncated?)", ErrBadPlan, n, len(b)-headerSize)
	}
	payload := b[headerSize:]
	if sum := sha256.Sum256(payload); !bytes.Equal(sum[:], b[20:52]) {
		return nil, nil, fmt.Errorf("%w: checksum mismatch (corrupted)", ErrBadPlan)
	}
	var rec planRec
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&rec); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBadPlan, err)
	}
	g, err := decodeGraph(rec.Graph)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrBadPlan, err)
	}
	p = &ir.Plan{Graph: g, Inputs: g.Inputs, Outputs: g.Outputs, Profiles: rec.Profiles}
	for _, sr := range rec.Steps {
		if sr.Node < 0 || sr.Node >= len(g.Nodes) {
			return nil, nil, fmt.Errorf("%w: step refers to unknown node %d", ErrBadPlan, sr.Node)
		}
		s := &ir.Step{Node: g.Nodes[sr.Node], Precision: sr.Precision, TF32: sr.TF32, OutTypes: sr.OutTypes, Free: sr.Free}
		if len(s.OutTypes) != len(s.Node.Outputs) {
			return nil, nil, fmt.Errorf("%w: step %q has %d output types for %d outputs", ErrBadPlan, s.Node.Name, len(s.OutTypes), len(s.Node.Outputs))
		}
		for _, e := range sr.Epilogue {
			if e < 0 || e >= len(g.Nodes) {
				return nil, nil, fmt.Errorf("%w: step refers to unknown node %d", ErrBadPlan, e)
			}
			s.Epilogue = append(s.Epilogue, g.Nodes[e])
		}
		p.Steps = append(p.Steps, s)
	}
	return p, &rec.Info, nil
}
