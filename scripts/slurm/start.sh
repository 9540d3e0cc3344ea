#!/usr/bin/env bash
# Starts a private single-node SLURM (Debian 12's Slurm 22.05) on this machine for tests and the bench, as
# /work/shared/CLUSTER.md describes: nothing is installed system-wide. The Debian packages are fetched once with
# `apt-get download` into a cache and unpacked there; munged, slurmctld and slurmd run from that root with their
# state, sockets, logs and config in the folder given.
#
#   scripts/slurm/start.sh <state-dir>
#
#   LM_SLURM_CACHE   cache folder for the packages (default: ~/.cache/learning-mechanics-slurm)
#
# Writes <state-dir>/env.json ({"PATH", "LD_LIBRARY_PATH", "SLURM_CONF"}) and <state-dir>/env.sh (the same as
# exports); a client (sbatch, squeue, ...) run with that environment talks to this cluster. Stop it with
# scripts/slurm/stop.sh <state-dir>, which ends every daemon by the pid it recorded.
#
# Exit codes: 0 the node is idle and takes jobs; 3 Slurm cannot be had on this machine (no apt-get, packages
# not downloadable, not Linux x86-64); anything else is a failed start (the daemons' logs are printed).
set -euo pipefail

readonly EXIT_UNAVAILABLE=3
readonly CACHE="${LM_SLURM_CACHE:-$HOME/.cache/learning-mechanics-slurm}"
readonly DEBS=(slurmctld slurmd slurm-client slurm-wlm-basic-plugins munge libmunge2 libhwloc15 liblua5.1-0)
readonly ROOT="$CACHE/root"

log() { printf '[slurm] %s\n' "$*" >&2; }
unavailable() {
  log "unavailable: $*"
  exit "$EXIT_UNAVAILABLE"
}

[[ $# -eq 1 ]] || {
  echo "usage: $0 <state-dir>" >&2
  exit 2
}
STATE=$(mkdir -p "$1" && cd "$1" && pwd)
[[ "$(uname -s)-$(uname -m)" == Linux-x86_64 ]] || unavailable "needs Linux on x86-64, this is $(uname -s)-$(uname -m)"

# 1. The packages, unpacked into the cache once (a marker file says the root is complete).
if [[ ! -f "$ROOT/.complete" ]]; then
  command -v apt-get >/dev/null || unavailable "no apt-get to fetch Debian's slurm packages"
  command -v dpkg-deb >/dev/null || unavailable "no dpkg-deb to unpack Debian's slurm packages"
  mkdir -p "$CACHE/debs"
  rm -rf "$ROOT"
  log "downloading ${DEBS[*]} into $CACHE/debs"
  if ! (cd "$CACHE/debs" && apt-get download "${DEBS[@]}" >"$CACHE/download.log" 2>&1); then
    cat "$CACHE/download.log" >&2
    unavailable "apt-get download failed (try 'apt-get update' first)"
  fi
  mkdir -p "$ROOT.partial"
  for deb in "$CACHE"/debs/*.deb; do dpkg-deb -x "$deb" "$ROOT.partial"; done
  mv "$ROOT.partial" "$ROOT"
  touch "$ROOT/.complete"
fi
LIB="$ROOT/usr/lib/x86_64-linux-gnu"
PLUGINS="$LIB/slurm-wlm"
[[ -x "$ROOT/usr/sbin/slurmctld-wlm" && -d "$PLUGINS" ]] || unavailable "$ROOT lacks slurmctld-wlm or the plugins"
export LD_LIBRARY_PATH="$LIB:$PLUGINS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$ROOT/usr/bin:$ROOT/usr/sbin:$PATH"
export SLURM_CONF="$STATE/slurm.conf"

# 2. munge. The socket's folders must all be world-executable (munged refuses otherwise); the key is private.
chmod 755 "$STATE"
mkdir -p "$STATE/munge" "$STATE/munge-key" "$STATE/spool" "$STATE/state" "$STATE/log"
chmod 755 "$STATE/munge"
chmod 700 "$STATE/munge-key"
[[ -f "$STATE/munge-key/munge.key" ]] || mungekey -c -k "$STATE/munge-key/munge.key"
chmod 400 "$STATE/munge-key/munge.key"
SOCKET="$STATE/munge/munge.socket"
munged --key-file="$STATE/munge-key/munge.key" --socket="$SOCKET" --pid-file="$STATE/munge/munged.pid" \
  --log-file="$STATE/log/munged.log" --seed-file="$STATE/munge/munged.seed" --force

# 3. slurm.conf. Ports are free ones picked now, so two clusters (a test and the bench) can coexist.
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
HOST=$(hostname -s)
USER_NAME=$(id -un)
CPUS=${LM_SLURM_CPUS:-8}
cat >"$SLURM_CONF" <<EOF
ClusterName=lmtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=$USER_NAME
SlurmdUser=$USER_NAME
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCKET,cred_expire=10
PluginDir=$PLUGINS
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/log/jobcomp.txt
MpiDefault=none
SchedulerParameters=sched_min_interval=100000,batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmdTimeout=10
SlurmdParameters=config_overrides
MinJobAge=600
MaxArraySize=10001
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=4000 State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF

cat >"$STATE/env.sh" <<EOF
export PATH='$PATH'
export LD_LIBRARY_PATH='$LD_LIBRARY_PATH'
export SLURM_CONF='$SLURM_CONF'
EOF
node -e 'const e=process.env;console.log(JSON.stringify({PATH:e.PATH,LD_LIBRARY_PATH:e.LD_LIBRARY_PATH,SLURM_CONF:e.SLURM_CONF}))' \
  >"$STATE/env.json"

# 4. The daemons, then wait for the node to be idle.
fail() {
  log "$*"
  for f in "$STATE"/log/*.log; do
    log "--- $f"
    tail -n 30 "$f" >&2 || true
  done
  exit 1
}
slurmctld-wlm -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd-wlm -f "$SLURM_CONF" -N "$HOST" -d "$ROOT/usr/sbin/slurmstepd-wlm" || fail "slurmd did not start"
for _ in $(seq 1 150); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
  if [[ "$state" == idle* ]]; then
    log "node $HOST idle (ports $CTLD_PORT/$SLURMD_PORT, state in $STATE)"
    exit 0
  fi
  sleep 0.2
done
fail "the node did not become idle within 30 s (last state: '${state:-none}')"
