#!/usr/bin/env bash
# Prints the bin directory of a Node.js 24+: the one on PATH if it is new enough, else the official
# binary from the npm registry (package node-linux-<arch>@24), unpacked once into .weir/node24.
# Use: export PATH="$(bash scripts/node24.sh):$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."
if command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0] >= 24 ? 0 : 1)'; then
  dirname "$(command -v node)"
  exit 0
fi
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "no Node.js 24 package for $(uname -m); install Node 24 yourself" >&2 && exit 1 ;;
esac
dir="$PWD/.weir/node24"
if [[ ! -x $dir/bin/node ]]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-$arch@24" >/dev/null && tar xzf node-linux-*.tgz)
  mkdir -p "$(dirname "$dir")" && rm -rf "$dir" && mv "$tmp/package" "$dir"
  rm -rf "$tmp"
fi
echo "$dir/bin"
