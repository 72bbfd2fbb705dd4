package fp16

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gotrt/gotrt/trt/onnx/onnxpb"
)

// Default clamping bounds, those of onnxconverter-common's float16 converter
// (min_positive_val=1e-7, max_finite_val=1e4).
const (
	DefaultMinPositiveVal float32 = 1e-7
	DefaultMaxFiniteVal   float32 = 1e4
)

// Options controls Convert. Start from DefaultOptions: the zero Options
// converts the graph inputs and outputs too (KeepIOTypes false), although its
// zero Blocklist, MinPositiveVal and MaxFiniteVal select the defaults.
type Options struct {
	// KeepIOTypes keeps the FLOAT inputs and outputs of the main graph FLOAT:
	// a Cast to FLOAT16 follows each such input and a Cast to FLOAT precedes
	// each such output. When false they become FLOAT16. Default true.
	// Inputs that have an initializer (weights declared as inputs, as all
	// weights are before IR version 4) are converted like initializers.
	KeepIOTypes bool
	// Blocklist names operator types (any domain) whose nodes stay FP32:
	// their FLOAT16 inputs are cast to FLOAT and their FLOAT outputs cast to
	// FLOAT16 where FP16 consumers need them. An entry "Op:attr=value"
	// blocks only the Op nodes whose attribute has that value. nil means
	// DefaultBlocklist(); use an empty, non-nil slice to block nothing.
	Blocklist []string
	// NodeBlocklist names nodes (NodeProto.name) that stay FP32.
	NodeBlocklist []string
	// MinPositiveVal and MaxFiniteVal clamp the FLOAT values of initializers
	// and constants before they are rounded to FLOAT16: a value v with
	// 0 < |v| < MinPositiveVal becomes ±MinPositiveVal, one with
	// MaxFiniteVal < |v| < Inf becomes ±MaxFiniteVal; zeros, infinities and
	// NaN stay. Zero means the default (1e-7 and 1e4, as onnxconverter-common;
	// onnxruntime's own converter uses 5.96e-8 and 65504, which keeps every
	// value FP16 can hold).
	MinPositiveVal float32
	MaxFiniteVal   float32
}

// DefaultOptions returns the defaults: KeepIOTypes true, DefaultBlocklist,
// no node blocklist, clamping to [1e-7, 1e4] in magnitude.
func DefaultOptions() Options {
	return Options{
		KeepIOTypes:    true,
		Blocklist:      DefaultBlocklist(),
		MinPositiveVal: DefaultMinPositiveVal,
		MaxFiniteVal:   DefaultMaxFiniteVal,
	}
}

// defaultBlocklist: see DefaultBlocklist.
var defaultBlocklist = []string{
	// Random generators: the draws are not comparable with the FP32 model's
	// anyway, and ONNX Runtime has no FP16 RandomUniformLike kernel.
	"RandomNormal", "RandomUniform", "RandomNormalLike", "RandomUniformLike", "Bernoulli", "Multinomial",
	// No FP16 kernel in ONNX Runtime's CPU provider and no working fallback
	// (found by converting ONNX's node tests and running them): EyeLike has
	// no FP16 kernel; MeanVarianceNormalization's FP16 path expands its
	// function body, whose FLOAT epsilon then clashes with FLOAT16 data;
	// ScatterND rejects FLOAT16 with any reduction, ScatterElements with add
	// and mul (checked by TestDefaultBlocklistORT).
	"EyeLike", "MeanVarianceNormalization",
	"ScatterElements:reduction=add", "ScatterElements:reduction=mul",
	"ScatterND:reduction=add", "ScatterND:reduction=mul",
	"ScatterND:reduction=max", "ScatterND:reduction=min",
	// Numerically unsafe in FP16: a running sum (CumSum overflows or drops
	// small addends) and computed sequences (Range's start+i*delta loses
	// integers above 2048).
	"CumSum", "Range",
	// Detection post-processing on box coordinates in pixels, where FP16
	// has a resolution of 1 above 1024 (onnxconverter-common blocks them too;
	// NonMaxSuppression's boxes and scores are tensor(float) by the schema).
	"NonMaxSuppression", "RoiAlign",
	// ONNX-ML operators: their inputs and outputs are tensor(float) or maps.
	"ArrayFeatureExtractor", "Binarizer", "CastMap", "CategoryMapper", "DictVectorizer",
	"FeatureVectorizer", "Imputer", "LabelEncoder", "LinearClassifier", "LinearRegressor",
	"Normalizer", "OneHotEncoder", "SVMClassifier", "SVMRegressor", "Scaler",
	"TreeEnsemble", "TreeEnsembleClassifier", "TreeEnsembleRegressor", "ZipMap",
}

// DefaultBlocklist returns the op types kept in FP32 by default (a new
// slice). An entry is an op type ("CumSum"), or an op type with an attribute
// value ("ScatterND:reduction=add") that blocks only the nodes whose
// attribute has that value (a string attribute, or an integer in decimal).
//
// It differs from onnxconverter-common's DEFAULT_OP_BLOCK_LIST: Resize and
// Upsample are not blocked, because Convert keeps their scales FLOAT per input
// (from the schema; ONNX Runtime's converter does the same for Resize), and
// TopK, Min and Max are not blocked, because ONNX Runtime 1.30 runs them in
// FP16. Inputs that a schema allows only as tensor(float) (QuantizeLinear
// scales, ...) need no entry either.
func DefaultBlocklist() []string { return append([]string(nil), defaultBlocklist...) }

