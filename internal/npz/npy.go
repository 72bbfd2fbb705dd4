// Package npz reads and writes numpy's .npy and .npz files as gotrt host
// tensors (package tensor), so that inputs and reference outputs move between
// gotrt, numpy, Polygraphy and ONNX Runtime's Python API.
//
// Reading accepts .npy format versions 1.0, 2.0 and 3.0 in C order with the
// dtypes f2 f4 f8 i1 u1 i2 u2 i4 u4 i8 u8 b1 (either byte order). Types that
// host tensors lack are widened without loss: int16 and uint16 read as INT32,
// uint32 as INT64, and uint64 as INT64 when every value fits (an error
// otherwise). Fortran-ordered arrays, structured dtypes and objects are
// refused.
//
// Writing produces version 1.0 files (2.0 when the header needs it), little
// endian, as numpy.save does. FP32, FP16, FP64, INT8, UINT8, INT32, INT64 and
// BOOL tensors keep their type; BF16 tensors, which numpy cannot represent, are
// written as float32 (exact) and so read back as FP32.
//
// Untrusted files are safe to read: header lengths, shapes and data sizes are
// checked against the data actually present before anything large is
// allocated, and malformed input gives an error, never a panic.
package npz

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/x448/float16"

	"github.com/gotrt/gotrt/internal/fsutil"
	"github.com/gotrt/gotrt/tensor"
)

const magic = "\x93NUMPY"

// maxHeaderLen bounds the header of the files read. numpy refuses headers
// over 10000 bytes unless told otherwise; this allows a little more.
const maxHeaderLen = 1 << 16

// maxDims is numpy's NPY_MAXDIMS (64 since numpy 2.0).
const maxDims = 64

// readChunk is the step by which data of unknown available size is read, so
// that a header that claims more data than there is costs no more memory than
// the data there is.
const readChunk = 1 << 20

// dtype is a parsed numpy type string such as "<f4".
type dtype struct {
	kind      byte // 'f', 'i', 'u', 'b'
	size      int  // bytes per element
	bigEndian bool
}

func parseDescr(s string) (dtype, error) {
	bad := fmt.Errorf("unsupported dtype %q (want one of <f2 <f4 <f8 |i1 |u1 <i2 <u2 <i4 <u4 <i8 <u8 |b1)", s)
	if len(s) < 3 {
		return dtype{}, bad
	}
	var d dtype
	switch s[0] {
	case '<', '=', '|':
	case '>':
		d.bigEndian = true
	default:
		return dtype{}, bad
	}
	d.kind = s[1]
	n, err := strconv.Atoi(s[2:])
	if err != nil {
		return dtype{}, bad
	}
	d.size = n
	ok := false
	switch d.kind {
	case 'f':
		ok = n == 2 || n == 4 || n == 8
	case 'i', 'u':
		ok = n == 1 || n == 2 || n == 4 || n == 8
	case 'b':
		ok = n == 1
	}
	if !ok {
		return dtype{}, bad
	}
	if n == 1 {
		d.bigEndian = false
	}
	return d, nil
}

// header is the parsed dictionary of a .npy header.
type header struct {
	descr   dtype
	shape   []int
	version byte
}

// sizer is implemented by readers that know how much is left to read
// (bytes.Reader, strings.Reader, bytes.Buffer).
type sizer interface{ Len() int }

// remaining is how many bytes r still holds, or -1 when unknown.
func remaining(r io.Reader) int64 {
	switch x := r.(type) {
	case sizer:
		return int64(x.Len())
	case *os.File:
		st, err := x.Stat()
		if err != nil || !st.Mode().IsRegular() {
			return -1
		}
		pos, err := x.Seek(0, io.SeekCurrent)
		if err != nil {
			return -1
		}
		return st.Size() - pos
	}
	return -1
}

// ReadNPY reads one .npy array from r and leaves r just after it (so arrays
// written one after another to a stream can be read in turn). The tensor's
// name is empty. Errors start with "npy:".
func ReadNPY(r io.Reader) (*tensor.Tensor, error) {
	t, err := readNPY(r, remaining(r), "")
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	return t, nil
}

