import AuthKitCore

/// Renders an ``AuthResponse`` as CGI response output: `Status:` line, headers, blank line, body.
public enum GatewayResponse {
    public static func bytes(_ response: AuthResponse) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + response.body.count + response.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 })
        append("Status: ", to: &out)
        append(String(response.status), to: &out)
        out.append(UInt8(ascii: " "))
        append(reason(response.status), to: &out)
        append("\r\n", to: &out)
        for header in response.headers {
            append(header.name, to: &out)
            append(": ", to: &out)
            append(header.value, to: &out)
            append("\r\n", to: &out)
        }
        if !response.body.isEmpty, response.header("Content-Length") == nil {
            out += "Content-Length: \(response.body.count)\r\n".utf8
        }
        out += "\r\n".utf8
        out += response.body
        return out
    }

    /// Appends the string's UTF-8 in one copy (appending a `String.UTF8View` goes element by
    /// element; this runs for every header of every answer).
    private static func append(_ text: String, to out: inout [UInt8]) {
        var text = text
        text.withUTF8 { out.append(contentsOf: $0) }
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 302: "Found"
        case 303: "See Other"
        case 307: "Temporary Redirect"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: "Status"
        }
    }
}
