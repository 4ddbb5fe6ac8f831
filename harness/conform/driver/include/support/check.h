/* Checks for glibc's malloc tests built by allocscope conform (the project's
   own implementation of the interface those tests expect). A failed check
   prints "error: FILE:LINE: ..." and is counted; the counted failures turn a
   passing exit status into a failure when the test ends.  */
#ifndef CONFORM_SUPPORT_CHECK_H
#define CONFORM_SUPPORT_CHECK_H

#include <sys/cdefs.h>

__BEGIN_DECLS

/* Counts one failure (in whichever process of the test it happens).  */
void support_record_failure(void);
/* Prints "error: FILE:LINE: MESSAGE", counts a failure; exits with STATUS
   when STATUS is not 0.  */
void conform_fail(int status, const char* file, int line, const char* format, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints "FILE:LINE: unsupported: MESSAGE" and exits with 77.  */
void conform_unsupported(const char* file, int line, const char* format, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
void conform_compare_failed(const char* file, int line, const char* left_expr, const char* right_expr,
                            unsigned long long left, int left_negative, unsigned long long right, int right_negative);

__END_DECLS

#define FAIL(...) conform_fail(0, __FILE__, __LINE__, __VA_ARGS__)
#define FAIL_RET(...)                                 \
  do {                                                \
    conform_fail(0, __FILE__, __LINE__, __VA_ARGS__); \
    return 1;                                         \
  } while (0)
#define FAIL_EXIT(status, ...) conform_fail((status), __FILE__, __LINE__, __VA_ARGS__)
#define FAIL_EXIT1(...) conform_fail(1, __FILE__, __LINE__, __VA_ARGS__)
#define FAIL_UNSUPPORTED(...) conform_unsupported(__FILE__, __LINE__, __VA_ARGS__)

#define TEST_VERIFY(expr)                                                    \
  do                                                                         \
    if (!(expr)) conform_fail(0, __FILE__, __LINE__, "not true: %s", #expr); \
  while (0)
#define TEST_VERIFY_EXIT(expr)                                               \
  do                                                                         \
    if (!(expr)) conform_fail(1, __FILE__, __LINE__, "not true: %s", #expr); \
  while (0)

/* Integer comparison that is exact across signedness: equal when both sides
   have the same sign and the same value.  */
#define TEST_COMPARE(left, right)                                                                                     \
  do {                                                                                                                \
    __typeof__(left) conform_left_ = (left);                                                                          \
    __typeof__(right) conform_right_ = (right);                                                                       \
    int conform_left_neg_ = conform_left_ < 0;                                                                        \
    int conform_right_neg_ = conform_right_ < 0;                                                                      \
    if (conform_left_neg_ != conform_right_neg_ ||                                                                    \
        (unsigned long long)conform_left_ != (unsigned long long)conform_right_)                                      \
      conform_compare_failed(__FILE__, __LINE__, #left, #right, (unsigned long long)conform_left_, conform_left_neg_, \
                             (unsigned long long)conform_right_, conform_right_neg_);                                 \
  } while (0)

#endif
