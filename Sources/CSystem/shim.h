#ifndef ODDSNET_CSYSTEM_SHIM_H
#define ODDSNET_CSYSTEM_SHIM_H
/* Linux interfaces the Glibc module leaves out: epoll, eventfd and accept4. */
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
#endif
