/* State of the running test shared by the driver's source files.  */
#ifndef CONFORM_DRIVER_STATE_H
#define CONFORM_DRIVER_STATE_H

/* Adds one to the failure count shared by every process of the test.  */
void conform_count_failure(void);

#endif
