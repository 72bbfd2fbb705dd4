package compare

import (
	"math"
	"sort"
)

// Stats summarises a set of values (an output, or its absolute or relative
// error) with the statistics Polygraphy prints. NaN propagates as in numpy:
// one NaN makes Mean, StdDev, Var, Median, Min, Max and the percentiles NaN,
// and MinIndex/MaxIndex then point at the first NaN.
type Stats struct {
	Count        int
	Mean         float64
	StdDev       float64 // population standard deviation (numpy std, ddof=0)
	Var          float64
	Median       float64 // mean of the two middle values for an even count
	Min          float64
	MinIndex     int   // flat (row-major) index of Min, -1 when empty
	MinAt        []int // multi-dimensional index of Min
	Max          float64
	MaxIndex     int
	MaxAt        []int
	AvgMagnitude float64 // mean of |x|
	L2Norm       float64 // sqrt(sum of x²)
	// Percentiles with numpy's default linear interpolation.
	P90, P95, P99 float64
	// Histogram is 10 equal-width bins; nil when not kept or when there is no
	// finite value. Non-finite values are left out.
	Histogram []Bin
}

// Bin is one histogram bin [Lo, Hi) (the last bin also holds Hi).
type Bin struct {
	Lo, Hi float64
	Count  int
}

// HistogramBins is the number of histogram bins (numpy's default, as
// Polygraphy uses).
const HistogramBins = 10

func computeStats(x []float64, dims []int) Stats {
	s := Stats{Count: len(x), MinIndex: -1, MaxIndex: -1}
	n := len(x)
	if n == 0 {
		return s
	}
	var sum, sumAbs, sumSq float64
	firstNaN := -1
	minI, maxI := 0, 0
	for i, v := range x {
		sum += v
		sumAbs += math.Abs(v)
		sumSq += v * v
		if v != v {
			if firstNaN < 0 {
				firstNaN = i
			}
			continue
		}
		if v < x[minI] || x[minI] != x[minI] {
			minI = i
		}
		if v > x[maxI] || x[maxI] != x[maxI] {
			maxI = i
		}
	}
	fn := float64(n)
	s.Mean = sum / fn
	s.AvgMagnitude = sumAbs / fn
	s.L2Norm = math.Sqrt(sumSq)
	var ss float64
	for _, v := range x {
		d := v - s.Mean
		ss += d * d
	}
	s.Var = ss / fn
	s.StdDev = math.Sqrt(s.Var)
	if firstNaN >= 0 {
		nan := math.NaN()
		s.Min, s.Max, s.Median, s.P90, s.P95, s.P99 = nan, nan, nan, nan, nan, nan
		s.MinIndex, s.MaxIndex = firstNaN, firstNaN
	} else {
		s.Min, s.Max = x[minI], x[maxI]
		s.MinIndex, s.MaxIndex = minI, maxI
		sorted := append([]float64(nil), x...)
		sort.Float64s(sorted)
		s.Median = medianSorted(sorted)
		s.P90 = quantileSorted(sorted, 0.90)
		s.P95 = quantileSorted(sorted, 0.95)
		s.P99 = quantileSorted(sorted, 0.99)
	}
	s.MinAt = unravel(s.MinIndex, dims)
	s.MaxAt = unravel(s.MaxIndex, dims)
	return s
}

// medianSorted is numpy's median: the middle value, or the mean of the two
// middle values.
func medianSorted(sorted []float64) float64 {
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	a, b := sorted[n/2-1], sorted[n/2]
	if a == b {
		return a
	}
	return a/2 + b/2
}

// quantileSorted is numpy's quantile with linear interpolation on sorted,
// NaN-free data: position q*(n-1) between the two neighbouring values.
func quantileSorted(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	pos := q * float64(n-1)
	lo := int(math.Floor(pos))
	if lo < 0 {
		lo = 0
	}
	if lo >= n-1 {
		return sorted[n-1]
	}
	t := pos - float64(lo)
	a, b := sorted[lo], sorted[lo+1]
	if t == 0 || a == b {
		return a
	}
	if t == 1 {
		return b
	}
	// Between a finite value and an infinity the quantile is that infinity
	// (numpy's arithmetic would give NaN for t >= 0.5).
	if math.IsInf(b, 1) || math.IsInf(a, -1) {
		if math.IsInf(a, -1) && math.IsInf(b, 1) {
			return math.NaN()
		}
		if math.IsInf(b, 1) {
			return b
		}
		return a
	}
	// numpy's lerp: interpolate from the nearer end for accuracy.
	if t < 0.5 {
		return a + (b-a)*t
	}
	return b - (b-a)*(1-t)
}

// quantileOf returns the q-quantile of x (NaN if x holds a NaN, 0 if empty).
func quantileOf(x []float64, q float64) float64 {
	if len(x) == 0 {
		return 0
	}
	sorted := append([]float64(nil), x...)
	for _, v := range sorted {
		if v != v {
			return math.NaN()
		}
	}
	sort.Float64s(sorted)
	return quantileSorted(sorted, q)
}

// unravel converts a flat row-major index to a multi-dimensional one.
func unravel(flat int, dims []int) []int {
	if flat < 0 {
		return nil
	}
	idx := make([]int, len(dims))
	for i := len(dims) - 1; i >= 0; i-- {
		if dims[i] > 0 {
			idx[i] = flat % dims[i]
			flat /= dims[i]
		}
	}
	return idx
}

// finiteRange returns the smallest and largest finite values over all xs.
func finiteRange(xs ...[]float64) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		for _, v := range x {
			if math.IsInf(v, 0) || v != v {
				continue
			}
			lo = math.Min(lo, v)
			hi = math.Max(hi, v)
			ok = true
		}
	}
	return lo, hi, ok
}

// histogram counts the finite values of x in HistogramBins equal bins over
// [lo, hi], the way numpy.histogram does (a zero-width range widens to
// [lo-0.5, hi+0.5]; the last bin is closed).
func histogram(x []float64, lo, hi float64) []Bin {
	if math.IsInf(lo, 0) || math.IsInf(hi, 0) || lo != lo || hi != hi || lo > hi {
		return nil
	}
	if lo == hi {
		lo, hi = lo-0.5, hi+0.5
	}
	const nb = HistogramBins
	edges := make([]float64, nb+1)
	for i := range edges {
		edges[i] = lo + (hi-lo)*float64(i)/nb
	}
	edges[nb] = hi
	bins := make([]Bin, nb)
	for i := range bins {
		bins[i] = Bin{Lo: edges[i], Hi: edges[i+1]}
	}
	norm := nb / (hi - lo)
	for _, v := range x {
		if v != v || v < lo || v > hi {
			continue
		}
		i := int((v - lo) * norm)
		if i >= nb {
			i = nb - 1
		}
		// Correct for rounding so that edges are honoured exactly.
		if i > 0 && v < edges[i] {
			i--
		} else if i < nb-1 && v >= edges[i+1] {
			i++
		}
		bins[i].Count++
	}
	return bins
}
