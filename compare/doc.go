// Package compare checks the outputs of one run against a reference run the
// way Polygraphy's `run` subtool does (CompareFunc.simple), and checks
// outputs for NaN/Inf the way `polygraphy run --validate` does.
//
// # Terms
//
// "got" is the output under test (Polygraphy's first runner, e.g. the reduced
// precision engine); "want" is the reference (Polygraphy's second runner, e.g.
// ONNX Runtime or the FP32 CPU engine). Relative differences are relative to
// want.
//
// # Semantics (as in Polygraphy's CompareFunc.simple)
//
//   - absdiff = |got - want|, computed in float64. For bool outputs this is
//     got XOR want (0 or 1).
//   - With InfinitiesCompareEqual, elements where got is ±Inf and got == want
//     have absdiff 0; otherwise Inf - Inf gives NaN, which is a mismatch.
//   - reldiff = absdiff / |want|, where elements of want that are exactly zero
//     are replaced by machine epsilon (2.220446049250313e-16) first, so a
//     difference against a zero reference gives a very large, finite relative
//     difference rather than Inf or NaN.
//   - check_error_stat "elemwise" (the default): an element is a mismatch when
//     (absdiff > atol or absdiff is NaN) AND (reldiff > rtol or reldiff is
//     NaN). The output passes when no element is a mismatch. This is numpy's
//     isclose-like rule with "OR" between the tolerances, not
//     atol + rtol*|want|.
//   - "max", "mean", "median", "quantile": the output fails when
//     (stat(absdiff) > atol or NaN) AND (stat(reldiff) > rtol or NaN); that is
//     it passes when stat(absdiff) <= atol OR stat(reldiff) <= rtol.
//     "quantile" uses ErrorQuantile (default 0.99) with numpy's linear
//     interpolation.
//   - Any NaN in either output makes absdiff NaN for that element, and so a
//     mismatch, even when both outputs are NaN there. NaN also propagates into
//     every statistic (mean, median, max, quantiles), as in numpy, so the
//     statistic checks fail too.
//   - Defaults (DefaultOptions): atol = rtol = 1e-5, elemwise, quantile 0.99,
//     infinities do not compare equal.
//   - "Minimum Required Tolerance" is the checked statistic of absdiff and of
//     reldiff (max for elemwise). For elemwise it is exact only when one kind
//     of tolerance is used; MinAtolToPass and MinRtolToPass give the exact
//     smallest atol (with rtol fixed) and rtol (with atol fixed) that pass.
//   - Shapes must match exactly (Polygraphy's default check_shapes=True).
//
// # Deliberate differences from Polygraphy
//
//   - Statistics are accumulated in float64 (Polygraphy takes means in
//     float32).
//   - The epsilon for zero reference values is applied for every dtype, not
//     only floating-point ones, so integer 0-vs-0 gives reldiff 0 instead of
//     NaN.
//   - An output present on only one side, or a dtype class mismatch (float vs
//     integer vs bool), fails that output with a reason instead of being
//     skipped. Different float precisions (FP16 vs FP32) are compared as usual.
//   - Histograms leave out non-finite values (numpy refuses to build them).
//   - Mismatches is always counted with the elementwise rule, whatever
//     statistic is checked, as information.
package compare
