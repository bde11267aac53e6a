#!/usr/bin/env bash
# The summary surrogate's large study (docs/surrogate.md, "64 000 samples with the slowest job"),
# end to end from its seeds: generate the training space (space-random.yaml's kind, seed 11), the
# held-out random platforms (seed 12) and the unseen one-site platform (space-unseen.yaml, seed 4);
# train the summary model (examples/surrogate/train.yaml's settings) with each seed; evaluate both
# splits and say whether issue 18's unseen-platform goals (makespan and mean job wall time within
# 5 % relative MAE) are met. A benchmark: it reports, it does not fail on the figures.
#
#   benchmarks/surrogate_study.sh [--hepkit PATH] [--work DIR] [--samples N] [--held N]
#                                 [--seeds "1 2"] [--threads N] [--epochs N] [--quick]
#
# Defaults: build/apps/hepkit/hepkit, work dir surrogate-study/, 64 000 training samples (80 %
# trained on, 20 % for early stopping), 300 held out per split, seeds 1 and 2, generating on all
# cores (--threads), each training on one core (the seeds in parallel). Cost on a 2-core machine:
# ~5 min generating, ~30 min wall per training with two seeds in parallel. Samples already
# generated are kept (generate resumes), so a larger --samples extends a study; models and
# evaluations are named by sample count and seed (model-nN-sS), so runs of other sizes in one work
# directory do not overwrite each other. --quick: 400 / 40 / 40 samples, 40 epochs, one seed —
# the smoke test that ctest runs (benchmark.surrogate_study); options after it override it.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
hk="$src/build/apps/hepkit/hepkit"
work="surrogate-study"
samples=64000
held=300
seeds="1 2"
threads=$(nproc)
epochs=600

usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }
die() { echo "surrogate_study.sh: $*" >&2; exit 64; }
need() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }
for a in "$@"; do # --quick sets the defaults that the other options then override
    if [ "$a" = --quick ]; then
        samples=400; held=40; seeds="1"; epochs=40
    fi
done
while [ $# -gt 0 ]; do
    case "$1" in
    --hepkit) need "$@"; hk="$2"; shift 2 ;;
    --work) need "$@"; work="$2"; shift 2 ;;
    --samples) need "$@"; samples="$2"; shift 2 ;;
    --held) need "$@"; held="$2"; shift 2 ;;
    --seeds) need "$@"; seeds="$2"; shift 2 ;;
    --threads) need "$@"; threads="$2"; shift 2 ;;
    --epochs) need "$@"; epochs="$2"; shift 2 ;;
    --quick) shift ;;
    -h | --help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done
for n in "$samples" "$held" "$threads" "$epochs"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "'$n' is not a positive whole number"
done
read -r -a seed_list <<<"$seeds"
[ ${#seed_list[@]} -gt 0 ] || die "--seeds needs at least one seed (e.g. \"1 2\")"
for seed in "${seed_list[@]}"; do
    [[ "$seed" =~ ^[0-9]+$ ]] || die "seed '$seed' is not a whole number (seeds are separated by spaces)"
done
[ "$(printf '%s\n' "${seed_list[@]}" | sort -u | wc -l)" = ${#seed_list[@]} ] || die "seed given twice in '$seeds'"
[ -x "$hk" ] || { echo "surrogate_study.sh: no hepkit at $hk (build it, or --hepkit PATH)" >&2; exit 2; }
ex="$src/examples/surrogate"
mkdir -p "$work"
work=$(cd "$work" && pwd)
# the paths go into sed replacements and YAML double-quoted strings
bad='[&#"\\]'
[[ ! "$ex$work" =~ $bad ]] || die "paths with & # \" or \\ are not supported: $ex, $work"

# A space file of the examples with its base made absolute (spaces resolve it next to themselves)
# and its sample count and seed set.
space() { # example, output, samples, seed
    sed -e "s#^base: #base: $ex/#" -e "s#^samples: .*#samples: $3#" -e "s#^seed: .*#seed: $4#" "$ex/$1" >"$2"
}
space space-random.yaml "$work/space-train.yaml" "$samples" 11
space space-random.yaml "$work/space-held.yaml" "$held" 12
space space-unseen.yaml "$work/space-unseen.yaml" "$held" 4

start=$(date +%s)
for s in train held unseen; do
    echo "generating $s ($(grep '^samples:' "$work/space-$s.yaml" | cut -d' ' -f2) samples)"
    "$hk" -q surrogate generate "$work/space-$s.yaml" -o "$work/data-$s" -j "$threads"
done
generated=$(($(date +%s) - start))

start=$(date +%s)
pids=()
# a failed training stops the others (they would go on writing into the work directory)
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for seed in "${seed_list[@]}"; do
    name="n$samples-s$seed"
    # examples/surrogate/train.yaml's settings, with this study's data, output, seed and epochs
    sed -e "s#^data: .*#data: \"$work/data-train\"#" -e "s#^output: .*#output: \"$work/model-$name\"#" \
        -e "s#^seed: .*#seed: $seed#" -e "s#^epochs: .*#epochs: $epochs#" "$ex/train.yaml" >"$work/train-$name.yaml"
    echo "training the summary model, seed $seed"
    "$hk" surrogate train "$work/train-$name.yaml" >"$work/train-$name.log" 2>&1 &
    pids+=($!)
done
for p in "${pids[@]}"; do
    wait "$p" || { echo "surrogate_study.sh: a training failed (see $work/train-n$samples-s*.log)" >&2; exit 1; }
done
trap - EXIT
trained=$(($(date +%s) - start))

# rel. MAE of a target in `evaluate`'s table
figure() { awk -v t="$2" '$1 == t { print $2 }' "$1"; }
number='^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$'
echo
echo "summary model, $samples samples (80 % trained on), relative MAE per split and seed:"
printf '%-6s %-16s %10s %10s %10s\n' seed split makespan mean_wall mean_compute
missed=()
for seed in "${seed_list[@]}"; do
    name="n$samples-s$seed"
    for s in held unseen; do
        out="$work/eval-$name-$s.txt"
        "$hk" surrogate evaluate "$work/model-$name" "$work/data-$s" --csv "$work/eval-$name-$s.csv" >"$out"
        mk=$(figure "$out" makespan_s); mw=$(figure "$out" mean_wall_time_s); mc=$(figure "$out" mean_compute_time_s)
        for v in "$mk" "$mw" "$mc"; do
            [[ "$v" =~ $number ]] || { echo "surrogate_study.sh: no figures in $out ('$v')" >&2; exit 1; }
        done
        label=$([ "$s" = held ] && echo "random platforms" || echo "unseen one-site")
        printf '%-6s %-16s %10s %10s %10s\n' "$seed" "$label" "$mk" "$mw" "$mc"
        if [ "$s" = unseen ] && ! awk -v a="$mk" -v b="$mw" 'BEGIN { exit !(a + 0 < 0.05 && b + 0 < 0.05) }'; then
            missed+=("$seed")
        fi
    done
done
echo
echo "generating: ${generated} s on $threads threads; training: ${trained} s (one core per seed, ${#seed_list[@]} in parallel)"
if [ ${#missed[@]} = 0 ]; then
    echo "unseen platform, makespan and mean wall time within 5 %: met for every seed"
else
    echo "unseen platform, makespan and mean wall time within 5 %: not met for seed(s) ${missed[*]}"
fi
echo "surrogate study done: $work"
