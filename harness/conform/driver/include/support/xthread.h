/* pthread calls that exit with a message on error (the tests' xpthread_*).  */
#ifndef CONFORM_SUPPORT_XTHREAD_H
#define CONFORM_SUPPORT_XTHREAD_H

#include <pthread.h>
#include <sys/cdefs.h>

__BEGIN_DECLS

pthread_t xpthread_create(pthread_attr_t* attr, void* (*thread_func)(void*), void* closure);
void* xpthread_join(pthread_t thread);
void xpthread_detach(pthread_t thread);
void xpthread_kill(pthread_t thread, int signo);
void xpthread_mutex_lock(pthread_mutex_t* mutex);
void xpthread_mutex_unlock(pthread_mutex_t* mutex);
void xpthread_barrier_init(pthread_barrier_t* barrier, pthread_barrierattr_t* attr, unsigned int count);
void xpthread_barrier_destroy(pthread_barrier_t* barrier);
/* Returns what pthread_barrier_wait returned (PTHREAD_BARRIER_SERIAL_THREAD
   in exactly one thread).  */
int xpthread_barrier_wait(pthread_barrier_t* barrier);
void xpthread_barrierattr_init(pthread_barrierattr_t* attr);
void xpthread_barrierattr_setpshared(pthread_barrierattr_t* attr, int pshared);
void xpthread_barrierattr_destroy(pthread_barrierattr_t* attr);

__END_DECLS

#endif
