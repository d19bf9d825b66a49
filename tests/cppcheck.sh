#!/bin/sh
# cppcheck over src/, tests/unit and tests/fuzz: any finding is a failure.
cd "$(dirname "$0")/.." || exit 2
if make -s cppcheck; then echo "ok cppcheck clean"; else echo "not ok cppcheck findings"; fi
