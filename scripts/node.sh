# Sourced by ./dev and .ci/run: puts Node 22+ first on PATH.
# Meridian needs Node 22 or later; on an older Node it provisions Node 24 from the npm
# registry's `node` package into .node/ (about 6 s, once) and uses that.
meridian_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$meridian_root/.node/node_modules/node/bin/node" ]; then
  export PATH="$meridian_root/.node/node_modules/node/bin:$PATH"
elif [ "$(node_major)" -lt 22 ]; then
  echo "meridian: Node $(node --version 2>/dev/null || echo none) is older than 22; provisioning Node 24 into .node/" >&2
  npm install --no-save --no-audit --no-fund --no-update-notifier --loglevel=error --prefix "$meridian_root/.node" node@24 >/dev/null
  export PATH="$meridian_root/.node/node_modules/node/bin:$PATH"
fi
