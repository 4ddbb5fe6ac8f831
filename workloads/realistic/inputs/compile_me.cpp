// A fixed translation unit for allocscope's g++ workload: templates,
// standard containers and algorithms give the compiler's own allocator a
// realistic load (many small tree nodes, hash tables, strings).
#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace sample {

template <typename K, typename V>
struct Table {
  std::map<K, std::vector<V>> rows;
  void add(const K& k, V v) { rows[k].push_back(std::move(v)); }
  template <typename F>
  auto fold(F f) const {
    std::vector<decltype(f(std::declval<const V&>()))> out;
    for (const auto& [k, vs] : rows)
      for (const auto& v : vs) out.push_back(f(v));
    return out;
  }
};

using Value = std::variant<int, double, std::string, std::vector<int>>;

std::string describe(const Value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, int>)
          return "int " + std::to_string(x);
        else if constexpr (std::is_same_v<T, double>)
          return "double " + std::to_string(x);
        else if constexpr (std::is_same_v<T, std::string>)
          return "string " + x;
        else
          return "vector of " + std::to_string(x.size());
      },
      v);
}

template <int N>
struct Fib {
  static constexpr long value = Fib<N - 1>::value + Fib<N - 2>::value;
};
template <>
struct Fib<1> {
  static constexpr long value = 1;
};
template <>
struct Fib<0> {
  static constexpr long value = 0;
};

template <typename T, int... Is>
auto make_table(std::integer_sequence<int, Is...>) {
  Table<int, T> t;
  (t.add(Is % 17, T(Is)), ...);
  return t;
}

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
      cur += c;
    else if (!cur.empty())
      out.push_back(std::move(cur)), cur.clear();
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

}  // namespace sample

int main(int argc, char** argv) {
  auto t = sample::make_table<double>(std::make_integer_sequence<int, 200>{});
  auto squares = t.fold([](double d) { return d * d; });
  std::unordered_map<std::string, int> counts;
  for (int i = 0; i < argc; ++i)
    for (const auto& w : sample::words(argv[i])) ++counts[w];
  std::set<std::string> keys;
  for (const auto& [k, v] : counts) keys.insert(k);
  std::ostringstream os;
  os << sample::Fib<40>::value << ' ' << std::accumulate(squares.begin(), squares.end(), 0.0) << ' ' << keys.size()
     << ' ' << sample::describe(sample::Value{std::vector<int>{1, 2, 3}});
  auto p = std::make_shared<std::string>(os.str());
  return static_cast<int>(p->size() % 2);
}