// ReadNPYFile reads the .npy file at path; the tensor is named after the file
// (without its extension).
func ReadNPYFile(path string) (*tensor.Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("npy: %w", err)
	}
	defer f.Close()
	name := strings.TrimSuffix(baseName(path), ".npy")
	t, err := readNPY(bufio.NewReader(f), remaining(f), name)
	if err != nil {
		return nil, fmt.Errorf("npy: %s: %w", path, err)
	}
	return t, nil
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// readNPY reads an array; avail is the number of bytes r holds (-1: unknown).
func readNPY(r io.Reader, avail int64, name string) (*tensor.Tensor, error) {
	h, hlen, err := readHeader(r, avail)
	if err != nil {
		return nil, err
	}
	n := 1 // element count, overflow-checked
	for _, d := range h.shape {
		if d != 0 && n > math.MaxInt/d {
			return nil, fmt.Errorf("shape %v is too large", h.shape)
		}
		n *= d
	}
	if n > math.MaxInt/8 {
		return nil, fmt.Errorf("shape %v is too large", h.shape)
	}
	nbytes := int64(n) * int64(h.descr.size)
	if avail >= 0 && nbytes > avail-hlen {
		return nil, fmt.Errorf("shape %v of %s needs %d data bytes, but only %d follow the header",
			h.shape, descrString(h.descr), nbytes, max(avail-hlen, 0))
	}
	raw, err := readData(r, nbytes)
	if err != nil {
		return nil, fmt.Errorf("shape %v of %s needs %d data bytes: %w", h.shape, descrString(h.descr), nbytes, err)
	}
	return decode(name, h, n, raw)
}

func descrString(d dtype) string {
	o := byte('<')
	if d.size == 1 {
		o = '|'
	} else if d.bigEndian {
		o = '>'
	}
	return fmt.Sprintf("%c%c%d", o, d.kind, d.size)
}

// readHeader reads the magic, version, header length and header; it returns
// the header and the number of bytes it took.
func readHeader(r io.Reader, avail int64) (header, int64, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return header{}, 0, fmt.Errorf("not a .npy file: %w", eofIsTruncated(err))
	}
	if string(pre[:6]) != magic {
		return header{}, 0, errors.New("not a .npy file (bad magic)")
	}
	major, minor := pre[6], pre[7]
	var hlen, used int64
	switch {
	case major == 1 && minor == 0:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return header{}, 0, fmt.Errorf("header length: %w", eofIsTruncated(err))
		}
		hlen, used = int64(binary.LittleEndian.Uint16(pre[8:10])), 10
	case (major == 2 || major == 3) && minor == 0:
		var l [4]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return header{}, 0, fmt.Errorf("header length: %w", eofIsTruncated(err))
		}
		hlen, used = int64(binary.LittleEndian.Uint32(l[:])), 12
	default:
		return header{}, 0, fmt.Errorf("unsupported .npy format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	if hlen > maxHeaderLen {
		return header{}, 0, fmt.Errorf("header length %d exceeds the limit of %d bytes", hlen, maxHeaderLen)
	}
	if avail >= 0 && hlen > avail-used {
		return header{}, 0, fmt.Errorf("header length %d exceeds the %d bytes that follow", hlen, max(avail-used, 0))
	}
	buf := make([]byte, hlen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return header{}, 0, fmt.Errorf("header: %w", eofIsTruncated(err))
	}
	h, err := parseHeader(string(buf))
	if err != nil {
		return header{}, 0, fmt.Errorf("header %q: %w", truncate(string(buf), 200), err)
	}
	h.version = major
	return h, used + hlen, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func eofIsTruncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("file is truncated")
	}
	return err
}

