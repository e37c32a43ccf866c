#!/bin/bash
# A quick end-to-end re-check of one corpus through the real `kg` commands: kg build, kg add
# of a day's papers, and the README's SPARQL queries (twice, after the first query builds the
# index), each timed with /usr/bin/time. Run it on a quiet machine; benchmarks/run.py is the
# full per-stage benchmark.
#
#   bash benchmarks/recheck.sh CORPUS.jsonl NEW.jsonl WORKDIR
#
# benchmarks/run.py leaves CORPUS and NEW in its --workdir (nN/corpus.jsonl, nN/new100.jsonl).
# benchmarks/recheck-100k.txt is the output of an earlier run (git d8c8f28), kept for comparison.
set -u
if [ $# -ne 3 ] || [ ! -f "$1" ] || [ ! -f "$2" ]; then
  echo "usage: bash benchmarks/recheck.sh CORPUS.jsonl NEW.jsonl WORKDIR (both input files must exist)" >&2
  exit 2
fi
corpus=$(realpath "$1") new=$(realpath "$2") work=$3
here=$(dirname "$(realpath "$0")")
mkdir -p "$work" && cd "$work" || exit 1
rm -rf built updated
/usr/bin/time -f "build %e s %M KB(max single proc)" kg build "$corpus" --out built -q
cp -a built updated  # -a keeps modification times, as a daily update in place would see them
/usr/bin/time -f "add %e s %M KB" kg add updated "$new"
bash "$here/sparql-times.sh" updated | grep -v "^done"
echo done
