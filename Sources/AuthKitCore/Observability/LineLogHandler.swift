import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The request a log event belongs to: bound around each request's handling (a task-local,
/// which works on plain threads too), so that events logged deep inside — a refresh, a code
/// exchange — carry the request id and path without every call passing them along.
public struct RequestLogContext: Sendable {
    /// nginx's `$request_id` (`REQUEST_ID` param), a client's `X-Request-Id`, or Apache's `UNIQUE_ID`.
    public var requestId: String?
    /// The request's path, without the query (which may carry codes and state).
    public var path: String?

    public init(requestId: String?, path: String?) {
        self.requestId = requestId
        self.path = path
    }

    @TaskLocal public static var current: RequestLogContext?

    var fields: [(String, String)] {
        var fields: [(String, String)] = []
        if let requestId { fields.append(("request_id", requestId)) }
        if let path { fields.append(("path", path)) }
        return fields
    }
}

/// A swift-log handler writing one ``LogLine`` per event to a file descriptor (stderr: the
/// journal under systemd, the error log under mod_fcgid and CGI), with one write(2) per line
/// so lines from concurrent threads never interleave.
public struct LineLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let format: AuthKitConfig.LogFormat
    private let descriptor: Int32

    public init(format: AuthKitConfig.LogFormat, level: Logger.Level = .info, descriptor: Int32 = STDERR_FILENO) {
        self.format = format
        self.logLevel = level
        self.descriptor = descriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var fields = RequestLogContext.current?.fields ?? []
        // One event, each field once: the request's own fields come first and are not repeated
        // by metadata that happens to carry them too.
        for (name, value) in merged.sorted(by: { $0.key < $1.key }) where !fields.contains(where: { $0.0 == name }) {
            fields.append((name, "\(value)"))
        }
        if event.level >= .error { fields.append(("source", "\(event.file.split(separator: "/").last ?? ""):\(event.line)")) }
        let line = LogLine.format(format, timeMillis: SystemClock().nowMillis(), level: event.level,
                                  message: "\(event.message)", fields: fields) + "\n"
        Descriptor.writeAll(Array(line.utf8), to: descriptor)
    }
}
