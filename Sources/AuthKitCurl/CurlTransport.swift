import AuthKitCore
import CCurl
import Synchronization

/// The production ``HTTPTransport``: libcurl from Debian (OpenSSL TLS, system CA bundle).
///
/// Easy handles are pooled: a request checks one out, runs on it and puts it back.
/// `curl_easy_reset` keeps a handle's live connections, so consecutive calls to WorkOS reuse
/// their TLS connection (keep-alive) without a shared connection cache and its locking.
/// Safe to use from any number of threads.
public final class CurlTransport: HTTPTransport {
    private let connectTimeoutMillis: Int
    private let totalTimeoutMillis: Int
    private let userAgent: String
    private let idle = Mutex<[EasyHandle]>([])
    private static let maximumIdleHandles = 16

    public init(connectTimeoutMillis: Int = 3000, totalTimeoutMillis: Int = 10000, userAgent: String) {
        CurlGlobal.initialise()
        self.connectTimeoutMillis = connectTimeoutMillis
        self.totalTimeoutMillis = totalTimeoutMillis
        self.userAgent = userAgent
    }

    public func send(_ request: HTTPRequest) throws(HTTPTransportError) -> HTTPResponse {
        let handle = idle.withLock { $0.popLast() } ?? EasyHandle()
        defer {
            let kept = idle.withLock { handles -> Bool in
                guard handles.count < Self.maximumIdleHandles else { return false }
                handles.append(handle)
                return true
            }
            if !kept { handle.close() }
        }
        return try handle.perform(request, connectTimeoutMillis: connectTimeoutMillis,
                                  totalTimeoutMillis: totalTimeoutMillis, userAgent: userAgent)
    }

    deinit {
        idle.withLock { handles in handles.forEach { $0.close() } }
    }
}

/// `curl_global_init`, once per process, before any thread uses libcurl.
enum CurlGlobal {
    private static let initialised: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK
    }()

    static func initialise() {
        precondition(initialised, "curl_global_init failed")
    }
}
