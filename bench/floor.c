/* The floor: a FastCGI authorizer that always allows, on libfcgi, as cheap as one can be.
 * No real adapter can answer an auth subrequest faster than this round trip.
 * Usage: floor <unix:/path.sock | :port> [threads] [quick]
 * quick: read the input to its end and close without libfcgi's lingering close, as
 * authkit-fcgi does (the benchmark's row 2b shows what that alone is worth).                 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int listen_socket;
static int quick_close;

static void *worker(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_socket, 0);
    while (FCGX_Accept_r(&request) >= 0) {
        FCGX_PutS("Status: 200 OK\r\n\r\n", request.out);
        if (quick_close) {
            char skip[4096];
            while (FCGX_GetStr(skip, sizeof skip, request.in) > 0) {}
            FCGX_Detach(&request);
        }
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: floor <unix:/path.sock | :port> [threads] [quick]\n"); return 2; }
    const char *address = strncmp(argv[1], "unix:", 5) == 0 ? argv[1] + 5 : argv[1];
    int threads = argc > 2 ? atoi(argv[2]) : 8;
    quick_close = argc > 3 && strcmp(argv[3], "quick") == 0;
    FCGX_Init();
    /* libfcgi turns SIGTERM into "shut down after the next request"; a benchmark wants it to stop now. */
    signal(SIGTERM, SIG_DFL);
    listen_socket = FCGX_OpenSocket(address, 1024);
    if (listen_socket < 0) { perror("FCGX_OpenSocket"); return 1; }
    pthread_t ids[64];
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, worker, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
