package fsutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.bin")
	require.NoError(t, WriteFileBytes(p, []byte("one")))
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Equal(t, "one", string(b))
	// A failed write keeps the old file and leaves no temporary behind.
	boom := errors.New("boom")
	err = WriteFile(p, func(w io.Writer) error { w.Write([]byte("partial")); return boom })
	require.ErrorIs(t, err, boom)
	b, _ = os.ReadFile(p)
	require.Equal(t, "one", string(b))
	ents, _ := os.ReadDir(dir)
	require.Len(t, ents, 1)
	require.Error(t, WriteFileBytes(filepath.Join(dir, "missing", "y"), nil))
}
