import CCurl

/// `curl_global_init`, exactly once per process, before any libcurl handle exists.
///
/// `curl_global_init` itself is not guaranteed to be thread-safe; a Swift `static let` is
/// initialised once, atomically (`swift_once`), however many threads reach it together, so every
/// path that creates a CURL handle goes through ``ensureInitialised()`` first. libcurl is never
/// cleaned up globally: the transport lives as long as the process.
enum CurlGlobal {
    private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Initialises libcurl on first call; later calls only check that the first one succeeded.
    static func ensureInitialised() {
        precondition(initialised, "curl_global_init failed")
    }
}
