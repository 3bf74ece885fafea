#!/usr/bin/env bash
# Where a kernel's WebAssembly spends its time, by machine-code address: Linux perf over Node with
# V8's --perf-prof (jitted code written as a jit dump), `perf inject --jit`, then `perf annotate`
# of the hottest Wasm function (a kernel's `run`), its samples summed per 256 bytes of code and its
# hottest instructions. Reading which part of the emitted code an address range is (the general
# pass, a chain, the barrier's release…) is left to the reader of the disassembly (perf annotate
# prints it): pass KEEP=1 to keep the files in the printed folder.
#
# Run: bash bench/wasm-perf-profile.sh bench/warp-reduce-sites.ts 300 5
#      BENCH_SCALE=8 bash bench/wasm-perf-profile.sh bench/cpu-one-kernel.ts warp_reduce 1 30
# Needs: perf (perf_event_paranoid <= 2), run from the repository root.
set -euo pipefail
root=$(pwd)
dir=$(mktemp -d /tmp/wasm-perf-XXXXXX)
script=$(realpath "$1")
shift
# the jit dump lands in the working directory: run from the temporary folder
(cd "$dir" && perf record -k 1 -F 4000 -o perf.data node --perf-prof --no-liftoff --import "file://$root/node_modules/tsx/dist/loader.mjs" "$script" "$@" >/dev/null 2>&1)
(cd "$dir" && perf inject --jit -i perf.data -o perf.jit.data >/dev/null 2>&1)
sym=$(cd "$dir" && perf report -i perf.jit.data --sort sym --stdio 2>/dev/null | grep -o 'JS:wasm-function\[[0-9]*\][^ ]*turbofan' | head -1)
echo "hottest Wasm function: $sym"
(cd "$dir" && perf report -i perf.jit.data --sort sym --stdio 2>/dev/null | grep -F "$sym" | head -1)
(cd "$dir" && perf annotate -i perf.jit.data --stdio -s "$sym" 2>/dev/null) > "$dir/annotate.txt"
node -e '
const lines = require("node:fs").readFileSync(process.argv[1], "utf8").split("\n");
const buckets = new Map(); const hot = [];
for (const l of lines) {
  const m = /^\s+([0-9.]+)\s+:\s+([0-9a-f]+):\s*(.*)$/.exec(l);
  if (!m) continue;
  const p = Number(m[1]), a = parseInt(m[2], 16);
  buckets.set(a >> 8, (buckets.get(a >> 8) ?? 0) + p);
  hot.push([p, a, m[3]]);
}
console.log("percent of the function per 256 bytes of code (buckets of at least 0.5%):");
for (const [k, v] of [...buckets].sort((x, y) => x[0] - y[0])) if (v >= 0.5) console.log(`  ${(k << 8).toString(16).padStart(5, "0")}  ${v.toFixed(2)}`);
console.log("hottest instructions:");
for (const [p, a, t] of hot.sort((x, y) => y[0] - x[0]).slice(0, 15)) console.log(`  ${p.toFixed(2)}  ${a.toString(16).padStart(5, "0")}  ${t}`);
' "$dir/annotate.txt"
if [ "${KEEP:-0}" = 1 ]; then echo "files: $dir"; else rm -rf "$dir"; fi
