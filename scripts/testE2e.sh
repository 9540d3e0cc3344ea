#!/usr/bin/env bash
# `npm run test:e2e`: the end-to-end suite in a real VS Code (code-server) driven by Chromium.
#   1. scripts/e2eTools.sh installs (or finds, cached) Node 24, code-server and Chromium;
#   2. npm run package makes and checks the VSIX;
#   3. mocha runs test/e2e/**/*.e2e.ts; screenshots and logs land in test-results/e2e/.
# When the tools cannot be installed because a Debian package needs root, this says so loudly and passes
# on a developer's machine, but fails under CI (CI is set).
# Arguments go to mocha, e.g. `npm run test:e2e -- --grep smoke`.
set -uo pipefail
cd "$(dirname "$0")/.."

banner() { printf '\n%s\n%s\n%s\n\n' '================================================================' "$*" '================================================================' >&2; }

status=0
bash scripts/e2eTools.sh || status=$?
if [[ $status -eq 3 ]]; then
  if [[ -n ${CI:-} ]]; then
    banner "END-TO-END SUITE FAILED: its tools are missing and CI must install them (see above)."
    exit 1
  fi
  banner "END-TO-END SUITE NOT RUN: its tools are missing (see above). Passing, since CI is not set."
  exit 0
elif [[ $status -ne 0 ]]; then
  banner "END-TO-END SUITE FAILED: installing its tools failed (exit $status)."
  exit "$status"
fi

set -e
node scripts/package.mjs
exec npx mocha --config test/e2e/.mocharc.json "$@"
