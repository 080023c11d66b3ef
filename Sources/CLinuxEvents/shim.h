// Linux readiness APIs the FastCGI acceptor uses, which Swift's Glibc module leaves out: epoll
// and eventfd. Nothing that Glibc's module has (sys/socket.h) is included here: a header
// reached first through this module would hide its declarations from files importing Glibc alone.
#include <sys/epoll.h>
#include <sys/eventfd.h>

static inline int authkit_epoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }
static inline int authkit_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK); }

static const uint32_t authkit_epoll_in = EPOLLIN;
static const uint32_t authkit_epoll_rdhup = EPOLLRDHUP;
static const uint32_t authkit_epoll_hup = EPOLLHUP;
static const uint32_t authkit_epoll_err = EPOLLERR;
static const uint32_t authkit_epoll_et = EPOLLET;
static const uint32_t authkit_epoll_exclusive = EPOLLEXCLUSIVE;
static inline int authkit_semaphore_eventfd(void) { return eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE); }
