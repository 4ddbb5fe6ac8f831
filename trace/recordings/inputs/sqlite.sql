-- Shipped sqlite3 trace: create, fill, index, join, aggregate, update, delete.
CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, city TEXT);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, amount REAL, note TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
INSERT INTO customers SELECT i, 'customer ' || i, 'city ' || (i % 37) FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO orders SELECT i, 1 + (i * 7) % 5000, (i % 1000) / 7.0, printf('note %d %s', i, hex(randomblob(8))) FROM n;
CREATE INDEX orders_customer ON orders(customer);
SELECT c.city, count(*), round(sum(o.amount), 2) FROM orders o JOIN customers c ON c.id = o.customer
  GROUP BY c.city ORDER BY 3 DESC LIMIT 5;
UPDATE orders SET note = note || ' (updated)' WHERE amount > 100;
DELETE FROM orders WHERE id % 3 = 0;
SELECT count(*), max(length(note)) FROM orders;
SELECT name FROM customers WHERE id IN (SELECT customer FROM orders GROUP BY customer HAVING count(*) > 5) LIMIT 3;
