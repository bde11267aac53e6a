#!/usr/bin/env bash
# usage: expect_exit.sh EXIT_CODE PATTERN -- COMMAND...
# Passes if COMMAND exits with EXIT_CODE and its output (stdout and stderr) matches PATTERN
# (grep -E). The output is echoed, so a test can add FAIL_REGULAR_EXPRESSION checks on it.
set -u
want="$1"; pattern="$2"; shift 3
text=$(timeout 120 "$@" 2>&1); code=$?
echo "$text"
fail=0
if [ "$code" != "$want" ]; then echo "exit code $code, expected $want"; fail=1; fi
if ! grep -qE -e "$pattern" <<<"$text"; then echo "output does not match /$pattern/"; fail=1; fi
exit $fail
