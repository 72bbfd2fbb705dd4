// Package fsutil holds small file helpers shared by gotrt's packages.
package fsutil

import (
	"io"
	"os"
	"path/filepath"
)

// WriteFile writes path through a temporary file in the same directory that
// is renamed into place, so a failed write leaves no partial file. The file
// gets mode 0644.
func WriteFile(path string, write func(io.Writer) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// WriteFileBytes is WriteFile for a byte slice.
func WriteFileBytes(path string, b []byte) error {
	return WriteFile(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
