/// An injected fault (`POST /_emulate/hooks`), applied to requests whose path starts with
/// `path` (and whose method matches, when given):
///
/// ```json
/// {"path": "/user_management/authenticate", "method": "POST", "status": 429,
///  "body": {"message": "Too many requests"}, "headers": {"Retry-After": "3"},
///  "latency_ms": 200, "drop_connection": false, "times": 2, "after": false}
/// ```
///
/// Broken answers: `"raw_body": "{\"access_token\": \"ey"` sends that text byte for byte (status
/// 200 unless `status` says otherwise), e.g. malformed JSON; `"truncate_body": N` announces the
/// answer's whole `Content-Length`, sends its first N bytes and closes the connection (the
/// injected answer, or the endpoint's own).
///
/// All but `path` are optional. It waits `latency_ms`, then drops the connection, or answers
/// `status` (with `body`, default `{"message":"Injected fault"}`; a string holding JSON is that
/// JSON, other text becomes `{"message": text}`; and `headers`), or, with
/// neither, lets the request through late. `times` (alias `count`) limits it to the next N
/// matching calls; without it, it lasts until `DELETE /_emulate/hooks`. With `"after": true`
/// the endpoint runs first (a code or refresh token is consumed) and then the answer is
/// replaced or the connection dropped: the lost-response case idempotency keys exist for.
struct Fault: Sendable, Equatable {
    var id: Int
    var path: String
    var method: String?
    var status: Int?
    var body: JSONValue?
    var headers: [String: String]
    var latencyMs: Int
    var dropConnection: Bool
    /// Sent as it is instead of `body` (malformed JSON, HTML, nothing).
    var rawBody: String?
    /// Bytes of the answer's body sent before the connection is closed.
    var truncateBody: Int?
    /// Calls left; nil until cleared.
    var remaining: Int?
    var after: Bool

    /// Reads a hook from the control API's JSON; the message says what is wrong.
    static func parse(_ json: JSONValue, id: Int) -> Result<Fault, FaultError> {
        guard let object = json.objectValue else { return .failure(FaultError("expected a JSON object")) }
        guard let path = object["path"]?.stringValue, path.hasPrefix("/") else {
            return .failure(FaultError("\"path\" is required and starts with /, e.g. \"/user_management/authenticate\""))
        }
        let status = object["status"]?.intValue
        if let status, !(100...599).contains(status) { return .failure(FaultError("\"status\" must be an HTTP status")) }
        var headers: [String: String] = [:]
        for (name, value) in object["headers"]?.objectValue ?? [:] {
            headers[name] = value.stringValue ?? value.intValue.map(String.init)
        }
        let remaining = (object["times"] ?? object["count"])?.intValue
        if let remaining, remaining < 1 { return .failure(FaultError("\"times\" must be at least 1")) }
        let latency = object["latency_ms"]?.intValue ?? 0
        guard (0...60_000).contains(latency) else { return .failure(FaultError("\"latency_ms\" must be 0…60000")) }
        let rawBody = object["raw_body"]
        if let rawBody, rawBody.stringValue == nil { return .failure(FaultError("\"raw_body\" must be a string")) }
        let truncate = object["truncate_body"]
        if let truncate, (truncate.intValue ?? -1) < 0 { return .failure(FaultError("\"truncate_body\" must be a number of bytes, 0 or more")) }
        return .success(Fault(
            id: id, path: path, method: object["method"]?.stringValue?.uppercased(), status: status, body: object["body"].map(answerBody),
            headers: headers, latencyMs: latency, dropConnection: object["drop_connection"]?.boolValue ?? false,
            rawBody: rawBody?.stringValue, truncateBody: truncate?.intValue,
            remaining: remaining, after: object["after"]?.boolValue ?? false))
    }

    /// A body given as JSON text (`"{\"error\":…}"`) is that JSON; other text becomes
    /// `{"message": text}`; any other JSON value is sent as it is.
    private static func answerBody(_ body: JSONValue) -> JSONValue {
        guard case .string(let text) = body else { return body }
        return JSONValue.parse(Array(text.utf8)).flatMap { $0.objectValue == nil ? nil : $0 } ?? ["message": .string(text)]
    }

    func matches(path requestPath: String, method requestMethod: String) -> Bool {
        requestPath.hasPrefix(path) && (method == nil || method == requestMethod)
    }

    /// The injected answer, when this fault answers instead of the endpoint (a JSON body; see
    /// `rawBody` for one that is not).
    var reply: APIReply? {
        guard let status else { return rawBody == nil ? nil : APIReply(status: 200, body: .null, headers: headers) }
        return APIReply(status: status, body: body ?? ["message": "Injected fault"], headers: headers)
    }

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(id), "path": .string(path), "latency_ms": .int(latencyMs),
            "drop_connection": .bool(dropConnection), "after": .bool(after),
            "headers": .object(headers.mapValues(JSONValue.string)),
        ]
        object["method"] = method.map(JSONValue.string)
        object["status"] = status.map(JSONValue.int)
        object["body"] = body
        object["times"] = remaining.map(JSONValue.int)
        object["raw_body"] = rawBody.map(JSONValue.string)
        object["truncate_body"] = truncateBody.map(JSONValue.int)
        return .object(object)
    }
}

/// Why a hook was refused.
struct FaultError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}
