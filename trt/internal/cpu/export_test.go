package cpu

// Hooks for the external tests (package cpu_test).

// SetNoPool makes runners allocate every value (the reference for buffer
// reuse); it returns a function restoring the previous setting.
func SetNoPool(on bool) func() {
	old := noPool
	noPool = on
	return func() { noPool = old }
}

// SetPoison fills every pooled buffer handed out with NaN/sentinels.
func SetPoison(on bool) func() {
	old := poison
	poison = on
	return func() { poison = old }
}

// SetCheckInputs makes runners verify that kernels leave their inputs alone.
func SetCheckInputs(on bool) func() {
	old := checkInputs
	checkInputs = on
	return func() { checkInputs = old }
}
