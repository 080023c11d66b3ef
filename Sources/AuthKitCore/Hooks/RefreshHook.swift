import AuthKitSync
import Logging

/// authkit's `onSessionRefreshSuccess` / `onSessionRefreshError` for sites without code: each
/// refresh this process performs (and each failed one) is POSTed as a ``RefreshEvent`` to
/// `AUTHKIT_ON_REFRESH_SUCCESS_URL` / `AUTHKIT_ON_REFRESH_ERROR_URL`, signed by ``HookSigner``.
///
/// Off the request path: a check only appends to a bounded queue (never waits; a full queue
/// drops the event and counts it), and one sender thread delivers, retrying a failed delivery
/// after `base·2ⁿ` (capped) up to `maxAttempts` times. A slow or dead receiver therefore costs
/// events, never check latency. Counted in `authkit_refresh_hook_events_total{outcome}`.
public final class RefreshHook: Sendable {
    public struct Settings: Sendable {
        public var successURL: String?
        public var errorURL: String?
        public var secret: String
        /// Events waiting at most; more are dropped.
        public var capacity = 1000
        /// Deliveries tried per event, the first included.
        public var maxAttempts = 5
        public var baseDelayMillis: Int64 = 500
        public var maxDelayMillis: Int64 = 30_000

        public init(successURL: String?, errorURL: String?, secret: String) {
            self.successURL = successURL
            self.errorURL = errorURL
            self.secret = secret
        }
    }

    private struct Queue {
        var events: [RefreshEvent] = []
        var dropped = 0
    }

    public let settings: Settings
    private let signer: HookSigner
    private let transport: any HTTPTransport
    private let sleeper: any Sleeper
    private let clock: any WallClock
    private let metrics: AuthKitMetrics
    private let logger: Logger
    private let queue = Locked(Queue())
    private let wakeup = Wakeup()

    public init(settings: Settings, transport: any HTTPTransport, clock: any WallClock, sleeper: any Sleeper = ThreadSleeper(),
                metrics: AuthKitMetrics, logger: Logger) {
        self.settings = settings
        self.signer = HookSigner(secret: settings.secret, clock: clock)
        self.transport = transport
        self.sleeper = sleeper
        self.clock = clock
        self.metrics = metrics
        self.logger = logger
    }

    /// Where `event` goes, nil when its kind has no hook.
    func url(for event: RefreshEvent) -> String? { event.failure == nil ? settings.successURL : settings.errorURL }

    /// Hands `event` to the sender; never blocks. A full queue drops it (counted, and logged
    /// at the first drop and every 1000th after).
    public func enqueue(_ event: RefreshEvent) {
        guard url(for: event) != nil else { return }
        let dropped = queue.withLock { queue -> Int? in
            guard queue.events.count < settings.capacity else {
                queue.dropped += 1
                return queue.dropped
            }
            queue.events.append(event)
            return nil
        }
        guard let dropped else { return wakeup.post() }
        metrics.countRefreshHook(.dropped)
        if dropped % 1000 == 1 {
            logger.warning("refresh hook queue full, dropping events", metadata: [
                "capacity": "\(settings.capacity)", "dropped": "\(dropped)", "fix": "check that the refresh hook receiver answers",
            ])
        }
    }

    /// Events waiting for the sender.
    public var pending: Int { queue.withLock { $0.events.count } }

    /// Starts the sender thread (FastCGI mode); false if the system refused a thread.
    @discardableResult
    public func startSender() -> Bool {
        DetachedThread.start { [self] in
            while true {
                wakeup.wait()
                if let event = take() { deliver(event) }
            }
        }
    }

    private func take() -> RefreshEvent? {
        queue.withLock { $0.events.isEmpty ? nil : $0.events.removeFirst() }
    }

    /// The wait before attempt `retry + 1` (0-based retries): `base·2^retry`, at most the cap.
    func backoff(retry: Int) -> Int64 {
        var wait = settings.baseDelayMillis
        for _ in 0..<retry where wait < settings.maxDelayMillis { wait = wait.multipliedClamped(by: 2) }
        return min(wait, settings.maxDelayMillis)
    }

    /// Delivers one event: a 2xx answer is delivered; anything else is retried with backoff
    /// up to `attempts`, then counted failed. Each attempt is signed afresh (a current `t`).
    @discardableResult
    public func deliver(_ event: RefreshEvent, attempts: Int? = nil) -> Bool {
        guard let url = url(for: event) else { return false }
        let tries = max(1, attempts ?? settings.maxAttempts)
        var why = ""
        for attempt in 0..<tries {
            if attempt > 0 { sleeper.sleep(millis: backoff(retry: attempt - 1)) }
            do {
                let answer = try transport.send(signer.request(url: url, json: event.json))
                if (200...299).contains(answer.status) {
                    metrics.countRefreshHook(.sent)
                    return true
                }
                why = "HTTP \(answer.status)"
            } catch {
                why = "\(error)"
            }
        }
        metrics.countRefreshHook(.failed)
        logger.warning("refresh hook not delivered", metadata: [
            "event": "\(event.name)", "user": "\(event.userId)", "attempts": "\(tries)", "error": "\(why)",
        ])
        return false
    }

    /// CGI mode (no thread outlives the request): delivers what is queued, one attempt each,
    /// while `budgetMillis` lasts; the rest is counted failed.
    public func drain(budgetMillis: Int64) {
        let start = clock.nowMillis()
        while let event = take() {
            if clock.nowMillis() - start < budgetMillis {
                deliver(event, attempts: 1)
            } else {
                metrics.countRefreshHook(.failed)
            }
        }
    }
}
