package onnxpb

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gotrt/gotrt/internal/fsutil"
)

// LoadFile reads an ONNX model file, decodes it, and resolves tensors whose
// data is external (data_location EXTERNAL with keys location, offset,
// length): their data is read into RawData and they become ordinary inline
// tensors (DataLocation DEFAULT, no ExternalData), so SaveFile writes a
// self-contained model.
//
// External files are opened only inside the model's directory: an absolute
// location, one that climbs out with "..", or one that reaches outside
// through a symbolic link is rejected with ErrUnsafePath. Offsets and lengths
// are checked against the file size and the tensor's dims before reading.
//
// An empty file, and a model without a graph, are errors.
func LoadFile(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("onnxpb: %w", err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("onnxpb: %s: %w: empty file", path, ErrMalformed)
	}
	d := decoder{alias: true} // b is ours: RawData may point into it
	m := &Model{}
	if err := d.model(b, m); err != nil {
		return nil, fmt.Errorf("onnxpb: %s: %w%s", path, err, textHint(b))
	}
	if err := validateModel(m); err != nil {
		return nil, fmt.Errorf("onnxpb: %s: %w", path, err)
	}
	if m.Graph == nil {
		return nil, fmt.Errorf("onnxpb: %s: %w: no graph (not an ONNX model?)%s", path, ErrMalformed, textHint(b))
	}
	if err := resolveExternal(m, filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("onnxpb: %s: %w", path, err)
	}
	return m, nil
}

// LoadTensorFile reads a file holding one serialized TensorProto (such as the
// input_0.pb files of the ONNX backend tests). An empty file is an error.
func LoadTensorFile(path string) (*Tensor, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("onnxpb: %w", err)
	}
	if len(b) == 0 {
		return nil, fmt.Errorf("onnxpb: %s: %w: empty file", path, ErrMalformed)
	}
	t, err := DecodeTensor(b)
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)%s", err, path, textHint(b))
	}
	return t, nil
}

// SaveFile encodes m and writes it to path (through a temporary file in the
// same directory, renamed into place).
func SaveFile(m *Model, path string) error {
	b, err := Encode(m)
	if err != nil {
		return err
	}
	if err := fsutil.WriteFileBytes(path, b); err != nil {
		return fmt.Errorf("onnxpb: save %s: %w", path, err)
	}
	return nil
}

// textHint adds a note to errors about files that look like text.
func textHint(b []byte) string {
	n := min(len(b), 512)
	for _, c := range b[:n] {
		if c < 0x09 || (c > 0x0d && c < 0x20) || c == 0x7f {
			return ""
		}
	}
	return " (the file looks like text; ONNX models are binary protobuf)"
}

// resolveExternal loads the external data of every tensor of m.
func resolveExternal(m *Model, dir string) error {
	r := &extResolver{dir: dir, files: map[string]*os.File{}}
	defer r.close()
	err := forEachTensor(m, func(path string, t *Tensor) error {
		if t.DataLocation != LocationExternal {
			return nil
		}
		if err := r.load(t); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	})
	return err
}

type extResolver struct {
	dir   string
	root  *os.Root
	files map[string]*os.File
}

func (r *extResolver) close() {
	for _, f := range r.files {
		f.Close()
	}
	if r.root != nil {
		r.root.Close()
	}
}

func (r *extResolver) open(loc string) (*os.File, error) {
	if f, ok := r.files[loc]; ok {
		return f, nil
	}
	if r.root == nil {
		root, err := os.OpenRoot(r.dir)
		if err != nil {
			return nil, err
		}
		r.root = root
	}
	// os.Root refuses names that leave the directory, including through
	// symbolic links.
	f, err := r.root.Open(filepath.FromSlash(loc))
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("not a regular file")
	}
	r.files[loc] = f
	return f, nil
}

