// Where the threads of a process are waiting, read from /proc: for a job
// killed at its time limit, so its record says what it was stuck on (a lock's
// futex, a pipe, a sleep, or running in user space) and in which file.
#pragma once

#include <sys/types.h>

#include <string>

namespace allocscope {

// One line per thread, at most `max_threads` (then "... N more"):
// "pid P tid T: S (sleeping) in futex [futex_wait_queue] at libx.so+0x1a2b".
// The state comes from task/T/stat, the system call and the user-space
// address of a blocked thread from task/T/syscall, the kernel function from
// task/T/wchan (or the top of task/T/stack when wchan is 0), the file from
// /proc/P/maps. "" when the process is gone.
std::string describe_threads(pid_t pid, size_t max_threads = 8);

// The name of a system call a thread may be found in on this architecture:
// the memory calls (memory_syscall_name) and those a thread blocks in
// ("syscall N" for others).
std::string syscall_name(long number);

// The file and offset of a user-space address, from a /proc/P/maps text
// ("" when no mapping holds it).
std::string mapped_file_offset(const std::string& maps, unsigned long addr);

}  // namespace allocscope
