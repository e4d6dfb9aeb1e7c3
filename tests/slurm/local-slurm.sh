#!/usr/bin/env bash
# Start or stop a single-node Slurm cluster on loopback, for tests.
#
#   tests/slurm/local-slurm.sh start STATE_DIR   # prints the SLURM_CONF to export
#   tests/slurm/local-slurm.sh stop STATE_DIR
#
# Needs root and Debian's slurm-wlm and munge (apt-get install -y slurm-wlm munge).
# No systemd, no database: munged, slurmctld and slurmd run as plain daemons with their
# state, logs and pid files under STATE_DIR; jobs are recorded in STATE_DIR/jobcomp.txt.
# Stop kills exactly the daemons it started, by the PIDs in their pid files.
set -euo pipefail

command=${1:?usage: $0 start|stop STATE_DIR}
state=${2:?usage: $0 start|stop STATE_DIR}

stop() {
  # the link to our config, if it is ours
  if [ "$(readlink /etc/slurm/slurm.conf 2>/dev/null)" = "$state/slurm.conf" ]; then
    rm -f /etc/slurm/slurm.conf
  fi
  for pidfile in "$state/slurmd.pid" "$state/slurmctld.pid" "$state/munged.pid"; do
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
  done
  if [ -f "$state/munge_dir" ]; then
    rm -rf "$(cat "$state/munge_dir")"
    rm -f "$state/munge_dir"
  fi
}

start() {
  mkdir -p "$state/spool" "$state/state" "$state/log"
  state=$(cd "$state" && pwd)

  # munge: a key, and munged as the munge user, its socket in a directory of its own
  # (STATE_DIR may sit below directories the munge user cannot enter)
  munge_dir=$(mktemp -d /tmp/clusterprop-munge.XXXXXX)
  chmod 755 "$munge_dir"
  chown munge:munge "$munge_dir"
  echo "$munge_dir" > "$state/munge_dir"
  if [ ! -s /etc/munge/munge.key ]; then
    mungekey --create --keyfile /etc/munge/munge.key
    chown munge:munge /etc/munge/munge.key
    chmod 400 /etc/munge/munge.key
  fi
  socket="$munge_dir/munge.socket"
  runuser -u munge -- /usr/sbin/munged --socket="$socket" \
    --pid-file="$munge_dir/munged.pid" --log-file="$munge_dir/munged.log" \
    --seed-file="$munge_dir/munged.seed"
  cp "$munge_dir/munged.pid" "$state/munged.pid"

  node=$(slurmd -C | head -1)  # NodeName=<host> CPUs=... RealMemory=...
  cat > "$state/slurm.conf" <<CONF
ClusterName=clusterprop-test
SlurmctldHost=$(hostname)(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$state/jobcomp.txt
MinJobAge=600
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
StateSaveLocation=$state/state
SlurmdSpoolDir=$state/spool
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  # Job steps (srun inside a batch job) read /etc/slurm/slurm.conf, not SLURM_CONF:
  # link it there, unless the machine has a Slurm config of its own.
  mkdir -p /etc/slurm
  if [ -e /etc/slurm/slurm.conf ] && \
     [ "$(readlink /etc/slurm/slurm.conf)" != "$state/slurm.conf" ]; then
    echo "/etc/slurm/slurm.conf exists: refusing to replace a real Slurm config" >&2
    stop
    return 1
  fi
  ln -sfn "$state/slurm.conf" /etc/slurm/slurm.conf
  export SLURM_CONF="$state/slurm.conf"
  slurmctld -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  for _ in $(seq 100); do
    if sinfo -h -o %t 2>/dev/null | grep -qx idle; then
      echo "$SLURM_CONF"
      return 0
    fi
    sleep 0.2
  done
  echo "Slurm did not come up; logs in $state/log" >&2
  tail -20 "$state/log/"*.log >&2 || true
  stop
  return 1
}

case "$command" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop STATE_DIR" >&2; exit 2 ;;
esac
