// Matrix cases: C++ allocation and release that do not match. The element
// type has a destructor, so new[] stores the element count before the
// array and hands out a pointer 8 bytes into the block.
#include "harness/misuse/matrix_cxx.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#include "harness/misuse/matrix_common.hpp"
#include "harness/misuse/matrix_report.hpp"

namespace allocscope::misuse {

namespace {

volatile int g_cxx_sink;

struct Element {
  char bytes[16];
  ~Element() { g_cxx_sink = g_cxx_sink + bytes[0]; }
};

size_t count_for(size_t size) {
  return size < 32 ? 1 : size / sizeof(Element) - 1;
}

}  // namespace

int new_array_delete(size_t size) {
  Element* a = opaque(new Element[count_for(size)]);
  stage("misuse");
  delete opaque(a);
  return finish_unnoticed(size, "delete of a new[] array went through");
}

int new_delete_array(size_t size) {
  Element* e = opaque(new Element);
  (void)size;
  stage("misuse");
  delete[] opaque(e);
  return finish_unnoticed(size, "delete[] of a new object went through");
}

int new_array_free(size_t size) {
  Element* a = opaque(new Element[count_for(size)]);
  stage("misuse");
  std::free(opaque(a));
  return finish_unnoticed(size, "free of a new[] array went through");
}

int malloc_delete(size_t size) {
  auto* e = opaque(static_cast<Element*>(std::malloc(size)));
  std::memset(static_cast<void*>(e), 0, size);
  stage("misuse");
  delete opaque(e);
  return finish_unnoticed(size, "delete of a malloc'd block went through");
}

}  // namespace allocscope::misuse
