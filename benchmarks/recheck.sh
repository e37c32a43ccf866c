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
mkdir -p "$work" && cd "$work" || exit 1
rm -rf built updated
/usr/bin/time -f "build %e s %M KB(max single proc)" kg build "$corpus" --out built -q
cp -a built updated  # -a keeps modification times, as a daily update in place would see them
/usr/bin/time -f "add %e s %M KB" kg add updated "$new"
most() {  # the label of the entity of type $1 in the most papers
  python -c "import json,sys; print(max((json.loads(l) for l in open('updated/entities.jsonl') if json.loads(l)['type'] == sys.argv[1]), key=lambda e: e['paper_count'])['label'])" "$1"
}
BENCH=$(most benchmark)
METH=$(most method)
PAPER=$(head -1 updated/papers.jsonl | python -c "import json,sys; print(json.loads(sys.stdin.readline())['id'])")
echo "bindings: $BENCH / $METH / $PAPER"
/usr/bin/time -f "sparql first (index) %e s" kg sparql updated top-benchmarks --output csv > /dev/null
for i in 1 2; do
  /usr/bin/time -f "top-benchmarks %e s" kg sparql updated top-benchmarks --output csv > /dev/null
  /usr/bin/time -f "papers-using-benchmark %e s" kg sparql updated papers-using-benchmark --bind "name=$BENCH" --output csv > /dev/null
  /usr/bin/time -f "co-occurring-methods %e s" kg sparql updated co-occurring-methods --bind "name=$METH" --output csv > /dev/null
  /usr/bin/time -f "related-papers %e s" kg sparql updated related-papers --bind "paper=$PAPER" --output csv > /dev/null
  /usr/bin/time -f "entity-counts %e s" kg sparql updated entity-counts --output csv > /dev/null
done
echo done
