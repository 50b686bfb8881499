#ifndef ODDSNET_CSYSTEM_SHIM_H
#define ODDSNET_CSYSTEM_SHIM_H
/* Linux interfaces the Glibc module leaves out: epoll, eventfd, accept4, sched_getcpu, and
   atomic operations on plain memory (Swift's Atomic lives only in a stored property). */
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/tcp.h>

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

static inline int oddsnet_accept(int fd) {
    return accept4(fd, 0, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

static inline int oddsnet_epoll_fd(const struct epoll_event *event) {
    return event->data.fd;
}

/* The CPU the calling thread runs on (glibc reads it from the rseq area, without a system
   call); 0 when the kernel cannot say. */
extern int sched_getcpu(void);

static inline int oddsnet_current_cpu(void) {
    int cpu = sched_getcpu();
    return cpu < 0 ? 0 : cpu;
}

static inline void oddsnet_atomic_add_u64(uint64_t *cell, uint64_t amount) {
    __atomic_fetch_add(cell, amount, __ATOMIC_RELAXED);
}

static inline uint64_t oddsnet_atomic_load_u64(const uint64_t *cell) {
    return __atomic_load_n(cell, __ATOMIC_RELAXED);
}
#endif
