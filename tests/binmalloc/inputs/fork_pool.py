"""Fork-based process pool while other threads allocate, for the binmalloc
real-program test (run with PYTHONMALLOC=malloc).  Deterministic output."""
import json
import multiprocessing
import threading


def work(n):
    d = {str(i): [i] * (i % 7) for i in range(n)}
    return len(json.dumps(d, sort_keys=True))


def churn(stop):
    while not stop.is_set():
        x = [str(i) * 3 for i in range(2000)]
        del x


def main():
    stop = threading.Event()
    threads = [threading.Thread(target=churn, args=(stop,)) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        ctx = multiprocessing.get_context("fork")
        for _ in range(2):
            with ctx.Pool(4) as pool:
                print(sum(pool.map(work, range(1000, 3000, 100))))
    finally:
        stop.set()
        for t in threads:
            t.join()


if __name__ == "__main__":
    main()
