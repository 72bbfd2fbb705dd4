package npz

import (
	"archive/zip"
	"bufio"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/gotrt/gotrt/internal/fsutil"
	"github.com/gotrt/gotrt/tensor"
)

// maxDeflateRatio bounds how much a deflated entry can expand (deflate's
// limit is about 1032:1), so that a zip bomb is refused before it is read.
const maxDeflateRatio = 1100

// ReadNPZ reads every array of the .npz file at path, in the order of the
// archive, each tensor named after its entry without ".npy" (as numpy.load
// names them). Entries may be stored or deflated (numpy.savez and
// numpy.savez_compressed). Errors name the file and the array.
func ReadNPZ(path string) ([]*tensor.Tensor, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("npz: %s: %w", path, err)
	}
	defer zr.Close()
	ts, err := readZip(&zr.Reader)
	if err != nil {
		return nil, fmt.Errorf("npz: %s: %w", path, err)
	}
	return ts, nil
}

// DecodeNPZ is ReadNPZ for an archive held in r (size bytes long).
func DecodeNPZ(r io.ReaderAt, size int64) ([]*tensor.Tensor, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	ts, err := readZip(zr)
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	return ts, nil
}

func readZip(zr *zip.Reader) ([]*tensor.Tensor, error) {
	var out []*tensor.Tensor
	seen := map[string]bool{}
	for _, f := range zr.File {
		if strings.HasSuffix(f.Name, "/") { // a directory entry
			continue
		}
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			return nil, fmt.Errorf("entry %q is not a .npy array", f.Name)
		}
		if seen[name] {
			return nil, fmt.Errorf("array %q appears twice", name)
		}
		seen[name] = true
		t, err := readEntry(f, name)
		if err != nil {
			return nil, fmt.Errorf("array %q: %w", name, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func readEntry(f *zip.File, name string) (*tensor.Tensor, error) {
	// archive/zip fails a read past UncompressedSize64, so it bounds the
	// data; a deflated entry also cannot expand beyond maxDeflateRatio.
	avail := int64(-1)
	if f.UncompressedSize64 <= math.MaxInt64 {
		avail = int64(f.UncompressedSize64)
	}
	switch f.Method {
	case zip.Store:
	case zip.Deflate:
		if f.CompressedSize64 < math.MaxInt64/maxDeflateRatio {
			limit := int64(f.CompressedSize64)*maxDeflateRatio + 1<<12
			if avail < 0 || avail > limit {
				avail = limit
			}
		}
	default:
		return nil, fmt.Errorf("unsupported compression method %d (want stored or deflated)", f.Method)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return readNPY(bufio.NewReader(rc), avail, name)
}

// WriteNPZ writes ts to path as an uncompressed .npz (like numpy.savez), one
// entry "<name>.npy" per tensor in order; unnamed tensors are named arr_<i>.
// The file is replaced only once it is complete.
func WriteNPZ(path string, ts []*tensor.Tensor) error {
	return writeNPZFile(path, ts, false)
}

// WriteNPZCompressed is WriteNPZ with deflated entries (like
// numpy.savez_compressed).
func WriteNPZCompressed(path string, ts []*tensor.Tensor) error {
	return writeNPZFile(path, ts, true)
}

func writeNPZFile(path string, ts []*tensor.Tensor, compress bool) error {
	if err := checkNames(ts); err != nil {
		return fmt.Errorf("npz: %s: %w", path, err)
	}
	err := fsutil.WriteFile(path, func(w io.Writer) error { return encodeNPZ(w, ts, compress) })
	if err != nil {
		return fmt.Errorf("npz: %s: %w", path, err)
	}
	return nil
}

// EncodeNPZ writes ts to w as a .npz archive (deflated if compress).
func EncodeNPZ(w io.Writer, ts []*tensor.Tensor, compress bool) error {
	if err := checkNames(ts); err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	if err := encodeNPZ(w, ts, compress); err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	return nil
}

func entryName(t *tensor.Tensor, i int) string {
	if t != nil && t.Name != "" {
		return t.Name
	}
	return fmt.Sprintf("arr_%d", i)
}

func checkNames(ts []*tensor.Tensor) error {
	seen := map[string]bool{}
	for i, t := range ts {
		if t == nil {
			return fmt.Errorf("tensor %d is nil", i)
		}
		n := entryName(t, i)
		if seen[n] {
			return fmt.Errorf("two tensors named %q", n)
		}
		seen[n] = true
	}
	return nil
}

// zipTime is the fixed modification time of written entries, so that equal
// tensors give equal files.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

func encodeNPZ(w io.Writer, ts []*tensor.Tensor, compress bool) error {
	zw := zip.NewWriter(w)
	method := zip.Store
	if compress {
		method = zip.Deflate
	}
	for i, t := range ts {
		name := entryName(t, i)
		ew, err := zw.CreateHeader(&zip.FileHeader{Name: name + ".npy", Method: method, Modified: zipTime})
		if err != nil {
			return fmt.Errorf("array %q: %w", name, err)
		}
		if err := writeNPY(ew, t); err != nil {
			return fmt.Errorf("array %q: %w", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return nil
}
