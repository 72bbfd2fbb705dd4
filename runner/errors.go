package runner

import (
	"errors"
	"fmt"
)

// ErrBadInput marks errors caused by the user's input: the model file, input
// data, shapes, layer rules or the choice of backend.
var ErrBadInput = errors.New("bad input")

// inputError is an error matching ErrBadInput whose message does not repeat
// the sentinel's text.
type inputError struct{ err error }

func (e *inputError) Error() string   { return e.err.Error() }
func (e *inputError) Unwrap() []error { return []error{ErrBadInput, e.err} }

// badInput makes an error matching ErrBadInput.
func badInput(format string, args ...any) error {
	return &inputError{fmt.Errorf(format, args...)}
}

// asBadInput marks err as caused by the input (nil stays nil).
func asBadInput(err error) error {
	if err == nil || errors.Is(err, ErrBadInput) {
		return err
	}
	return &inputError{err}
}

// IsBadInput reports whether err was caused by the user's input.
func IsBadInput(err error) bool { return errors.Is(err, ErrBadInput) }
