package main

import "testing"

// The example runs to completion (it exits through log.Fatal on any error).
func TestExampleRuns(t *testing.T) { main() }
