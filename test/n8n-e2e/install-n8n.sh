#!/usr/bin/env bash
# Installs the pinned n8n (1.123.x runs on Node 20) into a cache folder outside the clone,
# so CI runs on the same machine reuse it. Prints the folder on stdout; progress goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${HOOKBRIDGE_N8N_DIR:-$HOME/.cache/hookbridge/n8n-1.123.81}"
if [ ! -x "$dir/node_modules/.bin/n8n" ]; then
  echo "n8n e2e: installing n8n 1.123.81 into $dir (once per machine; about 10 minutes on a fresh one)" >&2
  mkdir -p "$dir"
  cp "$here/package.json" "$dir/package.json"
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >&2) &
  install=$!
  started=$(date +%s)
  while kill -0 "$install" 2>/dev/null; do
    sleep 30
    kill -0 "$install" 2>/dev/null || break
    # node_modules appears only once npm has resolved the tree: until then, 0 (not a failed pipeline that stops the script).
    count=$({ find "$dir/node_modules" -maxdepth 2 -name package.json 2>/dev/null || true; } | wc -l)
    echo "n8n e2e: still installing n8n: $(( $(date +%s) - started ))s, $count packages so far" >&2
  done
  wait "$install"
  echo "n8n e2e: n8n installed in $(( $(date +%s) - started ))s" >&2
else
  echo "n8n e2e: using the n8n installed in $dir" >&2
fi
echo "$dir"
