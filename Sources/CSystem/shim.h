#ifndef ODDSNET_CSYSTEM_SHIM_H
#define ODDSNET_CSYSTEM_SHIM_H
/* Linux interfaces the Glibc module leaves out: epoll, eventfd, accept4, sched_getcpu and
   thread names. */
#include <pthread.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/tcp.h>

extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

/* Thread names (glibc declares these only under _GNU_SOURCE): at most 15 bytes and a NUL. */
extern int pthread_setname_np(pthread_t thread, const char *name);
extern int pthread_getname_np(pthread_t thread, char *name, size_t length);

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

/* CRC-32C with the processor's own instruction (SSE 4.2 on x86-64), eight bytes a step:
   every feed frame is checksummed when it is made and when it is read. The caller keeps the
   pre- and post-inversion; oddsnet_crc32c_available says whether the instruction is there. */
#include <stddef.h>
#include <stdint.h>
#if defined(__x86_64__)
static inline int oddsnet_crc32c_available(void) {
    return __builtin_cpu_supports("sse4.2");
}

__attribute__((target("sse4.2")))
static inline uint32_t oddsnet_crc32c_update(uint32_t crc, const uint8_t *bytes, size_t count) {
    uint64_t wide = crc;
    while (count >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, bytes, 8);
        wide = __builtin_ia32_crc32di(wide, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t narrow = (uint32_t)wide;
    while (count > 0) {
        narrow = __builtin_ia32_crc32qi(narrow, *bytes);
        bytes += 1;
        count -= 1;
    }
    return narrow;
}
#else
static inline int oddsnet_crc32c_available(void) {
    return 0;
}

static inline uint32_t oddsnet_crc32c_update(uint32_t crc, const uint8_t *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return crc;
}
#endif
#endif
