import Foundation

/// The emulator's time: the system clock shifted by `/_emulate/clock`, so tests can age
/// tokens and codes without waiting.
struct EmulatorClock: Sendable {
    var offsetSeconds: Double = 0

    var now: Date { Date().addingTimeInterval(offsetSeconds) }
    var unixSeconds: Int { Int(now.timeIntervalSince1970) }
}
