package constraints

import (
	"fmt"
	"path"
	"strings"

	"github.com/gotrt/gotrt/tensor"
	"github.com/gotrt/gotrt/trt"
)

// Rule pins layers whose names match Pattern ('*' and '?' wildcards, as in
// shell globs) to a precision, or sets their output types.
type Rule struct {
	Pattern string
	// Types: one entry for a precision or for "every output"; one per output
	// index for output types given as a list (name:[fp16,fp32]).
	Types []tensor.DataType
}

// ParseRules parses Polygraphy-style specs: items "NAME:TYPE" or
// "NAME:[TYPE,TYPE]", separated by commas or given as separate arguments.
func ParseRules(specs []string) ([]Rule, error) {
	var rules []Rule
	for _, spec := range specs {
		for _, item := range SplitItems(spec) {
			i := strings.LastIndex(item, ":")
			if i <= 0 || i == len(item)-1 {
				return nil, fmt.Errorf("bad layer rule %q: want NAME:TYPE (e.g. conv1:fp32, attn*:fp32)", item)
			}
			name, ts := item[:i], item[i+1:]
			if _, err := path.Match(name, ""); err != nil {
				return nil, fmt.Errorf("bad layer pattern %q: %v", name, err)
			}
			var types []tensor.DataType
			for _, s := range strings.Split(strings.Trim(ts, "[]"), ",") {
				t, err := tensor.ParseDataType(strings.TrimSpace(s))
				if err != nil {
					return nil, fmt.Errorf("layer rule %q: %v", item, err)
				}
				types = append(types, t)
			}
			rules = append(rules, Rule{Pattern: name, Types: types})
		}
	}
	return rules, nil
}

// SplitItems splits s at commas outside square brackets and trims the items,
// dropping empty ones: "a:[1,2],b:[3]" gives "a:[1,2]" and "b:[3]".
func SplitItems(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				if it := strings.TrimSpace(s[start:i]); it != "" {
					out = append(out, it)
				}
				start = i + 1
			}
		}
	}
	if it := strings.TrimSpace(s[start:]); it != "" {
		out = append(out, it)
	}
	return out
}

// Match reports whether a layer name matches a pattern.
func Match(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}

// ApplyPrecisions sets the precision of every layer matched by a rule. It
// returns, per rule, the number of layers it matched; a rule matching no layer
// is an error naming it (a typo should not pass silently).
func ApplyPrecisions(net *trt.Network, rules []Rule) error {
	for _, r := range rules {
		n := 0
		for _, l := range net.Layers() {
			if Match(r.Pattern, l.Name()) {
				l.SetPrecision(r.Types[0])
				n++
			}
		}
		if n == 0 {
			return fmt.Errorf("layer precision rule %q matches no layer", r.Pattern)
		}
	}
	return nil
}

// ApplyOutputTypes sets output types of matched layers: a single type applies
// to every output, a list to outputs by index.
func ApplyOutputTypes(net *trt.Network, rules []Rule) error {
	for _, r := range rules {
		n := 0
		for _, l := range net.Layers() {
			if !Match(r.Pattern, l.Name()) {
				continue
			}
			n++
			if len(r.Types) > 1 && len(r.Types) != l.NumOutputs() {
				return fmt.Errorf("layer %q has %d outputs, rule %q gives %d types", l.Name(), l.NumOutputs(), r.Pattern, len(r.Types))
			}
			for i := 0; i < l.NumOutputs(); i++ {
				t := r.Types[0]
				if len(r.Types) > 1 {
					t = r.Types[i]
				}
				l.SetOutputType(i, t)
			}
		}
		if n == 0 {
			return fmt.Errorf("layer output type rule %q matches no layer", r.Pattern)
		}
	}
	return nil
}
