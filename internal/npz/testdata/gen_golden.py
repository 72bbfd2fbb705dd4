#!/usr/bin/python3
"""Writes the numpy-made golden files of internal/npz's tests (run from this directory).

The expected contents are spelled out in npz_test.go (TestGolden*).
"""
import numpy as np

arrays = {
    "f4": np.array([[1.5, -2.25, 3.0], [0.0, -0.0, 1e30]], dtype="<f4"),
    "f2": np.array([1.0, -65504.0, 6.1e-05, np.inf], dtype="<f2"),
    "f8": np.array(3.141592653589793, dtype="<f8"),  # a 0-d array
    "i1": np.array([-128, 0, 127], dtype="i1"),
    "u1": np.array([0, 1, 255], dtype="u1"),
    "i2": np.array([-32768, 32767], dtype="<i2"),
    "u2": np.array([0, 65535], dtype="<u2"),
    "i4": np.array([[-2147483648], [2147483647]], dtype="<i4"),
    "u4": np.array([4294967295], dtype="<u4"),
    "i8": np.array([-9223372036854775808, 9223372036854775807], dtype="<i8"),
    "u8": np.array([9223372036854775807], dtype="<u8"),
    "b1": np.array([True, False, True], dtype="?"),
    "empty": np.zeros((0, 3), dtype="<f4"),
    "be_i4": np.array([1, -2, 3], dtype=">i4"),
    "be_f8": np.array([0.5, -1.5], dtype=">f8"),
}
np.savez("golden.npz", **arrays)
np.savez_compressed("golden_compressed.npz", f4=arrays["f4"], b1=arrays["b1"], i8=arrays["i8"])
with open("golden_v2.npy", "wb") as f:
    np.lib.format.write_array(f, np.arange(6, dtype="<i4").reshape(2, 3), version=(2, 0))
with open("golden_v3.npy", "wb") as f:
    np.lib.format.write_array(f, np.array([1.0, 2.0], dtype="<f2"), version=(3, 0))
np.save("fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
np.save("u8_overflow.npy", np.array([2**64 - 1], dtype="<u8"))
