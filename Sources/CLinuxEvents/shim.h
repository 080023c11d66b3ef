// Linux readiness APIs the FastCGI acceptor uses, which Swift's Glibc module leaves out:
// epoll, eventfd, accept4.
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

// accept4 is declared only under _GNU_SOURCE, which the Glibc module is built without.
extern int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);

static inline int authkit_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
static inline int authkit_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }
static inline int authkit_accept(int fd, struct sockaddr *address, socklen_t *length) {
    return accept4(fd, address, length, SOCK_CLOEXEC);
}

static const uint32_t authkit_epoll_in = EPOLLIN;
static const uint32_t authkit_epoll_rdhup = EPOLLRDHUP;
static const uint32_t authkit_epoll_hup = EPOLLHUP;
static const uint32_t authkit_epoll_err = EPOLLERR;
static const uint32_t authkit_epoll_et = EPOLLET;
