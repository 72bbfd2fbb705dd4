package kern

import (
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The kernel argument structs are passed as raw bytes: each Go struct must
// list the fields of its C struct (cu/*.cu) in the same order, with the same
// lengths and kinds (every field is 8 bytes: i64/u64 or double).

var cStructRe = regexp.MustCompile(`(?s)struct (\w+) \{(.*?)\};`)

// cFields flattens C struct name into "name[len]:kind" items (kind i or f;
// nested structs expanded in braces).
func cFields(t *testing.T, defs map[string]string, name string) []string {
	body, ok := defs[name]
	require.True(t, ok, "C struct %s not found", name)
	consts := map[string]int{"MAXR": 8, "MAXS": 6}
	var out []string
	body = regexp.MustCompile(`//[^\n]*`).ReplaceAllString(body, "")
	for _, decl := range strings.Split(body, ";") {
		decl = strings.TrimSpace(decl)
		if decl == "" {
			continue
		}
		sp := strings.IndexAny(decl, " \t")
		typ, rest := decl[:sp], decl[sp+1:]
		for _, v := range strings.Split(rest, ",") {
			v = strings.TrimSpace(v)
			n := 1
			for _, m := range regexp.MustCompile(`\[(\w+)\]`).FindAllStringSubmatch(v, -1) {
				k, err := strconv.Atoi(m[1])
				if err != nil {
					k = consts[m[1]]
				}
				require.NotZero(t, k, "dim %s in %s", m[1], name)
				n *= k
			}
			field := strings.ReplaceAll(regexp.MustCompile(`\[.*`).ReplaceAllString(v, ""), "_", "")
			switch typ {
			case "i64", "u64":
				out = append(out, fmt.Sprintf("%s[%d]:i", field, n))
			case "double":
				out = append(out, fmt.Sprintf("%s[%d]:f", field, n))
			default:
				sub := cFields(t, defs, typ)
				out = append(out, fmt.Sprintf("%s[%d]:{%s}", field, n, strings.Join(sub, ",")))
			}
		}
	}
	return out
}

func goFields(t *testing.T, typ reflect.Type) []string {
	var out []string
	for i := range typ.NumField() {
		f := typ.Field(i)
		ft, n := f.Type, 1
		for ft.Kind() == reflect.Array {
			n *= ft.Len()
			ft = ft.Elem()
		}
		name := strings.ToLower(f.Name)
		switch ft.Kind() {
		case reflect.Int64, reflect.Uint64:
			out = append(out, fmt.Sprintf("%s[%d]:i", name, n))
		case reflect.Float64:
			out = append(out, fmt.Sprintf("%s[%d]:f", name, n))
		case reflect.Struct:
			out = append(out, fmt.Sprintf("%s[%d]:{%s}", name, n, strings.Join(goFields(t, ft), ",")))
		default:
			t.Fatalf("field %s of %s has kind %v", f.Name, typ.Name(), ft.Kind())
		}
	}
	return out
}

func TestArgStructLayouts(t *testing.T) {
	defs := map[string]string{}
	for _, m := range modules() {
		for _, s := range cStructRe.FindAllStringSubmatch(m.src, -1) {
			defs[s[1]] = s[2]
		}
	}
	pairs := map[string]any{
		"EwArgs": ewArgs{}, "MapArgs": mapArgs{}, "TrArgs": trArgs{}, "Copy2DArgs": copy2DArgs{},
		"TriluArgs": triluArgs{}, "GatherArgs": gatherArgs{}, "ScatterArgs": scatterArgs{},
		"SoftmaxArgs": softmaxArgs{}, "ReduceArgs": reduceArgs{}, "RowNormArgs": rowNormArgs{},
		"BatchNormArgs": batchNormArgs{}, "LRNArgs": lrnArgs{}, "ScanArgs": scanArgs{}, "PoolArgs": poolArgs{},
		"ResizeArgs": resizeArgs{}, "OneHotArgs": oneHotArgs{}, "FillArgs": fillArgs{},
	}
	for c, g := range pairs {
		want := cFields(t, defs, c)
		got := goFields(t, reflect.TypeOf(g))
		require.Equal(t, want, got, "Go mirror of C struct %s", c)
		require.LessOrEqual(t, reflect.TypeOf(g).Size(), uintptr(4096), "%s exceeds the 4 KiB parameter limit", c)
	}
	// Every struct of the sources that a kernel takes is mirrored.
	for name := range defs {
		if strings.HasSuffix(name, "Args") {
			_, ok := pairs[name]
			require.True(t, ok, "C struct %s has no Go mirror in the test", name)
		}
	}
}
