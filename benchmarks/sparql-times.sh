#!/bin/bash
# The README's SPARQL queries on a built output directory, each a whole `kg sparql` command
# timed with /usr/bin/time: the first builds the on-disk index, then every query twice.
# Bindings: the most-used benchmark and method (the slowest cases) and the first paper.
#
#   bash benchmarks/sparql-times.sh OUT_DIR
#
# benchmarks/recheck.sh runs it after its kg build and kg add. Run it on a quiet machine.
set -u
if [ $# -ne 1 ] || [ ! -f "$1/manifest.json" ]; then
  echo "usage: bash benchmarks/sparql-times.sh OUT_DIR (a kg build output directory)" >&2
  exit 2
fi
out=$1
most() {  # the label of the entity of type $1 in the most papers
  python -c "import json,sys; print(max((json.loads(l) for l in open(sys.argv[2]) if json.loads(l)['type'] == sys.argv[1]), key=lambda e: e['paper_count'])['label'])" "$1" "$out/entities.jsonl"
}
BENCH=$(most benchmark)
METH=$(most method)
PAPER=$(head -1 "$out/papers.jsonl" | python -c "import json,sys; print(json.loads(sys.stdin.readline())['id'])")
echo "bindings: $BENCH / $METH / $PAPER"
/usr/bin/time -f "sparql first (index) %e s" kg sparql "$out" top-benchmarks --output csv > /dev/null
for i in 1 2; do
  /usr/bin/time -f "top-benchmarks %e s" kg sparql "$out" top-benchmarks --output csv > /dev/null
  /usr/bin/time -f "papers-using-benchmark %e s" kg sparql "$out" papers-using-benchmark --bind "name=$BENCH" --output csv > /dev/null
  /usr/bin/time -f "co-occurring-methods %e s" kg sparql "$out" co-occurring-methods --bind "name=$METH" --output csv > /dev/null
  /usr/bin/time -f "related-papers %e s" kg sparql "$out" related-papers --bind "paper=$PAPER" --output csv > /dev/null
  /usr/bin/time -f "entity-counts %e s" kg sparql "$out" entity-counts --output csv > /dev/null
done
echo done
