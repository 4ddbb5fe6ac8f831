/* main() for a test: included at the end of the test's source after the test
   defined do_test (or TEST_FUNCTION / TEST_FUNCTION_ARGV) and optionally
   PREPARE, EXPECTED_SIGNAL, EXPECTED_STATUS, TIMEOUT, TEST_NO_MALLOPT and
   TEST_NO_SETVBUF. The test runs in this process (see driver/README.md).  */
#include <support/test-driver.h>

#ifndef EXPECTED_SIGNAL
#define EXPECTED_SIGNAL 0
#endif
#ifndef EXPECTED_STATUS
#define EXPECTED_STATUS 0
#endif
#ifndef TIMEOUT
#define TIMEOUT DEFAULT_TIMEOUT
#endif
#ifdef TEST_NO_MALLOPT
#define CONFORM_NO_MALLOPT 1
#else
#define CONFORM_NO_MALLOPT 0
#endif
#ifdef TEST_NO_SETVBUF
#define CONFORM_NO_SETVBUF 1
#else
#define CONFORM_NO_SETVBUF 0
#endif

int main(int argc, char** argv) {
  (void)argc;
  (void)argv;
  conform_driver_start(EXPECTED_SIGNAL, EXPECTED_STATUS, TIMEOUT, CONFORM_NO_MALLOPT, CONFORM_NO_SETVBUF);
#ifdef PREPARE
  PREPARE(argc, argv);
#endif
#if defined(TEST_FUNCTION)
  int (*test_function)(void) = TEST_FUNCTION;
  int status = test_function();
#elif defined(TEST_FUNCTION_ARGV)
  int (*test_function)(int, char**) = TEST_FUNCTION_ARGV;
  int status = test_function(argc, argv);
#else
  int status = do_test();
#endif
  return conform_driver_finish(status);
}