// blockRule is a parsed Blocklist entry.
type blockRule struct {
	op, attr, val string
}

func parseBlockRule(s string) blockRule {
	op, cond, ok := strings.Cut(s, ":")
	if !ok {
		return blockRule{op: s}
	}
	attr, val, _ := strings.Cut(cond, "=")
	return blockRule{op: op, attr: attr, val: val}
}

func (r blockRule) matches(n *onnxpb.Node) bool {
	if n.OpType != r.op {
		return false
	}
	if r.attr == "" {
		return true
	}
	a := n.Attr(r.attr)
	if a == nil {
		return false
	}
	switch a.Type {
	case onnxpb.AttrString:
		return string(a.S) == r.val
	case onnxpb.AttrInt:
		return strconv.FormatInt(a.I, 10) == r.val
	}
	return false
}

func (o *Options) withDefaults() Options {
	r := *o
	if r.Blocklist == nil {
		r.Blocklist = DefaultBlocklist()
	}
	if r.MinPositiveVal == 0 {
		r.MinPositiveVal = DefaultMinPositiveVal
	}
	if r.MaxFiniteVal == 0 {
		r.MaxFiniteVal = DefaultMaxFiniteVal
	}
	return r
}

func (o *Options) validate() error {
	if !(o.MinPositiveVal > 0) || !(o.MaxFiniteVal > o.MinPositiveVal) || o.MaxFiniteVal > 65504 {
		return fmt.Errorf("fp16: bad clamping bounds MinPositiveVal=%g MaxFiniteVal=%g (need 0 < min < max <= 65504)",
			o.MinPositiveVal, o.MaxFiniteVal)
	}
	return nil
}

// Report says what Convert did. Names of values and nodes in subgraphs are
// included; a node without a name is shown as "OpType(first output)".
type Report struct {
	// ConvertedInitializers: FLOAT initializers (dense or sparse) now FLOAT16.
	ConvertedInitializers []string
	// ConvertedConstants: outputs of Constant and ConstantOfShape nodes whose
	// value is now FLOAT16.
	ConvertedConstants []string
	// KeptFloat: FLOAT initializers and constants left FLOAT because every
	// consumer needs FP32 (e.g. Resize scales, blocked nodes).
	KeptFloat []string
	// FloatCopies: FP32 copies of converted initializers and constants, made
	// for consumers that need FP32 where others take FP16 (original values,
	// not rounded).
	FloatCopies []string
	// RewrittenCasts: Cast nodes whose to=FLOAT became to=FLOAT16.
	RewrittenCasts []string
	// Blocked: nodes kept in FP32, with the reason.
	Blocked []Blocked
	// FloatOnlyInputs: inputs of converted nodes that the op's schema allows
	// only as tensor(float) (so they stay FLOAT, with a Cast if needed).
	FloatOnlyInputs []FloatInput
	// Clamped: tensors with values moved into FP16's range.
	Clamped []Clamp
	// InsertedCasts: names of the Cast nodes Convert added.
	InsertedCasts []string
	// ConvertedValues counts graph inputs, outputs and value_info entries
	// whose type changed from FLOAT to FLOAT16.
	ConvertedValues int
}

// Blocked is a node kept in FP32.
type Blocked struct {
	Node, OpType, Reason string
}

// FloatInput is an input that a node's schema requires to be tensor(float).
type FloatInput struct {
	Node, OpType string
	Input        int    // input index
	Name         string // the formal parameter's name (e.g. "scales")
	Value        string // the value connected to it
}

// Clamp counts the values of one tensor moved into range: Small were
// nonzero below MinPositiveVal in magnitude, Large above MaxFiniteVal.
type Clamp struct {
	Tensor       string
	Small, Large int
}

// String summarizes the report in a few lines.
func (r *Report) String() string {
	var b strings.Builder
	small, large := 0, 0
	for _, c := range r.Clamped {
		small += c.Small
		large += c.Large
	}
	fmt.Fprintf(&b, "converted: %d initializers, %d constants, %d value types, %d Cast(to=FLOAT) nodes\n",
		len(r.ConvertedInitializers), len(r.ConvertedConstants), r.ConvertedValues, len(r.RewrittenCasts))
	fmt.Fprintf(&b, "kept FP32: %d nodes blocked, %d float-only inputs, %d constants (+%d FP32 copies)\n",
		len(r.Blocked), len(r.FloatOnlyInputs), len(r.KeptFloat), len(r.FloatCopies))
	for _, bl := range r.Blocked {
		fmt.Fprintf(&b, "  blocked %s (%s): %s\n", bl.Node, bl.OpType, bl.Reason)
	}
	for _, fi := range r.FloatOnlyInputs {
		fmt.Fprintf(&b, "  %s (%s) input %d %q (%s) stays FLOAT\n", fi.Node, fi.OpType, fi.Input, fi.Name, fi.Value)
	}
	fmt.Fprintf(&b, "clamped: %d values in %d tensors (%d small, %d large)\n", small+large, len(r.Clamped), small, large)
	fmt.Fprintf(&b, "inserted %d Cast nodes\n", len(r.InsertedCasts))
	return b.String()
}
