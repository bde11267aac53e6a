#!/usr/bin/env bash
# usage: check_fit_plots.sh HEPKIT EXAMPLES BAD OUTDIR
# The plots of `hepkit fit` as a user meets them (docs/fit.md, "Plots"):
#  1. several input files with --plot fits.pdf give ONE pdf with a page per figure
#     (per file: fit + contours + profiles = 3 pages, 6 in all), and nothing else;
#  2. a .png plot writes the plot and its documented _contours/_profiles files, nothing else
#     (no .plot.json, no temporary file);
#  3. a bad --plot extension is refused before any fit runs (command-line error, exit 64);
#  4. a model that is not finite: with --plot no Python traceback, a message naming x and the
#     parameter values, exit 4 (an output that could not be made), and no "nan" in the report;
#  5. a model that is not finite only beyond the data: drawn with a gap, exit 0.
set -u
hk="$1"; ex="$2"; bad="$3"; out="$4/fit-plots"
rm -rf "$out"; mkdir -p "$out"
fail=0
check() { if ! eval "$2"; then echo "FAIL: $1"; fail=1; else echo "ok: $1"; fi; }

# 1. multi-page PDF
"$hk" fit "$ex/fit/line.yml" "$ex/fit/correlated.yml" -c --profile --plot "$out/fits.pdf" > "$out/pdf.log" 2>&1
code=$?
check "two files into one pdf: exit 0 (got $code)" '[ $code = 0 ]'
pages=$(grep -ao '/Type /Page\b' "$out/fits.pdf" 2>/dev/null | wc -l)
check "fits.pdf has 6 pages (per file: fit, contours, profiles), got $pages" '[ "$pages" = 6 ]'
check "only fits.pdf written: $(ls "$out" | tr '\n' ' ')" '[ "$(ls "$out" | grep -v "\.log$")" = "fits.pdf" ]'

# 2. PNG and its documented side files only
mkdir -p "$out/png"
"$hk" fit "$ex/fit/line.yml" -c --profile --plot "$out/png/line.png" > "$out/png.log" 2>&1
code=$?
check "png: exit 0 (got $code)" '[ $code = 0 ]'
check "png: exactly line.png, line_contours.png, line_profiles.png: $(ls "$out/png" | tr '\n' ' ')" \
  '[ "$(ls "$out/png" | tr "\n" " ")" = "line.png line_contours.png line_profiles.png " ]'

# 3. bad extension refused before the fit
err=$("$hk" fit "$ex/fit/line.yml" --plot "$out/line.jpg" 2>&1)
code=$?
check "bad extension: exit 64 (got $code)" '[ $code = 64 ]'
check "bad extension: message names the allowed formats" 'grep -q "must end in .png, .pdf or .svg" <<<"$err"'
check "bad extension: no fit ran (no report printed)" '! grep -q "hepkit fit:" <<<"$err"'
check "bad extension: nothing written" '[ ! -e "$out/line.jpg" ]'

# 4. a model that is not finite, with --plot
mkdir -p "$out/nan"
all=$("$hk" fit "$bad/fit_not_converged.yml" --plot "$out/nan/nc.png" 2>&1)
code=$?
echo "$all"
check "non-finite model: exit 4 (a plot failure; got $code)" '[ $code = 4 ]'
check "non-finite model: no traceback" '! grep -q "Traceback" <<<"$all"'
check "non-finite model: no matplotlib hint" '! grep -qi "matplotlib" <<<"$all"'
check "non-finite model: names x and the parameters" \
  'grep -q "model is not finite at x = 1 .*with a = 1, b = 1" <<<"$all"'
check "non-finite model: no nan in the report" '! grep -qi "nan" <<<"$all"'
check "non-finite model: no plot file" '[ -z "$(ls "$out/nan")" ]'

# 5. not finite beyond the data only
here=$(dirname "$0")
"$hk" fit "$here/fit_sqrt_gap.yml" --plot "$out/gap.svg" > "$out/gap.log" 2>&1
code=$?
check "model undefined left of the data: plotted, exit 0 (got $code)" '[ $code = 0 ] && [ -s "$out/gap.svg" ]'

exit $fail
