/// How long the supervisor waits before restarting a worker that died: not at all, unless it
/// died more than ``limit`` times within ``window`` seconds; then 0.5 s, doubling with every
/// further crash in the window, at most ``longest`` s. It never gives up: a worker that cannot
/// stay up is restarted every few seconds, and each restart is logged.
struct RestartBackoff {
    static let limit = 5
    static let window = 10.0
    static let longest = 5.0

    /// Times (seconds, monotonic) of the crashes within the window.
    private var crashes: [Double] = []

    /// Records a crash at `now`; returns the wait before the next start, 0 for at once.
    mutating func delay(afterCrashAt now: Double) -> Double {
        crashes = crashes.filter { now - $0 < Self.window } + [now]
        let beyond = crashes.count - Self.limit
        guard beyond > 0 else { return 0 }
        return min(0.5 * Double(1 << min(beyond - 1, 8)), Self.longest)
    }

    /// Crashes within the window, the last one included.
    var recentCrashes: Int { crashes.count }
}
