#include <gtest/gtest.h>

#include "allocscope/params.hpp"

using namespace allocscope;

namespace {

const std::vector<ParamSpec> kSpecs{
    {"ops", ParamType::Int, "100", "ops", 1, 1000},
    {"size", ParamType::Size, "4K", "size", 1, 1 << 30},
    {"ratio", ParamType::Double, "0.5", "ratio", 0, 1},
    {"on", ParamType::Bool, "false", "flag"},
    {"mode", ParamType::String, "a", "mode", -1, 1, {"a", "b"}},
};

TEST(Params, DefaultsAreFilledAndCanonical) {
  Params p = Params::resolve("w", kSpecs, {});
  EXPECT_EQ(p.i("ops"), 100);
  EXPECT_EQ(p.u("size"), 4096u);
  EXPECT_EQ(p.s("size"), "4096");
  EXPECT_DOUBLE_EQ(p.d("ratio"), 0.5);
  EXPECT_FALSE(p.b("on"));
  EXPECT_EQ(p.s("mode"), "a");
}

TEST(Params, GivenValuesAreValidated) {
  Params p = Params::resolve("w", kSpecs, {{"ops", "7"}, {"size", "2M"}, {"on", "yes"}, {"mode", "b"}});
  EXPECT_EQ(p.i("ops"), 7);
  EXPECT_EQ(p.u("size"), 2u << 20);
  EXPECT_TRUE(p.b("on"));
  EXPECT_EQ(p.s("mode"), "b");
}

TEST(Params, BadValuesThrowWithTheName) {
  auto fails = [](std::map<std::string, std::string> given, const std::string& fragment) {
    try {
      Params::resolve("w", kSpecs, given);
    } catch (const ParamError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
      return;
    }
    ADD_FAILURE() << "no error for " << given.begin()->first;
  };
  fails({{"ops", "0"}}, "out of range");
  fails({{"ops", "1001"}}, "out of range");
  fails({{"ops", "12x"}}, "not an integer");
  fails({{"size", "4Q"}}, "not a size");
  fails({{"size", "-1"}}, "not a size");
  fails({{"ratio", "nan"}}, "not a number");
  fails({{"on", "maybe"}}, "not a bool");
  fails({{"mode", "c"}}, "expected one of: a, b");
  fails({{"nope", "1"}}, "unknown parameter 'nope'; valid parameters: ops, size, ratio, on, mode");
}

TEST(Params, SizeParsing) {
  uint64_t v = 0;
  EXPECT_TRUE(parse_size("0", &v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(parse_size("64K", &v));
  EXPECT_EQ(v, 65536u);
  EXPECT_TRUE(parse_size("1G", &v));
  EXPECT_EQ(v, 1ull << 30);
  EXPECT_FALSE(parse_size("", &v));
  EXPECT_FALSE(parse_size("K", &v));
  EXPECT_FALSE(parse_size("99999999999999999999", &v));
  EXPECT_FALSE(parse_size("17179869184G", &v));  // overflows 64 bits
}

}  // namespace
