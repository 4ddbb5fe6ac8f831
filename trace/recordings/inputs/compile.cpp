// Shipped g++ trace: a translation unit with some templates and the
// standard library (compiled by cc1plus; its allocations are recorded).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

template <typename T>
struct Stats {
  std::map<std::string, std::vector<T>> groups;
  void add(const std::string& k, T v) { groups[k].push_back(v); }
  T total() const {
    T s{};
    for (const auto& [k, v] : groups)
      for (T x : v) s += x;
    return s;
  }
};

int main() {
  Stats<int> a;
  Stats<double> b;
  for (int i = 0; i < 100; ++i) {
    a.add(std::to_string(i % 7), i);
    b.add(std::to_string(i % 5), i * 0.5);
  }
  std::vector<std::string> keys;
  for (const auto& [k, v] : a.groups) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  return static_cast<int>(a.total() + b.total()) % 2;
}
