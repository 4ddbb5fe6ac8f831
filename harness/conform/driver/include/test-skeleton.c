/* The older name of the test driver, included as "../test-skeleton.c". Here
   TEST_FUNCTION is an expression (e.g. "do_test ()"), where the newer
   driver expects a function name: wrap it in one.  */
#ifdef TEST_FUNCTION
static int conform_skeleton_test(void) {
  return TEST_FUNCTION;
}
#undef TEST_FUNCTION
#define TEST_FUNCTION conform_skeleton_test
#endif
#include <support/test-driver.c>
