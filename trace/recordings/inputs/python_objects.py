# Allocation-heavy Python for the shipped trace (run with PYTHONMALLOC=malloc):
# a dict of records, string building, sorting, JSON round trip, a class graph.
import json


class Node:
    def __init__(self, key, parent=None):
        self.key = key
        self.parent = parent
        self.children = []


def build_tree(n):
    root = Node(0)
    nodes = [root]
    for i in range(1, n):
        parent = nodes[(i * 7) % len(nodes)]
        child = Node(i, parent)
        parent.children.append(child)
        nodes.append(child)
    return root, nodes


records = {}
for i in range(15000):
    records["user%05d" % i] = {"id": i, "name": "n" * (1 + i % 23), "tags": [str(t) for t in range(i % 6)]}
for i in range(0, 15000, 3):
    del records["user%05d" % i]
text = json.dumps(records, sort_keys=True)
back = json.loads(text)
ordered = sorted(back.values(), key=lambda r: (len(r["name"]), r["id"]))
root, nodes = build_tree(20000)
depth = max(len(n.children) for n in nodes)
lines = ["%d:%s" % (r["id"], r["name"]) for r in ordered]
print(len(records), len(text), len(ordered), depth, len("\n".join(lines)))
