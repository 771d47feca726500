#!/bin/sh
# `make bench` runs this from the build tree's bench/ directory.
here=$(cd "$(dirname "$0")" && pwd)
GW_BUILDDIR=${GW_BUILDDIR:-$(cd .. && pwd)} exec node "$here/bench-diag-stall.js"