func (r *extResolver) load(t *Tensor) error {
	loc, ok := t.ExternalValue("location")
	if !ok || loc == "" {
		return fmt.Errorf("%w: no location key in external_data", ErrExternalData)
	}
	where := fmt.Sprintf("external data %s", strconv.Quote(shorten(loc)))
	if filepath.IsAbs(loc) || strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, `\`) || !filepath.IsLocal(filepath.FromSlash(loc)) {
		return fmt.Errorf("%s: %w (%s)", where, ErrUnsafePath, r.dir)
	}
	offset, err := extInt(t, "offset", 0)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	length, err := extInt(t, "length", -1)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	f, err := r.open(loc)
	if err != nil {
		if strings.Contains(err.Error(), "path escapes from parent") { // os.Root's refusal

			return fmt.Errorf("%s: %w: %v", where, ErrUnsafePath, err)
		}
		return fmt.Errorf("%s: %w: %v", where, ErrExternalData, err)
	}
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("%s: %w: %v", where, ErrExternalData, err)
	}
	size := st.Size()
	if offset > size {
		return fmt.Errorf("%s: %w: offset %d is beyond the end of the file (%d bytes)", where, ErrExternalData, offset, size)
	}
	if length < 0 {
		length = size - offset
	}
	if length > size-offset {
		return fmt.Errorf("%s: %w: offset %d + length %d is beyond the end of the file (%d bytes)",
			where, ErrExternalData, offset, length, size)
	}
	n, err := Volume(t.Dims)
	if err != nil {
		return err
	}
	if want, ok := t.DataType.rawSize(n); ok && want != length {
		return fmt.Errorf("%s: %w: %v tensor with dims %v needs %d bytes, external data has %d",
			where, ErrExternalData, t.DataType, t.Dims, want, length)
	}
	buf := make([]byte, length)
	if _, err := f.ReadAt(buf, offset); err != nil && !(err == io.EOF && length == 0) {
		return fmt.Errorf("%s: %w: %v", where, ErrExternalData, err)
	}
	t.RawData = buf
	t.DataLocation = LocationDefault
	t.ExternalData = nil
	return nil
}

// extInt parses an integer external_data key; a missing key gives def.
func extInt(t *Tensor, key string, def int64) (int64, error) {
	s, ok := t.ExternalValue(key)
	if !ok {
		return def, nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%w: %s %q is not a non-negative integer", ErrExternalData, key, s)
	}
	return v, nil
}

// forEachTensor calls fn for every tensor of m (initializers, sparse
// initializers, attribute tensors, in subgraphs and functions too) with a
// path that names it.
func forEachTensor(m *Model, fn func(path string, t *Tensor) error) error {
	var graph func(g *Graph, path string) error
	var nodes func(ns []*Node, path string) error
	one := func(t *Tensor, path string) error {
		if t == nil {
			return nil
		}
		return fn(path+"tensor "+quoteName(t.Name), t)
	}
	sparse := func(s *SparseTensor, path string) error {
		if s == nil {
			return nil
		}
		if err := one(s.Values, path+"values: "); err != nil {
			return err
		}
		return one(s.Indices, path+"indices: ")
	}
	attr := func(a *Attribute, path string) error {
		if err := one(a.T, path); err != nil {
			return err
		}
		for _, t := range a.Tensors {
			if err := one(t, path); err != nil {
				return err
			}
		}
		if err := sparse(a.SparseTensor, path); err != nil {
			return err
		}
		for _, s := range a.SparseTensors {
			if err := sparse(s, path); err != nil {
				return err
			}
		}
		if a.G != nil {
			if err := graph(a.G, path); err != nil {
				return err
			}
		}
		for _, g := range a.Graphs {
			if err := graph(g, path); err != nil {
				return err
			}
		}
		return nil
	}
	nodes = func(ns []*Node, path string) error {
		for i, n := range ns {
			for _, a := range n.Attributes {
				p := fmt.Sprintf("%snode %d (%s): attribute %s: ", path, i, quoteName(n.Name), quoteName(a.Name))
				if err := attr(a, p); err != nil {
					return err
				}
			}
		}
		return nil
	}
	graph = func(g *Graph, path string) error {
		path += "graph " + quoteName(g.Name) + ": "
		for _, t := range g.Initializers {
			if err := one(t, path+"initializer "); err != nil {
				return err
			}
		}
		for _, s := range g.SparseInitializers {
			if err := sparse(s, path+"sparse_initializer: "); err != nil {
				return err
			}
		}
		return nodes(g.Nodes, path)
	}
	if m.Graph != nil {
		if err := graph(m.Graph, ""); err != nil {
			return err
		}
	}
	for _, f := range m.Functions {
		if err := nodes(f.Nodes, "function "+quoteName(f.Name)+": "); err != nil {
			return err
		}
	}
	return nil
}
