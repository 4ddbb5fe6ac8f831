/* pthread wrappers that exit with a message on error (support/xthread.h).  */
#include <signal.h>
#include <string.h>
#include <support/check.h>
#include <support/xthread.h>

/* pthread functions return the error number instead of setting errno.  */
static void check_ret(int ret, const char* what) {
  if (ret != 0) FAIL_EXIT1("%s: %s", what, strerror(ret));
}

pthread_t xpthread_create(pthread_attr_t* attr, void* (*thread_func)(void*), void* closure) {
  pthread_t t;
  check_ret(pthread_create(&t, attr, thread_func, closure), "pthread_create");
  return t;
}

void* xpthread_join(pthread_t thread) {
  void* result;
  check_ret(pthread_join(thread, &result), "pthread_join");
  return result;
}

void xpthread_detach(pthread_t thread) {
  check_ret(pthread_detach(thread), "pthread_detach");
}

void xpthread_kill(pthread_t thread, int signo) {
  check_ret(pthread_kill(thread, signo), "pthread_kill");
}

void xpthread_mutex_lock(pthread_mutex_t* mutex) {
  check_ret(pthread_mutex_lock(mutex), "pthread_mutex_lock");
}

void xpthread_mutex_unlock(pthread_mutex_t* mutex) {
  check_ret(pthread_mutex_unlock(mutex), "pthread_mutex_unlock");
}

void xpthread_barrier_init(pthread_barrier_t* barrier, pthread_barrierattr_t* attr, unsigned int count) {
  check_ret(pthread_barrier_init(barrier, attr, count), "pthread_barrier_init");
}

void xpthread_barrier_destroy(pthread_barrier_t* barrier) {
  check_ret(pthread_barrier_destroy(barrier), "pthread_barrier_destroy");
}

int xpthread_barrier_wait(pthread_barrier_t* barrier) {
  int ret = pthread_barrier_wait(barrier);
  if (ret != 0 && ret != PTHREAD_BARRIER_SERIAL_THREAD) check_ret(ret, "pthread_barrier_wait");
  return ret;
}

void xpthread_barrierattr_init(pthread_barrierattr_t* attr) {
  check_ret(pthread_barrierattr_init(attr), "pthread_barrierattr_init");
}

void xpthread_barrierattr_setpshared(pthread_barrierattr_t* attr, int pshared) {
  check_ret(pthread_barrierattr_setpshared(attr, pshared), "pthread_barrierattr_setpshared");
}

void xpthread_barrierattr_destroy(pthread_barrierattr_t* attr) {
  check_ret(pthread_barrierattr_destroy(attr), "pthread_barrierattr_destroy");
}