// readData reads exactly n bytes, growing its buffer as data arrives so that
// a lying header cannot make it allocate much more than the data present.
func readData(r io.Reader, n int64) ([]byte, error) {
	if n <= readChunk {
		buf := make([]byte, n)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, eofIsTruncated(err)
		}
		return buf, nil
	}
	buf := make([]byte, 0, readChunk)
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			c := min(n, int64(2*cap(buf)))
			nb := make([]byte, len(buf), c)
			copy(nb, buf)
			buf = nb
		}
		m, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			if int64(len(buf)) == n {
				break
			}
			return nil, fmt.Errorf("%w after %d bytes", eofIsTruncated(err), len(buf))
		}
	}
	return buf, nil
}

func decode(name string, h header, n int, raw []byte) (*tensor.Tensor, error) {
	d := h.descr
	var bo binary.ByteOrder = binary.LittleEndian
	if d.bigEndian {
		bo = binary.BigEndian
	}
	var dt tensor.DataType
	switch {
	case d.kind == 'f' && d.size == 4:
		dt = tensor.Float
	case d.kind == 'f' && d.size == 2:
		dt = tensor.Half
	case d.kind == 'f' && d.size == 8:
		dt = tensor.Double
	case d.kind == 'i' && d.size == 1:
		dt = tensor.Int8
	case d.kind == 'u' && d.size == 1:
		dt = tensor.UInt8
	case d.kind == 'b':
		dt = tensor.Bool
	case d.kind == 'i' && d.size == 2, d.kind == 'u' && d.size == 2, d.kind == 'i' && d.size == 4:
		dt = tensor.Int32
	case d.kind == 'u' && d.size == 4, d.kind == 'i' && d.size == 8, d.kind == 'u' && d.size == 8:
		dt = tensor.Int64
	default:
		return nil, fmt.Errorf("unsupported dtype %s", descrString(d))
	}
	t, err := tensor.New(name, dt, h.shape)
	if err != nil {
		return nil, err
	}
	if len(raw) != n*d.size {
		return nil, fmt.Errorf("internal: %d data bytes for %d elements of %d bytes", len(raw), n, d.size)
	}
	switch out := t.Data.(type) {
	case []float32:
		for i := range out {
			out[i] = math.Float32frombits(bo.Uint32(raw[4*i:]))
		}
	case []float16.Float16:
		for i := range out {
			out[i] = float16.Frombits(bo.Uint16(raw[2*i:]))
		}
	case []float64:
		for i := range out {
			out[i] = math.Float64frombits(bo.Uint64(raw[8*i:]))
		}
	case []int8:
		for i := range out {
			out[i] = int8(raw[i])
		}
	case []uint8:
		copy(out, raw)
	case []bool:
		for i := range out {
			out[i] = raw[i] != 0
		}
	case []int32:
		for i := range out {
			switch {
			case d.size == 4:
				out[i] = int32(bo.Uint32(raw[4*i:]))
			case d.kind == 'i':
				out[i] = int32(int16(bo.Uint16(raw[2*i:])))
			default:
				out[i] = int32(bo.Uint16(raw[2*i:]))
			}
		}
	case []int64:
		for i := range out {
			switch {
			case d.size == 4:
				out[i] = int64(bo.Uint32(raw[4*i:]))
			case d.kind == 'i':
				out[i] = int64(bo.Uint64(raw[8*i:]))
			default:
				v := bo.Uint64(raw[8*i:])
				if v > math.MaxInt64 {
					return nil, fmt.Errorf("uint64 element %d (%d) does not fit in INT64", i, v)
				}
				out[i] = int64(v)
			}
		}
	}
	return t, nil
}

// npyType is the dtype string a tensor type is written as.
func npyType(t tensor.DataType) (string, error) {
	switch t {
	case tensor.Float, tensor.BF16:
		return "<f4", nil
	case tensor.Half:
		return "<f2", nil
	case tensor.Double:
		return "<f8", nil
	case tensor.Int8:
		return "|i1", nil
	case tensor.UInt8:
		return "|u1", nil
	case tensor.Int32:
		return "<i4", nil
	case tensor.Int64:
		return "<i8", nil
	case tensor.Bool:
		return "|b1", nil
	}
	return "", fmt.Errorf("%v tensors have no numpy type", t)
}

