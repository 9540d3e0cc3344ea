#!/usr/bin/env bash
# Stops a cluster started by scripts/slurm/start.sh: cancels its jobs (so their steps and processes end), then
# ends slurmd, slurmctld and munged, each by the pid it recorded in the state folder. Safe to run twice.
#
#   scripts/slurm/stop.sh <state-dir> [--keep]     (--keep leaves the state folder; otherwise it is removed)
set -uo pipefail

[[ $# -ge 1 ]] || {
  echo "usage: $0 <state-dir> [--keep]" >&2
  exit 2
}
STATE=$1
[[ -d "$STATE" ]] || exit 0

if [[ -f "$STATE/env.sh" ]]; then
  # shellcheck disable=SC1091
  source "$STATE/env.sh"
  if [[ -f "$STATE/slurmctld.pid" ]] && kill -0 "$(cat "$STATE/slurmctld.pid")" 2>/dev/null; then
    scancel --full --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 1 50); do
      [[ -z "$(squeue -h -t RUNNING,COMPLETING -o %i 2>/dev/null)" ]] && break
      sleep 0.2
    done
  fi
fi

stop_pid_file() {
  local file=$1 pid
  [[ -f "$file" ]] || return 0
  pid=$(cat "$file")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

stop_pid_file "$STATE/slurmd.pid"
stop_pid_file "$STATE/slurmctld.pid"
stop_pid_file "$STATE/munge/munged.pid"

[[ "${2:-}" == --keep ]] || rm -rf "$STATE"
