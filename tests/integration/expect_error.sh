#!/usr/bin/env bash
# usage: expect_error.sh EXIT_CODE PATTERN OUTPUT_FILE -- COMMAND...
# Passes if COMMAND exits with EXIT_CODE, prints PATTERN (grep -E) on stderr, does not crash,
# and leaves no OUTPUT_FILE (nor a temporary next to it) behind.
set -u
want="$1"; pattern="$2"; out="$3"; shift 4
rm -f "$out" "$out".tmp.*
err=$(timeout 60 "$@" 2>&1 >/dev/null); code=$?
fail=0
if [ "$code" != "$want" ]; then echo "exit code $code, expected $want"; fail=1; fi
if ! grep -qE -e "$pattern" <<<"$err"; then echo "stderr does not match /$pattern/:"; fail=1; fi
if [ -e "$out" ] || ls "$out".tmp.* >/dev/null 2>&1; then echo "output file left behind: $out"; fail=1; fi
echo "$err"
exit $fail
