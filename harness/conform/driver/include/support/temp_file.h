/* Temporary files removed when the test's main process exits.  */
#ifndef CONFORM_SUPPORT_TEMP_FILE_H
#define CONFORM_SUPPORT_TEMP_FILE_H

#include <sys/cdefs.h>

__BEGIN_DECLS

/* Creates a file named after BASE in $TMPDIR (or /tmp), open for reading and
   writing; stores its malloc'd name in *FILENAME when FILENAME is not NULL.
   Returns the descriptor, or -1 with errno set.  */
int create_temp_file(const char* base, char** filename);
/* Removes NAME at exit too.  */
void add_temp_file(const char* name);

__END_DECLS

#endif
