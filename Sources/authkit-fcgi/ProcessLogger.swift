import AuthKitCore
import Logging

extension Logger {
    /// The process's logger: one line an event on stderr (``LineLogHandler``), at `level`.
    static func process(format: AuthKitConfig.LogFormat, level: Logger.Level) -> Logger {
        var logger = Logger(label: "authkit-fcgi", factory: { _ in LineLogHandler(format: format, level: level) })
        logger.logLevel = level
        return logger
    }
}
