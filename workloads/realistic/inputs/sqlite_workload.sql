-- allocscope's sqlite3 workload: insert, index, query and update in an
-- in-memory database. The row count comes from the table cfg, created on the
-- command line before this file is read.
CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, category INTEGER, price REAL, note TEXT);
WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < (SELECT rows FROM cfg))
INSERT INTO items(name, category, price, note)
  SELECT 'item-' || i, i % 97, (i * 7919) % 10000 / 100.0, printf('%.*c', 20 + i % 80, 'x') FROM seq;
CREATE INDEX items_category ON items(category, price);
CREATE INDEX items_name ON items(name);
SELECT category, count(*), avg(price), max(length(note)) FROM items GROUP BY category ORDER BY 3 DESC LIMIT 5;
SELECT count(*) FROM items a JOIN items b ON a.category = b.category AND b.id = a.id + 97;
UPDATE items SET note = note || '-updated' WHERE category < 30;
DELETE FROM items WHERE id % 5 = 0;
SELECT name FROM items WHERE name LIKE 'item-12%' ORDER BY price LIMIT 10;
CREATE TABLE summary AS SELECT category, group_concat(name, ',') AS names FROM items GROUP BY category;
SELECT sum(length(names)) FROM summary;
