package store

import (
	"os"
	"testing"
)

// TestMain stops the shared FerretDB stand-in and removes its folder after
// the package's tests.
func TestMain(m *testing.M) {
	code := m.Run()
	stopSharedFerret()
	os.Exit(code)
}
