#!/bin/sh
# allocscope's redis workload driver: becomes redis-server (exec, so the job's
# process is the server and its memory is what the harness measures) on a
# free loopback port, while a background driver without the preloaded
# allocator waits for it, runs redis-benchmark with a bounded request count
# and shuts it down.
#   redis_bench.sh REQUESTS CLIENTS DATA_SIZE GLIBC_LIB
# GLIBC_LIB: Debian's redis-server links libjemalloc, so with no allocator
# preloaded the server preloads libc itself to really use glibc malloc.
set -eu
requests=$1 clients=$2 datasize=$3 glibc_lib=$4
server_preload=${LD_PRELOAD:-$glibc_lib}
unset LD_PRELOAD

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
       echo $((20000 + $$ % 30000)))
server=$$
(
  up=0
  for _ in $(seq 1 200); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]; then up=1; break; fi
    sleep 0.05
  done
  if [ $up = 1 ] && redis-benchmark -h 127.0.0.1 -p "$port" -n "$requests" -c "$clients" -d "$datasize" -q \
        -t set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100 >/dev/null; then
    redis-cli -h 127.0.0.1 -p "$port" shutdown nosave >/dev/null 2>&1 || true
  else
    echo "redis_bench.sh: the server did not come up or redis-benchmark failed" >&2
    kill -KILL "$server"
  fi
) &
exec env LD_PRELOAD="$server_preload" redis-server --port "$port" --bind 127.0.0.1 --save '' \
  --appendonly no --daemonize no --loglevel warning --logfile '' --dir /tmp
