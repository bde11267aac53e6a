#!/usr/bin/env bash
# usage: with_reference.sh CONFIGURED_DIR RELATIVE_PATH COMMAND [ARGS...]
# Runs COMMAND with every "@REF@" in its arguments replaced by the reference-data folder:
# $HEPKIT_REFERENCE_DIR if set, else CONFIGURED_DIR (CMake's HEPKIT_REFERENCE_DIR). When
# RELATIVE_PATH does not exist there (a clone without the reference data), the test is skipped
# (exit 77, ctest's SKIP_RETURN_CODE) with a message naming what is missing.
set -u
ref="${HEPKIT_REFERENCE_DIR:-$1}"
rel="$2"
shift 2
if [ ! -e "$ref/$rel" ]; then
  echo "SKIPPED: reference data missing: $ref/$rel (set HEPKIT_REFERENCE_DIR to the reference folder to run this test)"
  exit 77
fi
args=()
for a in "$@"; do args+=("${a//@REF@/$ref}"); done
exec "${args[@]}"
