# A small allocation-heavy Python script (run with PYTHONMALLOC=malloc):
# dicts, lists, strings and JSON; deterministic output.
import json

table = {}
for i in range(20000):
    table["key%05d" % i] = [i, str(i) * (1 + i % 7), {"n": i % 13}]
for i in range(0, 20000, 2):
    del table["key%05d" % i]
text = json.dumps(table)
back = json.loads(text)
words = " ".join(str(i) for i in range(30000)).split()
print(len(table), len(text), len(back), len(words))
