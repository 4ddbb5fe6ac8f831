/* Compiler-diagnostic controls used by the tests; the tests are compiled
   with warnings off, so these do nothing.  */
#ifndef CONFORM_LIBC_DIAG_H
#define CONFORM_LIBC_DIAG_H
#define DIAG_PUSH_NEEDS_COMMENT
#define DIAG_POP_NEEDS_COMMENT
#define DIAG_IGNORE_NEEDS_COMMENT(version, option)
#define DIAG_PUSH_NEEDS_COMMENT_CLANG
#define DIAG_POP_NEEDS_COMMENT_CLANG
#define DIAG_IGNORE_NEEDS_COMMENT_CLANG(version, option)
#define DIAG_IGNORE_Os_NEEDS_COMMENT(version, option)
#endif
