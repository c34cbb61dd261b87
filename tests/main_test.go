package tests

import (
	"testing"

	"github.com/gqlplan/gqlplan/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
