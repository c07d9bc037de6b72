#!/bin/sh
# The end-to-end scenario, each step printed.
set -eu
echo "demo: not written yet"