// headerBytes is the magic, version, length and padded header of an array.
func headerBytes(descr string, dims []int) []byte {
	var sh strings.Builder
	sh.WriteByte('(')
	for i, d := range dims {
		if i > 0 {
			sh.WriteString(", ")
		}
		sh.WriteString(strconv.Itoa(d))
	}
	if len(dims) == 1 {
		sh.WriteByte(',')
	}
	sh.WriteByte(')')
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, sh.String())
	// Pad with spaces and end with '\n' so that the data starts at a multiple
	// of 64 bytes, as numpy does.
	build := func(version byte, lenBytes int) []byte {
		pre := len(magic) + 2 + lenBytes
		total := pre + len(dict) + 1
		pad := (64 - total%64) % 64
		hlen := len(dict) + pad + 1
		out := make([]byte, 0, pre+hlen)
		out = append(out, magic...)
		out = append(out, version, 0)
		if lenBytes == 2 {
			out = binary.LittleEndian.AppendUint16(out, uint16(hlen))
		} else {
			out = binary.LittleEndian.AppendUint32(out, uint32(hlen))
		}
		out = append(out, dict...)
		out = append(out, strings.Repeat(" ", pad)...)
		return append(out, '\n')
	}
	if len(dict)+64 <= math.MaxUint16 {
		return build(1, 2)
	}
	return build(2, 4)
}

// WriteNPY writes t to w as a .npy array (see the package comment for types).
func WriteNPY(w io.Writer, t *tensor.Tensor) error {
	if err := writeNPY(w, t); err != nil {
		return fmt.Errorf("npy: %w", err)
	}
	return nil
}

// WriteNPYFile writes t to a .npy file at path.
func WriteNPYFile(path string, t *tensor.Tensor) error {
	return fsutil.WriteFile(path, func(w io.Writer) error { return WriteNPY(w, t) })
}

func writeNPY(w io.Writer, t *tensor.Tensor) error {
	if t == nil {
		return errors.New("nil tensor")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	descr, err := npyType(t.Type)
	if err != nil {
		return fmt.Errorf("tensor %q: %w", t.Name, err)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.Write(headerBytes(descr, t.Dims)); err != nil {
		return err
	}
	le := binary.LittleEndian
	var b [8]byte
	put := func(p []byte) error { _, err := bw.Write(p); return err }
	switch d := t.Data.(type) {
	case []float32:
		for _, v := range d {
			le.PutUint32(b[:], math.Float32bits(v))
			if err := put(b[:4]); err != nil {
				return err
			}
		}
	case []tensor.BF16Bits:
		for _, v := range d {
			le.PutUint32(b[:], math.Float32bits(v.Float32()))
			if err := put(b[:4]); err != nil {
				return err
			}
		}
	case []float16.Float16:
		for _, v := range d {
			le.PutUint16(b[:], v.Bits())
			if err := put(b[:2]); err != nil {
				return err
			}
		}
	case []float64:
		for _, v := range d {
			le.PutUint64(b[:], math.Float64bits(v))
			if err := put(b[:8]); err != nil {
				return err
			}
		}
	case []int8:
		for _, v := range d {
			if err := bw.WriteByte(byte(v)); err != nil {
				return err
			}
		}
	case []uint8:
		if err := put(d); err != nil {
			return err
		}
	case []bool:
		for _, v := range d {
			var c byte
			if v {
				c = 1
			}
			if err := bw.WriteByte(c); err != nil {
				return err
			}
		}
	case []int32:
		for _, v := range d {
			le.PutUint32(b[:], uint32(v))
			if err := put(b[:4]); err != nil {
				return err
			}
		}
	case []int64:
		for _, v := range d {
			le.PutUint64(b[:], uint64(v))
			if err := put(b[:8]); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("tensor %q: unsupported data %T", t.Name, t.Data)
	}
	return bw.Flush()
}
