import AuthKitSync

/// Idle CURL easy handles, shared by all threads of one ``CurlTransport``.
///
/// A request checks a handle out (or creates one when none is idle), uses it alone, and checks it
/// back in. Each easy handle keeps its own connection cache, so a handle that goes back to the pool
/// keeps its open keep-alive connection for the next request. At most ``idleCapacity`` handles
/// are kept idle; extra ones (after a burst of concurrency) are cleaned up, closing their
/// connections.
final class CurlHandlePool: Sendable {
    /// Idle handles kept by default: enough for the usual number of FastCGI worker threads.
    static let defaultIdleCapacity = 8

    /// The most idle handles kept between requests.
    let idleCapacity: Int
    private let idle = Locked<[CurlEasyHandle]>([])

    init(idleCapacity: Int = CurlHandlePool.defaultIdleCapacity) {
        self.idleCapacity = max(0, idleCapacity)
    }

    /// Runs `body` with a handle nobody else uses meanwhile, then returns the handle to the pool.
    func withHandle<Result, Failure: Error>(
        _ body: (CurlEasyHandle) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        let handle = idle.withLock { $0.popLast() } ?? CurlEasyHandle()
        defer { checkIn(handle) }
        return try body(handle)
    }

    /// Handles idle right now (for tests and diagnostics).
    var idleCount: Int { idle.withLock { $0.count } }

    private func checkIn(_ handle: CurlEasyHandle) {
        // A handle not kept is released outside the lock; its deinit runs curl_easy_cleanup.
        let surplus: CurlEasyHandle? = idle.withLock { handles in
            guard handles.count < idleCapacity else { return handle }
            handles.append(handle)
            return nil
        }
        _ = surplus
    }
}
