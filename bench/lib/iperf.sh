# Idle-waiting and iperf3 runs for the bench/ scripts, sourced (not run) by them. The caller
# sets BENCH (its name, for messages), RES (its results directory) and IPERF_SECONDS.

# busy_percent: how busy the CPUs were over the last second (all of them, from /proc/stat).
busy_percent() {
  local a b
  a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  sleep 1
  b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
  LC_ALL=C awk -v a="$a" -v b="$b" 'BEGIN { split(a, x, " "); split(b, y, " ")
    busy = y[1] - x[1]; idle = y[2] - x[2]; printf "%.0f", 100 * busy / (busy + idle + 0.001) }'
}
# wait_idle: waits (up to 30 s) for the machine to be idle (under 10% busy over a second): the
# benchmark shares it with whatever else runs there. Logs the last reading to RES/busy.
wait_idle() {
  local b
  for _ in $(seq 30); do
    b=$(busy_percent)
    [ "$b" -lt 10 ] && break
  done
  echo "$b" >>"$RES/busy"
  [ "$b" -lt 10 ] || echo "$BENCH: the machine stays busy ($b% of the CPUs); measuring anyway" >&2
  return 0
}

median_of() { sort -g "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Server and client on CPUs of their own, when there are two, for less scheduling noise.
IPERF_SERVER_CPU=""
IPERF_CLIENT_CPU=""
if [ "$(nproc)" -ge 2 ]; then
  IPERF_SERVER_CPU="-A 0"
  IPERF_CLIENT_CPU="-A 1"
fi
IPERF_PID=""
# iperf SERVER_NETNS CLIENT_NETNS TARGET OUT [PORT]: one IPERF_SECONDS run of iperf3, the host's
# binary inside the two namespaces (paths), the server listening on 5201 and the client
# connecting to TARGET:PORT (5201 by default; a published port leads to the server's 5201);
# prints the received Gbit/s.
iperf() {
  local port=${5:-5201}
  wait_idle
  # shellcheck disable=SC2086 # the CPU options are empty or two words
  nsenter --net="$1" iperf3 -s -1 -p 5201 $IPERF_SERVER_CPU >/dev/null 2>&1 &
  IPERF_PID=$!
  for _ in $(seq 250); do
    nsenter --net="$1" ss -Htln 'sport = :5201' | grep -q . && break
    sleep 0.02
  done
  # shellcheck disable=SC2086
  nsenter --net="$2" iperf3 -c "$3" -p "$port" -t "$IPERF_SECONDS" $IPERF_CLIENT_CPU -J >"$4"
  wait "$IPERF_PID"
  IPERF_PID=""
  jq -r '.end.sum_received.bits_per_second / 1e9' "$4"
}
