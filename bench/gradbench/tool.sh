#!/usr/bin/env bash
# fluxion's GradBench tool as one shell command, for the harness:
#   ../shared/gradbench/run.sh lse "$PWD/bench/gradbench/tool.sh"
# FLUXION_ROOT picks the fluxion checkout (default: the one holding this script);
# FLUXION_JIT=0 runs eagerly.
set -euo pipefail
ROOT="${FLUXION_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
exec node --max-old-space-size="${FLUXION_HEAP_MB:-6144}" "$ROOT/node_modules/tsx/dist/cli.mjs" \
  --conditions @fluxion/source "$ROOT/bench/gradbench/tool.ts"
