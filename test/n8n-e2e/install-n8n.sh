#!/usr/bin/env bash
# Installs the pinned n8n (1.123.x runs on Node 20) into a cache folder outside the clone,
# so CI runs on the same machine reuse it. Prints the folder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${HOOKBRIDGE_N8N_DIR:-$HOME/.cache/hookbridge/n8n-1.123.81}"
if [ ! -x "$dir/node_modules/.bin/n8n" ]; then
  mkdir -p "$dir"
  cp "$here/package.json" "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >&2)
fi
echo "$dir"
