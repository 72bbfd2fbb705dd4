package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/stretchr/testify/require"
)

// refDims pads per-axis parameters to three axes, independently of geom.
func refDims(v []int, r, def int) [3]int {
	a := [3]int{def, def, def}
	for i, x := range v {
		a[3-r+i] = x
	}
	return a
}

// refConv is a direct float64 convolution (ONNX Conv semantics); it returns
// the output and a per-element magnitude bound.
func refConv(p *ConvParams, x, w, bias []float32, act Activation) (out []float64, mag []float64, outShape [3]int) {
	r := len(p.InShape)
	in, k := refDims(p.InShape, r, 1), refDims(p.Kernel, r, 1)
	s, d := refDims(p.Strides, r, 1), refDims(p.Dilations, r, 1)
	pb, pe := refDims(p.PadsBegin, r, 0), refDims(p.PadsEnd, r, 0)
	grp := max(p.Group, 1)
	var o [3]int
	for i := range o {
		o[i] = (in[i]+pb[i]+pe[i]-d[i]*(k[i]-1)-1)/s[i] + 1
	}
	cg, mg := p.C/grp, p.M/grp
	out = make([]float64, p.N*p.M*o[0]*o[1]*o[2])
	mag = make([]float64, len(out))
	idx := 0
	for n := 0; n < p.N; n++ {
		for m := 0; m < p.M; m++ {
			gi := m / mg
			for z := 0; z < o[0]; z++ {
				for yy := 0; yy < o[1]; yy++ {
					for xx := 0; xx < o[2]; xx++ {
						var sum, sa float64
						if bias != nil {
							sum = float64(bias[m])
							sa = math.Abs(sum)
						}
						for c := 0; c < cg; c++ {
							ci := gi*cg + c
							for a := 0; a < k[0]; a++ {
								iz := z*s[0] - pb[0] + a*d[0]
								for bb := 0; bb < k[1]; bb++ {
									iy := yy*s[1] - pb[1] + bb*d[1]
									for cc := 0; cc < k[2]; cc++ {
										ix := xx*s[2] - pb[2] + cc*d[2]
										if iz < 0 || iz >= in[0] || iy < 0 || iy >= in[1] || ix < 0 || ix >= in[2] {
											continue
										}
										xv := float64(x[(((n*p.C+ci)*in[0]+iz)*in[1]+iy)*in[2]+ix])
										wv := float64(w[(((m*cg+c)*k[0]+a)*k[1]+bb)*k[2]+cc])
										sum += xv * wv
										sa += math.Abs(xv * wv)
									}
								}
							}
						}
						out[idx], mag[idx] = refAct(sum, act), sa
						idx++
					}
				}
			}
		}
	}
	return out, mag, o
}

func refAct(v float64, act Activation) float64 {
	if act.Relu {
		v = math.Max(v, 0)
	}
	if act.Clip {
		v = math.Min(math.Max(v, float64(act.ClipMin)), float64(act.ClipMax))
	}
	return v
}

// refConvTranspose scatters every input pixel through the kernel (ONNX
// ConvTranspose semantics).
func refConvTranspose(p *ConvParams, x, w, bias []float32, act Activation) (out []float64, mag []float64, outShape [3]int) {
	r := len(p.InShape)
	in, k := refDims(p.InShape, r, 1), refDims(p.Kernel, r, 1)
	s, d := refDims(p.Strides, r, 1), refDims(p.Dilations, r, 1)
	pb, pe := refDims(p.PadsBegin, r, 0), refDims(p.PadsEnd, r, 0)
	op := refDims(p.OutputPadding, r, 0)
	grp := max(p.Group, 1)
	var o [3]int
	for i := range o {
		o[i] = s[i]*(in[i]-1) + op[i] + d[i]*(k[i]-1) + 1 - pb[i] - pe[i]
	}
	cg, mg := p.C/grp, p.M/grp
	ovol := o[0] * o[1] * o[2]
	out = make([]float64, p.N*p.M*ovol)
	mag = make([]float64, len(out))
	for n := 0; n < p.N; n++ {
		for m := 0; m < p.M; m++ {
			if bias != nil {
				for i := 0; i < ovol; i++ {
					out[(n*p.M+m)*ovol+i] = float64(bias[m])
					mag[(n*p.M+m)*ovol+i] = math.Abs(float64(bias[m]))
				}
			}
		}
		for ci := 0; ci < p.C; ci++ {
			gi := ci / cg
			for z := 0; z < in[0]; z++ {
				for yy := 0; yy < in[1]; yy++ {
					for xx := 0; xx < in[2]; xx++ {
						xv := float64(x[(((n*p.C+ci)*in[0]+z)*in[1]+yy)*in[2]+xx])
						for mo := 0; mo < mg; mo++ {
							m := gi*mg + mo
							for a := 0; a < k[0]; a++ {
								oz := z*s[0] - pb[0] + a*d[0]
								for bb := 0; bb < k[1]; bb++ {
									oy := yy*s[1] - pb[1] + bb*d[1]
									for cc := 0; cc < k[2]; cc++ {
										ox := xx*s[2] - pb[2] + cc*d[2]
										if oz < 0 || oz >= o[0] || oy < 0 || oy >= o[1] || ox < 0 || ox >= o[2] {
											continue
										}
										wv := float64(w[(((ci*mg+mo)*k[0]+a)*k[1]+bb)*k[2]+cc])
										i := (((n*p.M+m)*o[0]+oz)*o[1]+oy)*o[2] + ox
										out[i] += xv * wv
										mag[i] += math.Abs(xv * wv)
									}
								}
							}
						}
					}
				}
			}
		}
	}
	for i := range out {
		out[i] = refAct(out[i], act)
	}
	return out, mag, o
}

