// Command gotrt is gotrt's command-line tool, with Polygraphy's and trtexec's
// habits: run, convert, inspect, bench, conformance, debug precision.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
)

// stdout and stderr are where commands write; tests replace them.
var (
	stdout io.Writer = os.Stdout
	stderr io.Writer = os.Stderr
)

// exit codes
const (
	exitOK     = 0
	exitFailed = 1 // a comparison or check failed
	exitUsage  = 2 // bad usage or bad input
)

// usageError marks errors that exit with code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// errFailed is returned by commands whose check failed (exit 1) after they
// printed their report.
var errFailed = errors.New("failed")

// failure is an error that exits 1 with its message (work that could not be
// done, e.g. a build that cannot honour obeyed constraints).
type failure struct{ err error }

func (e failure) Error() string        { return e.err.Error() }
func (e failure) Unwrap() error        { return e.err }
func (e failure) Is(target error) bool { return target == errFailed }

func failf(format string, args ...any) error { return failure{fmt.Errorf(format, args...)} }

type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string) error) {
	commands[name] = command{summary, run}
}

func usage() {
	fmt.Fprintln(stderr, "usage: gotrt COMMAND [flags] ...")
	fmt.Fprintln(stderr, "commands:")
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(stderr, "  %-18s %s\n", n, commands[n].summary)
	}
}

func main() { os.Exit(mainCode(os.Args[1:])) }

// commandLine is the command as typed, for report headers.
var commandLine = func(args []string) string { return quoteArgs(append([]string{"gotrt"}, args...)) }

func mainCode(args []string) (code int) {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage()
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	name, rest := args[0], args[1:]
	if name == "debug" && len(rest) > 0 { // two-word commands: "debug precision"
		name, rest = "debug "+rest[0], rest[1:]
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "gotrt: unknown command %q\n", name)
		usage()
		return exitUsage
	}
	defer func() {
		// A panic is a bug in gotrt, not the user's: say so without a crash.
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "gotrt %s: internal error: %v\n", name, r)
			if os.Getenv("GOTRT_TRACEBACK") != "" {
				stderr.Write(debug.Stack())
			} else {
				fmt.Fprintln(stderr, "(please report it; set GOTRT_TRACEBACK=1 for the stack)")
			}
			code = exitFailed
		}
	}()
	err := c.run(rest)
	switch {
	case err == nil:
		return exitOK
	case err == errFailed:
		return exitFailed // the report said why
	case errors.Is(err, errFailed):
		fmt.Fprintf(stderr, "gotrt %s: %v\n", name, err)
		return exitFailed
	default:
		// usageError and every other error: bad usage or bad input.
		fmt.Fprintf(stderr, "gotrt %s: %v\n", name, err)
		return exitUsage
	}
}
