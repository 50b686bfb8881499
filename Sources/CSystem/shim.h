#ifndef ODDSNET_CSYSTEM_SHIM_H
#define ODDSNET_CSYSTEM_SHIM_H
/* Linux interfaces the Glibc module leaves out: epoll, eventfd, accept4 and sched_getcpu. */
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
#endif
