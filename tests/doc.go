// Package tests holds end-to-end suites that drive gqlplan the way users
// do: golden cases under testdata/ run through the CLI in-process, one
// directory per case (inputs, and the expected plan.json and stderr.txt).
// Run "go test ./tests -run TestGolden -update" (or "make golden") to
// rewrite the expected files after an intended change, then review the diff.
package tests
