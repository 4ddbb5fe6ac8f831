// Compiled by g++ in the binmalloc real-program test, once under glibc and
// once with libbinmalloc preloaded into the compiler; both builds must print
// the same output.  Templates and the standard containers keep the compiler's
// allocator busy.
#include <algorithm>
#include <cstdio>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

template <int N>
struct Fib {
  static constexpr long value = Fib<N - 1>::value + Fib<N - 2>::value;
};
template <>
struct Fib<0> {
  static constexpr long value = 0;
};
template <>
struct Fib<1> {
  static constexpr long value = 1;
};

template <typename T, int Depth>
struct Nest {
  std::vector<Nest<T, Depth - 1>> children;
  T sum() const {
    T s{};
    for (const auto &c : children) s += c.sum();
    return s + static_cast<T>(Depth);
  }
};
template <typename T>
struct Nest<T, 0> {
  T sum() const { return T{}; }
};

template <typename K, typename V>
std::map<V, std::vector<K>> invert(const std::unordered_map<K, V> &m) {
  std::map<V, std::vector<K>> out;
  for (const auto &[k, v] : m) out[v].push_back(k);
  for (auto &[v, ks] : out) std::sort(ks.begin(), ks.end());
  return out;
}

int main() {
  std::unordered_map<std::string, int> words;
  for (int i = 0; i < 5000; ++i) words["w" + std::to_string(i * 7919 % 10007)] = i % 23;
  auto inv = invert(words);
  std::set<long> fibs{Fib<10>::value, Fib<20>::value, Fib<40>::value, Fib<60>::value};
  Nest<double, 3> n;
  n.children.resize(4);
  for (auto &c : n.children) c.children.resize(3);
  std::vector<int> v(10000);
  std::iota(v.begin(), v.end(), 1);
  long total = std::accumulate(v.begin(), v.end(), 0L);
  std::printf("groups=%zu first=%s fibs=%zu last_fib=%ld nest=%.1f total=%ld\n", inv.size(),
              inv.begin()->second.front().c_str(), fibs.size(), *fibs.rbegin(), n.sum(), total);
  return 0;
}
