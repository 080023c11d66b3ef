#if canImport(Glibc)
import Glibc
#endif

/// A plain detached pthread, for work that blocks for the life of the process (a signal
/// waiter). Here rather than Foundation's `Thread`, which would pull Foundation and its ICU
/// data into the authkit-fcgi process for one call.
public enum DetachedThread {
    /// Starts `body` on a new detached thread; false if the system refused to create one.
    @discardableResult
    public static func start(_ body: @escaping @Sendable () -> Void) -> Bool {
        final class Box: Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body))
        let result = pthread_create(&thread, nil, { raw in
            Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue().body()
            return nil
        }, box.toOpaque())
        guard result == 0 else {
            box.release()
            return false
        }
        pthread_detach(thread)
        return true
    }
}
