-- Deterministic sqlite3 workload for the binmalloc real-program test.
-- Builds a table with an index, updates it, and queries it.
PRAGMA journal_mode = MEMORY;
PRAGMA cache_size = -4000;
CREATE TABLE items (
  id INTEGER PRIMARY KEY,
  grp INTEGER NOT NULL,
  name TEXT NOT NULL,
  payload BLOB,
  score REAL
);
BEGIN;
WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 60000)
INSERT INTO items (id, grp, name, payload, score)
SELECT n,
       (n * 7919) % 257,
       printf('name-%08d-%s', (n * 104729) % 1000003, substr('abcdefghijklmnopqrstuvwxyz', 1 + n % 26, 1 + n % 13)),
       zeroblob(n % 700),
       ((n * 31) % 1000) / 7.0
FROM seq;
COMMIT;
CREATE INDEX items_grp_name ON items (grp, name);
CREATE INDEX items_score ON items (score DESC);
UPDATE items SET name = upper(name) WHERE id % 11 = 0;
DELETE FROM items WHERE id % 17 = 3;
SELECT count(*), sum(grp), sum(length(payload)), printf('%.3f', sum(score)) FROM items;
SELECT grp, count(*), min(name), max(name) FROM items GROUP BY grp ORDER BY grp LIMIT 12;
SELECT id, name FROM items WHERE grp = 42 ORDER BY name LIMIT 8;
SELECT id, printf('%.4f', score) FROM items ORDER BY score DESC, id LIMIT 8;
SELECT a.grp % 10, count(*), sum(b.grp) FROM items a JOIN items b ON b.id = a.id + 1 GROUP BY a.grp % 10 ORDER BY 1;
SELECT substr(group_concat(name, ','), 1, 120) FROM (SELECT name FROM items WHERE grp < 3 ORDER BY name);
CREATE TABLE agg AS SELECT grp, group_concat(id) AS ids FROM items GROUP BY grp;
SELECT count(*), sum(length(ids)) FROM agg;
PRAGMA integrity_check;
