# Script mode (cmake -DSRC=... -DOUT=... -P GitRevision.cmake), run at every
# build: writes OUT, a header defining ALLOCSCOPE_GIT_REVISION as the source
# tree's `git rev-parse --short HEAD`, and touches it only when the revision
# changed.  A new commit then recompiles the one file that includes it, and
# results record the revision they were built from, not the one of the last
# configure.
cmake_minimum_required(VERSION 3.18)  # file(CONFIGURE); sets the policies of a script
execute_process(COMMAND git -C "${SRC}" rev-parse --short HEAD OUTPUT_VARIABLE rev
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT rev)
  set(rev unknown)
endif()
file(CONFIGURE OUTPUT "${OUT}" CONTENT "#define ALLOCSCOPE_GIT_REVISION \"@rev@\"\n" @ONLY)
