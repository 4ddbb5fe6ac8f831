/* Number of elements of an array.  */
#ifndef CONFORM_ARRAY_LENGTH_H
#define CONFORM_ARRAY_LENGTH_H
#define array_length(a) (sizeof(a) / sizeof((a)[0]))
#define array_end(a) (&(a)[array_length(a)])
#endif
