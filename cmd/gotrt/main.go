// Command gotrt is gotrt's command-line tool, with Polygraphy's and trtexec's
// habits: run, convert, inspect, bench, conformance, debug precision.
package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
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

type command struct {
	summary string
	run     func(args []string) error
}

var commands = map[string]command{}

func register(name, summary string, run func(args []string) error) {
	commands[name] = command{summary, run}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gotrt COMMAND [flags] ...")
	fmt.Fprintln(os.Stderr, "commands:")
	var names []string
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-18s %s\n", n, commands[n].summary)
	}
}

func main() { os.Exit(mainCode(os.Args[1:])) }

func mainCode(args []string) int {
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
		fmt.Fprintf(os.Stderr, "gotrt: unknown command %q\n", name)
		usage()
		return exitUsage
	}
	err := c.run(rest)
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errFailed):
		return exitFailed
	default:
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(os.Stderr, "gotrt %s: %v\n", name, err)
			return exitUsage
		}
		fmt.Fprintf(os.Stderr, "gotrt %s: %v\n", name, err)
		return exitUsage
	}
}
