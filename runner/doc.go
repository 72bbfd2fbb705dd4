// Package runner is the library behind `gotrt run`: it loads an ONNX model,
// makes or loads its inputs, builds a gotrt engine with a precision
// configuration, runs it, runs ONNX Runtime (or loads saved outputs) on the
// same inputs, compares and validates, and reports. Later tools (debug
// precision, bench, inspect) reuse its pieces: Load, Model.Build, Precision,
// GenerateInputs, LoadInputs, RunEngine, RunONNXRuntime.
//
// # Generated inputs (Polygraphy's DataLoader habits)
//
// Inputs that are not loaded from a file are random, drawn from a seeded
// generator (DefaultSeed = 1, as Polygraphy's default seed) over a value
// range (DefaultValRange = [0, 1], as Polygraphy's val_range):
//
//   - floating-point inputs (FP32, FP16, BF16, FP64): uniform in [lo, hi),
//     computed in float64 and rounded to the input's type;
//   - integer inputs (INT8, UINT8, INT32, INT64): uniform integers in
//     [ceil(lo), floor(hi)], both ends included — Polygraphy's
//     numpy.random.randint(lo, hi + 1) — so the default range gives 0 and 1
//     (always valid indices for Gather-like inputs whose axis has 2 or more
//     entries); a range given for the input that exceeds the type's limits
//     is an error, while the default range is clipped to them (so
//     --val-range [-1,1] leaves UINT8 inputs in {0, 1});
//   - BOOL inputs: true or false with equal probability.
//
// Each input has its own stream, seeded from the seed and the input's name,
// so an input's values do not depend on the other inputs. The values are not
// numpy's (the generator is Go's PCG), so they differ from Polygraphy's for
// the same seed; the same seed always gives the same values in gotrt.
//
// Dynamic dims that neither --input-shapes nor loaded input data fix are set
// to 1 with a warning (Polygraphy's DEFAULT_SHAPE_VALUE).
//
// # Errors
//
// Errors caused by what the user gave — a missing, empty or malformed model,
// an operator gotrt does not import, bad input data, shapes that do not fit
// the model, a layer rule that matches nothing, a backend that is not
// available — match ErrBadInput (errors.Is); the CLI exits 2 for them.
// Others (a build that cannot honour obeyed constraints, a failed run) do
// not.
package runner
