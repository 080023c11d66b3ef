// AuthRequest/AuthResponse header storage (a [String: String] of lower-case names; an array of
// name/value pairs) side by side with swift-http-types' HTTPFields and HTTPResponse.Status, doing
// what one uncached check does with headers: store the client headers nginx passes as HTTP_*,
// look up the ones the check reads, build the allow answer (14 identity headers, then the four
// cache-prevention headers replacing any already there) and render it as CGI output.
import AuthKitCore
import AuthKitFastCGI
import AuthKitGateway
import BuyMeasure
import HTTPTypes

// bench/core's nginx request: the client headers, as FastCGI parameter names and values.
let parameters: [(name: [UInt8], value: [UInt8])] = [
    ("HTTP_HOST", "app.example.com"),
    ("HTTP_USER_AGENT", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"),
    ("HTTP_ACCEPT", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"), ("HTTP_ACCEPT_LANGUAGE", "en-GB,en;q=0.9"),
    ("HTTP_ACCEPT_ENCODING", "gzip, deflate, br"), ("HTTP_SEC_FETCH_MODE", "navigate"), ("HTTP_SEC_FETCH_DEST", "document"),
    ("HTTP_COOKIE", "_ga=GA1.1.123456789.1700000000; theme=dark; wos-session=" + String(repeating: "Fe26.2*1*abc", count: 250)),
].map { (Array($0.0.utf8), Array($0.1.utf8)) }
/// What the check reads (NavigationClassifier, the cookie, bearer and origin checks), present or not.
let lookups = ["cookie", "authorization", "sec-fetch-mode", "sec-fetch-dest", "x-requested-with", "accept", "host", "origin"]
let lookupNames = lookups.map { HTTPField.Name($0)! }

/// `HTTP_SEC_FETCH_MODE` → `sec-fetch-mode`, as GatewayRequest does it; the same for both sides.
func headerName(_ name: [UInt8]) -> String {
    String(unsafeUninitializedCapacity: name.count - 5) { out in
        for index in 0..<(name.count - 5) {
            let byte = name[index + 5]
            out[index] = byte == UInt8(ascii: "_") ? UInt8(ascii: "-") : (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        return name.count - 5
    }
}

func requestOurs() -> Int {
    var headers: [String: String] = [:]
    headers.reserveCapacity(16)
    for (name, value) in parameters { headers[headerName(name)] = String(decoding: value, as: UTF8.self) }
    let request = AuthRequest(method: "GET", requestURI: "/protected/report.html", headers: headers)
    return lookups.reduce(0) { $0 + (request.header($1)?.utf8.count ?? 0) }
}

func requestHTTPTypes() -> Int {
    var fields = HTTPFields()
    fields.reserveCapacity(16)
    for (name, value) in parameters {
        // A name that is not an HTTP token cannot be stored: the gateway would have to drop it.
        guard let name = HTTPField.Name(headerName(name)) else { continue }
        fields.append(HTTPField(name: name, value: String(decoding: value, as: UTF8.self)))
    }
    return lookupNames.reduce(0) { $0 + (fields[$1]?.utf8.count ?? 0) }
}

// The allow answer: every identity header (empty when the session has no value), then caching.
let identityNames = ["X-AuthKit-User-Id", "X-AuthKit-User-Email", "X-AuthKit-User-First-Name", "X-AuthKit-User-Last-Name",
                     "X-AuthKit-Session-Id", "X-AuthKit-Organization-Id", "X-AuthKit-Role", "X-AuthKit-Roles", "X-AuthKit-Permissions",
                     "X-AuthKit-Entitlements", "X-AuthKit-Feature-Flags", "X-AuthKit-Impersonator-Email", "X-AuthKit-Api-Key-Id",
                     "X-AuthKit-Api-Key-Name"]
let identityValues = ["user_01H5JQDV7R7ATEYZDEG0W5PRYS", "test01@example.com", "Test 01", "User", "session_01HBENCHSESSION0000000000",
                      "org_01HRDMC6CM357W30QMHMQ96Q0S", "admin", "admin,member", (1...40).map { "resource_\($0):read" }.joined(separator: ","),
                      "audit-logs,sso", "beta-dashboard,new-billing", "admin@foocorp.com", "", ""]
// Adopted, the names would be static constants, made once.
let identityFieldNames = identityNames.map { HTTPField.Name($0)! }
let cacheFields: [HTTPField] = AuthResponse.cachePreventionHeaders().map { HTTPField(name: HTTPField.Name($0.name)!, value: $0.value) }
let cacheFieldNames = cacheFields.map(\.name)

func responseOurs() -> [UInt8] {
    var response = AuthResponse(status: 200, headers: zip(identityNames, identityValues).map { ($0, $1) })
    response.addCachePrevention()
    return GatewayResponse.bytes(response)
}

func responseHTTPTypes() -> [UInt8] {
    let status = HTTPResponse.Status.ok
    var fields = HTTPFields()
    fields.reserveCapacity(identityFieldNames.count + cacheFields.count)
    for (name, value) in zip(identityFieldNames, identityValues) { fields.append(HTTPField(name: name, value: value)) }
    for name in cacheFieldNames { fields[name] = nil }
    fields.append(contentsOf: cacheFields)
    // GatewayResponse.bytes over HTTPFields: the same appends, the reason phrase from the status.
    var out: [UInt8] = []
    out.reserveCapacity(256 + fields.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 })
    out += "Status: ".utf8
    out += String(status.code).utf8
    out.append(UInt8(ascii: " "))
    out += status.reasonPhrase.utf8
    out += "\r\n".utf8
    for field in fields {
        var name = field.name.rawName
        name.withUTF8 { out.append(contentsOf: $0) }
        out += ": ".utf8
        var value = field.value
        value.withUTF8 { out.append(contentsOf: $0) }
        out += "\r\n".utf8
    }
    out += "\r\n".utf8
    return out
}

precondition(requestOurs() == requestHTTPTypes(), "the two read different headers")
precondition(responseOurs() == responseHTTPTypes(), "the two render different answers")

let results = [
    pair("request: store 8 client headers, 8 lookups", iterations: 50000,
         ours: { blackHole(requestOurs()) }, library: { blackHole(requestHTTPTypes()) }),
    pair("answer: 14 identity + 4 cache headers, rendered", iterations: 50000,
         ours: { blackHole(responseOurs()) }, library: { blackHole(responseHTTPTypes()) }),
]
printTable("AuthRequest/AuthResponse headers vs swift-http-types 1.8.0 HTTPFields", library: "HTTPFields", results)
let delta = results.reduce(0) { $0 + $1.libraryMicros - $1.oursMicros }
print("header work per check: ours \(format(results.reduce(0) { $0 + $1.oursMicros })) µs, HTTPFields \(format(results.reduce(0) { $0 + $1.libraryMicros })) µs, difference \(delta >= 0 ? "+" : "")\(format(delta)) µs")