type convCase struct {
	name string
	p    ConvParams
	act  Activation
}

func convCases() []convCase {
	c2 := func(name string, n, c, m, g, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr int) convCase {
		return convCase{name: name, p: ConvParams{N: n, C: c, M: m, Group: g, InShape: []int{h, w}, Kernel: []int{kh, kw},
			Strides: []int{sh, sw}, Dilations: []int{dh, dw}, PadsBegin: []int{pt, pl}, PadsEnd: []int{pb, pr}}}
	}
	cs := []convCase{
		c2("3x3 pad1", 1, 8, 16, 1, 12, 12, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
		c2("3x3 nopad batch2", 2, 5, 7, 1, 9, 11, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0),
		c2("3x3 stride2", 1, 6, 10, 1, 15, 16, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
		c2("7x7 stride2 pad3", 1, 3, 20, 1, 30, 29, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3),
		c2("dilation2", 1, 4, 6, 1, 14, 13, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2),
		c2("dilation stride asym", 1, 4, 6, 1, 17, 19, 3, 2, 2, 3, 2, 3, 0, 1, 3, 2),
		c2("asymmetric pads", 1, 3, 5, 1, 10, 10, 3, 3, 1, 1, 1, 1, 0, 2, 1, 0),
		c2("groups2", 1, 8, 12, 2, 10, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
		c2("groups4 stride2", 2, 16, 8, 4, 9, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1),
		c2("depthwise", 1, 12, 12, 12, 20, 23, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
		c2("depthwise stride2", 2, 8, 8, 8, 17, 18, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1),
		c2("depthwise 5x5 dil", 1, 6, 6, 6, 19, 21, 5, 5, 1, 1, 2, 2, 4, 4, 4, 4),
		c2("depthwise mult2", 1, 4, 8, 4, 11, 10, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
		c2("depthwise stride3 asym", 1, 3, 3, 3, 20, 22, 4, 4, 3, 3, 1, 1, 0, 2, 1, 0),
		c2("depthwise 7 wide", 1, 2, 2, 2, 9, 40, 1, 7, 1, 1, 1, 1, 0, 3, 0, 3),
		c2("pointwise", 1, 24, 40, 1, 14, 14, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
		c2("pointwise groups", 2, 24, 36, 3, 7, 9, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
		c2("1x1 stride2", 1, 16, 32, 1, 14, 14, 1, 1, 2, 2, 1, 1, 0, 0, 0, 0),
		c2("1x1 pad", 1, 4, 5, 1, 6, 6, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
		c2("kernel bigger than input", 1, 2, 3, 1, 3, 3, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2),
		c2("single pixel", 1, 7, 9, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0),
		c2("tall image", 1, 3, 4, 1, 40, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
		c2("big K", 1, 64, 20, 1, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
		c2("many channels", 1, 32, 96, 1, 28, 28, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1),
		{name: "1d", p: ConvParams{N: 2, C: 5, M: 6, InShape: []int{31}, Kernel: []int{3}, Strides: []int{2},
			PadsBegin: []int{1}, PadsEnd: []int{2}, Dilations: []int{2}}},
		{name: "1d groups", p: ConvParams{N: 1, C: 6, M: 9, Group: 3, InShape: []int{20}, Kernel: []int{5},
			PadsBegin: []int{2}, PadsEnd: []int{2}}},
		{name: "1d depthwise", p: ConvParams{N: 1, C: 6, M: 6, Group: 6, InShape: []int{50}, Kernel: []int{3},
			PadsBegin: []int{1}, PadsEnd: []int{1}}},
		{name: "3d", p: ConvParams{N: 1, C: 3, M: 4, InShape: []int{6, 7, 8}, Kernel: []int{3, 3, 3},
			PadsBegin: []int{1, 1, 1}, PadsEnd: []int{1, 1, 1}}},
		{name: "3d stride dil asym", p: ConvParams{N: 2, C: 4, M: 6, Group: 2, InShape: []int{7, 9, 8}, Kernel: []int{2, 3, 2},
			Strides: []int{2, 1, 2}, Dilations: []int{1, 2, 1}, PadsBegin: []int{0, 1, 1}, PadsEnd: []int{1, 2, 0}}},
		{name: "3d depthwise", p: ConvParams{N: 1, C: 4, M: 4, Group: 4, InShape: []int{5, 6, 7}, Kernel: []int{3, 3, 3},
			Strides: []int{1, 2, 1}, PadsBegin: []int{1, 1, 1}, PadsEnd: []int{1, 1, 1}}},
		{name: "3d pointwise", p: ConvParams{N: 1, C: 8, M: 5, InShape: []int{3, 4, 5}, Kernel: []int{1, 1, 1}}},
	}
	acts := []Activation{{}, {Relu: true}, {Clip: true, ClipMin: -0.5, ClipMax: 0.5}}
	for i := range cs {
		cs[i].act = acts[i%len(acts)]
	}
	return cs
}

func checkConv(t *testing.T, name string, k int, got []float32, want, mag []float64) {
	t.Helper()
	require.Equal(t, len(want), len(got), name)
	tol := float64(k+8) * 2.5e-7
	bad := 0
	for i := range want {
		g := float64(got[i])
		if math.Abs(g-want[i]) > tol*mag[i]+1e-6 || math.IsNaN(g) {
			if bad < 5 {
				t.Errorf("%s: y[%d] = %v, want %v", name, i, g, want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%s: %d of %d outputs wrong", name, bad, len(want))
	}
}

func TestConv(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(21, 22))
		for _, tc := range convCases() {
			p := tc.p
			grp := max(p.Group, 1)
			kvol := 1
			for _, v := range p.Kernel {
				kvol *= v
			}
			inVol := 1
			for _, v := range p.InShape {
				inVol *= v
			}
			x := randSlice(r, p.N*p.C*inVol)
			w := randSlice(r, p.M*(p.C/grp)*kvol)
			bias := randSlice(r, p.M)
			if tc.name == "3x3 pad1" {
				bias = nil
			}
			want, mag, _ := refConv(&p, x, w, bias, tc.act)
			shape, err := p.OutShape()
			require.NoError(t, err)
			require.Len(t, shape, len(p.InShape))

			y := make([]float32, len(want))
			for i := range y {
				y[i] = float32(math.NaN()) // must be overwritten
			}
			require.NoError(t, Conv(&p, x, w, bias, y, tc.act), tc.name)
			checkConv(t, tc.name+" one-shot", (p.C/grp)*kvol, y, want, mag)

			pl, err := PrepareConv(&p, w)
			require.NoError(t, err)
			require.Equal(t, append([]int{p.N, p.M}, shape...), pl.OutShape())
			for rep := 0; rep < 2; rep++ {
				clear(y)
				require.NoError(t, pl.Run(x, bias, y, tc.act))
				checkConv(t, fmt.Sprintf("%s plan run %d", tc.name, rep), (p.C/grp)*kvol, y, want, mag)
			}
		}
	})
}

func TestConvRandom(t *testing.T) {
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(23, 24))
		n := 40
		if testing.Short() {
			n = 10
		}
		for it := 0; it < n; it++ {
			rank := 1 + r.IntN(3)
			grp := 1 + r.IntN(3)
			p := ConvParams{N: 1 + r.IntN(2), C: grp * (1 + r.IntN(4)), M: grp * (1 + r.IntN(5)), Group: grp}
			if r.IntN(4) == 0 { // depthwise
				p.C = 2 + r.IntN(5)
				p.Group = p.C
				p.M = p.C * (1 + r.IntN(2))
			}
			for a := 0; a < rank; a++ {
				k := 1 + r.IntN(4)
				d := 1 + r.IntN(2)
				in := 1 + r.IntN(12) + (k-1)*d
				p.InShape = append(p.InShape, in)
				p.Kernel = append(p.Kernel, k)
				p.Strides = append(p.Strides, 1+r.IntN(3))
				p.Dilations = append(p.Dilations, d)
				p.PadsBegin = append(p.PadsBegin, r.IntN(k))
				p.PadsEnd = append(p.PadsEnd, r.IntN(k))
			}
			grpN := max(p.Group, 1)
			kvol, inVol := 1, 1
			for a := 0; a < rank; a++ {
				kvol *= p.Kernel[a]
				inVol *= p.InShape[a]
			}
			x := randSlice(r, p.N*p.C*inVol)
			w := randSlice(r, p.M*(p.C/grpN)*kvol)
			bias := randSlice(r, p.M)
			act := Activation{Relu: it%2 == 0}
			want, mag, _ := refConv(&p, x, w, bias, act)
			y := make([]float32, len(want))
			pl, err := PrepareConv(&p, w)
			require.NoError(t, err, "%+v", p)
			require.NoError(t, pl.Run(x, bias, y, act))
			checkConv(t, fmt.Sprintf("%+v", p), (p.C/grpN)*kvol, y, want, mag)
		}
	})
}

func TestConvTranspose(t *testing.T) {
	ct := func(name string, n, c, m, g int, in, k, s, d, pb, pe, op []int) convCase {
		return convCase{name: name, p: ConvParams{N: n, C: c, M: m, Group: g, InShape: in, Kernel: k,
			Strides: s, Dilations: d, PadsBegin: pb, PadsEnd: pe, OutputPadding: op}}
	}
	cases := []convCase{
		ct("4x4 s2 p1", 1, 8, 6, 1, []int{7, 8}, []int{4, 4}, []int{2, 2}, nil, []int{1, 1}, []int{1, 1}, nil),
		ct("3x3 s2 outpad", 2, 5, 4, 1, []int{6, 5}, []int{3, 3}, []int{2, 2}, nil, []int{1, 1}, []int{1, 1}, []int{1, 1}),
		ct("3x3 s1", 1, 3, 7, 1, []int{9, 9}, []int{3, 3}, nil, nil, []int{1, 1}, []int{1, 1}, nil),
		ct("groups dil asym", 1, 6, 4, 2, []int{8, 7}, []int{3, 2}, []int{2, 3}, []int{2, 1}, []int{0, 1}, []int{2, 0}, []int{1, 2}),
		ct("depthwise s2", 1, 4, 4, 4, []int{6, 6}, []int{4, 4}, []int{2, 2}, nil, []int{1, 1}, []int{1, 1}, nil),
		ct("1d", 2, 3, 5, 1, []int{11}, []int{5}, []int{3}, nil, []int{2}, []int{1}, []int{2}),
		ct("3d", 1, 2, 3, 1, []int{3, 4, 5}, []int{2, 3, 3}, []int{2, 1, 2}, nil, []int{0, 1, 1}, []int{1, 1, 0}, []int{1, 0, 1}),
		ct("big", 1, 64, 32, 1, []int{16, 16}, []int{4, 4}, []int{2, 2}, nil, []int{1, 1}, []int{1, 1}, nil),
		ct("1x1", 1, 16, 8, 1, []int{5, 5}, []int{1, 1}, nil, nil, nil, nil, nil),
		// rows = 64*16 = 1024 > colBudget/221: several pixel chunks, split mid-row.
		ct("chunked", 2, 8, 128, 2, []int{13, 17}, []int{4, 4}, []int{2, 2}, nil, []int{1, 2}, []int{2, 1}, []int{1, 0}),
	}
	acts := []Activation{{}, {Relu: true}, {Clip: true, ClipMin: -0.5, ClipMax: 0.5}}
	forEachKernel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(25, 26))
		for i, tc := range cases {
			p := tc.p
			act := acts[i%len(acts)]
			grp := max(p.Group, 1)
			kvol, inVol := 1, 1
			for a := range p.Kernel {
				kvol *= p.Kernel[a]
				inVol *= p.InShape[a]
			}
			x := randSlice(r, p.N*p.C*inVol)
			w := randSlice(r, p.C*(p.M/grp)*kvol)
			bias := randSlice(r, p.M)
			want, mag, o := refConvTranspose(&p, x, w, bias, act)
			shape, err := p.TransposeOutShape()
			require.NoError(t, err)
			require.Equal(t, o[3-len(shape):], shape)
			y := make([]float32, len(want))
			require.NoError(t, ConvTranspose(&p, x, w, bias, y, act), tc.name)
			checkConv(t, tc.name+" one-shot", p.C/grp, y, want, mag)
			pl, err := PrepareConvTranspose(&p, w)
			require.NoError(t, err)
			clear(y)
			require.NoError(t, pl.Run(x, bias, y, act))
			checkConv(t, tc.name+" plan", p.C/grp, y, want, mag)
		}
	})
}

func TestConvErrors(t *testing.T) {
	good := ConvParams{N: 1, C: 4, M: 4, InShape: []int{5, 5}, Kernel: []int{3, 3}}
	_, err := PrepareConv(&good, make([]float32, 4*4*9))
	require.NoError(t, err)
	bad := []ConvParams{
		{N: 1, C: 4, M: 4, InShape: []int{5, 5, 5, 5}, Kernel: []int{1, 1, 1, 1}},
		{N: 1, C: 4, M: 4, InShape: []int{5, 5}},
		{N: 1, C: 4, M: 4, InShape: []int{5, 5}, Kernel: []int{3}},
		{N: 1, C: 4, M: 6, Group: 4, InShape: []int{5, 5}, Kernel: []int{3, 3}},
		{N: 1, C: 4, M: 4, InShape: []int{2, 2}, Kernel: []int{3, 3}},
		{N: 1, C: 4, M: 4, InShape: []int{5, 5}, Kernel: []int{3, 3}, Strides: []int{0, 1}},
		{N: 1, C: 4, M: 4, InShape: []int{5, 5}, Kernel: []int{3, 3}, OutputPadding: []int{1, 1}},
	}
	for _, p := range bad {
		_, err := PrepareConv(&p, make([]float32, 1000))
		require.Error(t, err, "%+v", p)
	}
	_, err = PrepareConv(&good, make([]float32, 10))
	require.Error(t, err)
	pl, _ := PrepareConv(&good, make([]float32, 4*4*9))
	require.Error(t, pl.Run(make([]float32, 10), nil, make([]float32, 36), Activation{}))
	require.Error(t, pl.Run(make([]float32, 100), nil, make([]float32, 10), Activation{}))
	require.Error(t, pl.Run(make([]float32, 100), make([]float32, 2), make([]float32, 36), Activation{}))
}

// Steady-state calls must not allocate packing or padding buffers.
func TestConvNoSteadyStateAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under -race")
	}
	r := rand.New(rand.NewPCG(27, 28))
	for _, tc := range []struct {
		p         ConvParams
		transpose bool
	}{
		{p: ConvParams{N: 1, C: 32, M: 32, InShape: []int{28, 28}, Kernel: []int{3, 3}, PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}},
		{p: ConvParams{N: 1, C: 32, M: 32, InShape: []int{28, 28}, Kernel: []int{3, 3}, Strides: []int{2, 2}, PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}},
		{p: ConvParams{N: 1, C: 32, M: 32, Group: 32, InShape: []int{28, 28}, Kernel: []int{3, 3}, PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}},
		{p: ConvParams{N: 1, C: 32, M: 64, InShape: []int{28, 28}, Kernel: []int{1, 1}}},
		{p: ConvParams{N: 1, C: 32, M: 16, InShape: []int{14, 14}, Kernel: []int{4, 4}, Strides: []int{2, 2}, PadsBegin: []int{1, 1}, PadsEnd: []int{1, 1}}, transpose: true},
	} {
		g, err := tc.p.geometry(tc.transpose)
		require.NoError(t, err)
		x := randSlice(r, g.n*g.c*g.inVol)
		y := make([]float32, g.n*g.m*g.outVol)
		var pl *ConvPlan
		if tc.transpose {
			pl, err = PrepareConvTranspose(&tc.p, randSlice(r, g.c*g.mg*g.kVol))
		} else {
			pl, err = PrepareConv(&tc.p, randSlice(r, g.m*g.cg*g.kVol))
		}
		require.NoError(t, err)
		run := func() { require.NoError(t, pl.Run(x, nil, y, Activation{Relu: true})) }
		// A GC empties sync.Pools (by design); keep it out of the way.
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		for i := 0; i < 5; i++ { // pooled workspaces settle into their roles
			run()
		}
		perRun := math.Inf(1)
		for attempt := 0; attempt < 3 && perRun >= 8192; attempt++ {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			const reps = 10
			for i := 0; i < reps; i++ {
				run()
			}
			runtime.ReadMemStats(&after)
			perRun = float64(after.TotalAlloc-before.TotalAlloc) / reps
		}
		require.Less(t, perRun, 8192.0, "%+v: %.0f bytes allocated per Run", tc.p, perRun)
	}
}
