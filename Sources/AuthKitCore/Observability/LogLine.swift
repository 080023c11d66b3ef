import Logging
#if canImport(Glibc)
import Glibc
#endif

/// One log event as one line: `logfmt` (`time=… level=info msg="signed in" user=user_01`) or a
/// JSON object with the same fields. Pure formatting; ``LineLogHandler`` writes the lines.
///
/// Field order is stable (time, level, msg, then the request's fields, then the event's, by
/// name) so lines diff and grep well. Values under names that suggest a secret are masked,
/// whatever the caller passed: a log line must never carry a token, cookie, key or password.
public enum LogLine {
    public static func format(
        _ format: AuthKitConfig.LogFormat, timeMillis: Int64, level: Logger.Level, message: String,
        fields: [(String, String)]
    ) -> String {
        var all: [(String, String)] = [("time", timestamp(millis: timeMillis)), ("level", level.rawValue), ("msg", message)]
        for (name, value) in fields { all.append((name, isSecretName(name) ? "(masked)" : value)) }
        switch format {
        case .logfmt:
            return all.map { "\($0.0)=\(logfmtValue($0.1))" }.joined(separator: " ")
        case .json:
            return JSONWriter.string(.object(all.map { ($0.0, .string($0.1)) }))
        }
    }

    /// A logfmt value: bare when it is a plain word, else quoted with `"` and `\` escaped and
    /// control characters written as escapes (a value can never break the line).
    static func logfmtValue(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { scalar in
            scalar.value > 0x20 && scalar.value != 0x7F && scalar != "\"" && scalar != "=" && scalar != "\\"
        }
        if plain { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    quoted += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }

    /// Field names whose values are secrets (`access_token`, `cookie`, `api_key`, …).
    static func isSecretName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return ["token", "cookie", "password", "secret", "api_key", "apikey", "authorization"].contains { lower.contains($0) }
    }

    /// RFC 3339 UTC with milliseconds: `2026-11-22T23:59:59.123Z`.
    public static func timestamp(millis: Int64) -> String {
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = Int(millis % 1000)
        let milli = fraction < 10 ? "00\(fraction)" : fraction < 100 ? "0\(fraction)" : "\(fraction)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(milli)Z"
    }
}
