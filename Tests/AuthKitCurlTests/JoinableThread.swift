#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread that can be joined: the loopback server and the concurrency tests need real
/// threads whose end they can wait for (Dispatch would cap parallelism at the CPU count).
final class JoinableThread: Sendable {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    private let thread: pthread_t

    /// Starts `body` on a new thread at once.
    init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
            body.run()
            return nil
        }, context)
        precondition(started == 0, "pthread_create failed: \(started)")
        self.thread = thread
    }

    /// Waits for the thread to finish. Call once.
    func join() {
        pthread_join(thread, nil)
    }
}
