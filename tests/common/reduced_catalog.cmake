# The workload catalog with the smallest parameters that still exercise each
# in-process workload (those of tests/workloads at 2 threads, smaller where a
# sanitizer's own malloc makes a shape slow: its realloc always moves, so
# realloc-growth-mixed grows fewer, larger elements, and overcommit reserves
# less). Used by tests/sanitize (the instrumented worker) and tests/workloads
# (the catalog under every allocator). The threaded workloads (those that
# take --threads) are in their own list.
set(_single_threaded
    "glibc-simple:n=100,iterations=10"
    "glibc-simple:n=25,iterations=10,arena=thread"
    "malloc-large:ops=3,live=2,min=33M,max=40M"
    "churn:ops=10000"
    "large-blocks:ops=10"
    "top-pinning:count=20000"
    "mmap-ratchet:count=16,rounds=2"
    "mmap-ratchet:count=16,rounds=2,ratchet=0"
    "hole-punching:count=20000"
    "phases:objects=2000,sample=100"
    "free-all-retention:count=100000"
    "alternating-large-small:count=100,rounds=2"
    "growing-arrays:max=1M,rounds=2"
    "realloc-one-by-one:elements=1000,arrays=2"
    "realloc-growth-mixed:bytes=160K,elem=1K,every=8,rounds=2"
    "realloc-doubling:max=1M,rounds=2"
    "bursty-idle:bursts=2,blocks=1000,idle_ms=10,tick=10"
    "aligned-heavy:ops=2000,slots=100"
    "lazy-touch:size=64M"
    "brk-vs-mmap:size=256K,count=16"
    "brk-vs-mmap:size=64K,count=16"
    "trim:count=20000"
    "overcommit:reserve=256M,chunk=64M,touch=4M")
set(_multithreaded
    "larson:lives=2,ops=1000,slots=100"
    "xmalloc:blocks=10000,batch=1000,queue=1"
    "threadtest:iterations=5,objects=2000"
    "cache-scratch:iterations=100,writes=10"
    "cache-thrash:iterations=100,writes=10"
    "sh6bench:iterations=10,batch=100"
    "sh8bench:iterations=10,batch=100"
    "mstress:rounds=2,scale=2"
    "rptest:iterations=10,batch=100,slots=400"
    "alloc-test:steps=20000,slots=1000"
    "glibc-thread:ops=20000"
    "mleak:rounds=5,allocs=50"
    "mt-churn:ops=10000"
    "steady-state:ops=20000,live_mb=2,period=6400"
    "arena-blowup:oversubscribe=2,rounds=2,working_set=256K"
    "producer-consumer-blowup:blocks=20000,burst=100,queue=1000"
    "profile-load:scale=0.05")
