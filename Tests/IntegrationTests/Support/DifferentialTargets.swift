import Foundation

/// One request of the differential harness: the request target exactly as it goes on the wire.
struct DifferentialProbe: Sendable {
    let target: [UInt8]
    let http10: Bool
    /// Send browser-navigation headers (`Accept: text/html`, `Sec-Fetch-Mode: navigate`).
    let navigation: Bool
}

/// A deterministic (seeded) generator of hostile request targets built from the real paths of
/// `DifferentialTree`: dot segments in every spelling, escaped and doubled slashes, backslashes,
/// `#`/`?`/`;` tails, NUL and controls, overlong and invalid UTF-8, grapheme-glue characters
/// after `/` and `.` (raw and escaped), case changes, absolute-form, trailing dots, long paths.
///
///     let probes = DifferentialTargets.generate(count: 10_000, seed: 20, authority: "127.0.0.1:8080")
///
/// `extra`: targets that depend on the run (`DifferentialTree.argumentTargets(root:)`).
///
/// The same count, seed and authority always give the same targets, in the same order; the
/// first ones are a fixed list (every file, the known bypasses), the rest random combinations.
enum DifferentialTargets {
    /// `extra` targets go first, after the fixed list.
    static func generate(count: Int, seed: UInt64, authority: String, extra: [String] = []) -> [DifferentialProbe] {
        var random = SplitMix64(seed: seed)
        var seen = Set<[UInt8]>()
        var probes: [DifferentialProbe] = []
        func add(_ target: [UInt8]) {
            guard probes.count < count, !target.isEmpty, seen.insert(target).inserted else { return }
            probes.append(DifferentialProbe(target: target, http10: random.below(5) == 0, navigation: random.below(5) < 2))
        }
        for target in fixedTargets(authority: authority) + extra { add(Array(target.utf8)) }
        var attempts = 0
        while probes.count < count, attempts < count * 20 {
            attempts += 1
            add(randomTarget(&random, authority: authority))
        }
        return probes
    }

    // MARK: - The fixed part

    static func fixedTargets(authority: String) -> [String] {
        var targets = ["/", "/auth/health"]
        for file in DifferentialTree.files { targets.append(percentEncoded(file.path)) }
        for directory in DifferentialTree.directories { targets.append(percentEncoded(directory)) }
        targets += [
            // The two known bypasses (issue 20).
            "/admin/secret.txt#/../../auth/callback",
            "/site/public/%2e%2e/%CC%B8/%2e%2e/secret.txt",
            "/site/secret.txt#/../public/ok.txt",
            "/admin/secret.txt#/../public/ok.txt",
            "/site/public/%2e%2e/\u{338}/%2e%2e/secret.txt",
            "/admin/public/%2e%2e/%CC%B8/%2e%2e/secret.txt",
            "/site/public;/../secret.txt",
            "/site/public/..;/secret.txt",
            "/site/public/%2e%2e%2fsecret.txt",
            "/site/public/..%2fsecret.txt",
            "/site/public/..%5csecret.txt",
            "/site/public/..\\secret.txt",
            "/site/public/%252e%252e/secret.txt",
            "/site/public/%c0%ae%c0%ae/secret.txt",
            "/site/public/%e0%80%ae%e0%80%ae/secret.txt",
            "/site/secret.txt%23/../public/ok.txt",
            "/site/secret.txt?/../public/ok.txt",
            "/site/secret.txt%3f/../public/ok.txt",
            "/site/secret.txt%00/../public/ok.txt",
            "http://\(authority)/site/public/../secret.txt",
            "http://\(authority)/admin/secret.txt#/../../auth/callback",
            "//site/secret.txt",
            "/site//public/../secret.txt",
        ]
        return targets
    }

    // MARK: - The random part

    /// Spellings of a `..` segment, as a server or a confused checker may read it.
    static let dotDots = [
        "..", "..", "..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "%2E.", ".%2E", "%252e%252e", "%252E%252E", ".%252e",
        "%c0%ae%c0%ae", "%e0%80%ae%e0%80%ae", "%c0%2e%c0%2e", "%c0.%c0.", "..;", "..;x=1", "..%00", "..%01", "...",
        "..%20", "..%09", "..\\", "..%5c", "..%2f", "..%u002e", "%2e%2e%2f", "..\u{301}", ".\u{338}.",
    ]

    /// Spellings of `/` between segments.
    static let separators = [
        "/", "/", "/", "/", "//", "///", "\\", "%5c", "%5C", "%2f", "%2F", "%252f", "/./", "/%2e/", "/.%2f", ";/", "/;/", "/;x/",
        "%c0%af", "%e0%80%af", "/%00/",
    ]

    /// Characters that Unicode grapheme breaking glues to the character before them.
    static let glue: [[Unicode.Scalar]] = [
        [0x300], [0x301], [0x308], [0x338], [0x36F], [0x200D], [0x200C], [0xFE0F], [0xFE0E], [0xE0100], [0x1160], [0x11A8],
        [0x1161], [0x1F3FB], [0x1F3FF], [0x903], [0x94D], [0xE33], [0x1F1E6], [0x1F1E6, 0x1F1E8], [0x200D, 0x1F5E8],
        [0x34F], [0x20DD], [0x180B],
    ].map { $0.map { Unicode.Scalar($0)! } }

    /// Characters that look like `.` or `/` without being them.
    static let lookAlikes: [Unicode.Scalar] = [0x2024, 0xFF0E, 0xFE52, 0x2215, 0x2044, 0xFF0F, 0x29F8].map { Unicode.Scalar($0)! }

    /// Where a tail after a cut point (`#`, `?`, `;`, NUL, …) may point.
    static let tailDestinations = [
        "auth/callback", "auth/sign-in", "auth/health", "auth/", "site/public/ok.txt", "site/public/", "admin/public/ok.txt",
        "admin/public/", "proxied/public/ok.txt", "pub/ok.txt", "index.html", "public/ok.txt", "public/", "",
    ]

    /// What may cut a path short for one reader and not for another.
    static let cuts = ["#", "#", "%23", "?", "%3f", "%3F", ";", "%3b", "%00", "%0a", "%0d%0a", "%09", "%20", " ", "\\", "%5c", "%2f", "&", "%25", "%"]

    static let protectedFiles = DifferentialTree.files.filter { $0.access != .publicFile }.map(\.path)
    static let allFiles = DifferentialTree.files.map(\.path)
    static let publicDirectories = DifferentialTree.directories.filter { $0.contains("/public/") || $0.contains("/café/") || $0 == "/pub/" }
    static let allDirectories = DifferentialTree.directories

    static func randomTarget(_ random: inout SplitMix64, authority: String) -> [UInt8] {
        var target: [UInt8]
        switch random.below(10) {
        case 0...3: target = escape(&random)
        case 4...6: target = tail(&random)
        case 7: target = parameters(&random)
        default: target = Array(percentEncoded(random.pick(allFiles + allDirectories)).utf8)
        }
        for _ in 0..<random.pick([0, 0, 1, 1, 2, 3]) { target = mutate(target, &random) }
        if random.below(12) == 0 { target = absoluteForm(&random, authority: authority) + target }
        if random.below(40) == 0 { target = long(target, &random) }
        return target
    }

    /// Start in a folder (often a public one), climb out with `..` spellings, walk to a file;
    /// sometimes a glue segment and a `..` in between (`/site/public/../X/../secret.txt`).
    static func escape(_ random: inout SplitMix64) -> [UInt8] {
        let start = random.below(3) == 0 ? random.pick(allDirectories) : random.pick(publicDirectories)
        let destination = random.below(4) == 0 ? random.pick(allFiles + allDirectories) : random.pick(protectedFiles)
        let startParts = start.split(separator: "/").map(String.init)
        let destinationParts = destination.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        var common = 0
        while common < startParts.count, common < destinationParts.count - 1, startParts[common] == destinationParts[common] { common += 1 }
        // Climb to the common folder, or further (to the root, or above it).
        var ups = startParts.count - common
        var rest = Array(destinationParts[common...])
        switch random.below(6) {
        case 0: ups = startParts.count; rest = destinationParts
        case 1: ups = startParts.count + 1 + random.below(3); rest = destinationParts
        default: break
        }
        var text = Array(encodeSome(start, &random).utf8)
        let sep = random.below(3) == 0 ? random.pick(separators) : "/"
        // A segment the server climbs out of again, glued to the slash before it: after a `..`
        // that slash vanishes for a grapheme-splitting reader, and so does the climb.
        func glued() -> [UInt8] {
            glueBytes(&random) + Array(random.pick(["", "", "x", ".", ".."]).utf8) + Array(sep.utf8) + Array(random.pick(dotDots).utf8) + Array(sep.utf8)
        }
        for index in 0..<ups {
            if random.below(6) == 0 { text += glued() }
            if random.below(8) == 0 { text += Array(random.pick(["./", "%2e/", "/", ".%2f"]).utf8) }
            text += Array(random.pick(dotDots).utf8)
            text += Array((index == ups - 1 && random.below(2) == 0 ? "/" : (random.below(4) == 0 ? random.pick(separators) : sep)).utf8)
            if random.below(3) == 0 { text += glued() }
        }
        text += Array(encodeSome(rest.joined(separator: "/"), &random).utf8)
        return text
    }

    /// A protected path, then a cut (`#`, `%23`, `?`, `;`, NUL, …) and a path that climbs to
    /// something public: `/admin/secret.txt#/../../auth/callback`.
    static func tail(_ random: inout SplitMix64) -> [UInt8] {
        let base = random.below(4) == 0 ? random.pick(allDirectories) : random.pick(protectedFiles)
        var text = Array(encodeSome(base, &random).utf8)
        text += Array(random.pick(cuts).utf8)
        if random.below(6) != 0 { text += Array("/".utf8) }
        // Mostly the climbs that reach the root from the base (the cut and what precedes it
        // taken as one more segment), sometimes one fewer or more.
        let depth = base.split(separator: "/").count + (base.hasSuffix("/") ? 1 : 0)
        let climbs = max(0, random.below(3) == 0 ? random.below(5) : depth + random.pick([0, 0, 0, -1, 1]))
        for _ in 0..<climbs { text += Array(random.pick(dotDots).utf8) + Array((random.below(4) == 0 ? random.pick(separators) : "/").utf8) }
        text += Array(random.pick(tailDestinations).utf8)
        return text
    }

    /// `;` path parameters where a segment ends: `/site/public;/../secret.txt`, `/site/secret.txt;/public/`.
    static func parameters(_ random: inout SplitMix64) -> [UInt8] {
        let publicDirectory = random.pick(publicDirectories)
        let protected = random.pick(protectedFiles)
        let parameter = random.pick([";", ";x", ";jsessionid=1", ";/", "%3b", ";.."])
        switch random.below(3) {
        case 0:
            // /site/public;/../secret.txt
            let trimmed = String(publicDirectory.dropLast())
            let name = protected.split(separator: "/").last.map(String.init) ?? "secret.txt"
            return Array((trimmed + parameter + "/" + random.pick(dotDots) + "/" + percentEncoded(name)).utf8)
        case 1:
            // /site/secret.txt;/../public/ok.txt
            return Array((percentEncoded(protected) + parameter + "/../" + random.pick(["public/ok.txt", "public/", "../site/public/ok.txt"])).utf8)
        default:
            // /site/public/..;/secret.txt
            let climbs = (1...(1 + random.below(3))).map { _ in random.pick(["..;", "..;x", "..;/..", ".;", "..%3b"]) }.joined(separator: "/")
            let name = protected.split(separator: "/").dropFirst().joined(separator: "/")
            return Array((publicDirectory + climbs + "/" + percentEncoded(name)).utf8)
        }
    }

    /// One random change anywhere in the target.
    static func mutate(_ target: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = target
        let slashes = bytes.indices.filter { bytes[$0] == UInt8(ascii: "/") }
        let dots = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        switch random.below(11) {
        case 0, 1:
            // Grapheme glue right after a `/` or a `.`, raw or escaped.
            let marks = dots.isEmpty || random.below(3) != 0 ? slashes : dots
            guard let at = marks.isEmpty ? nil : random.pick(marks) else { return bytes }
            bytes.insert(contentsOf: glueBytes(&random), at: at + 1)
        case 2:
            // A control character, NUL or an invalid UTF-8 byte somewhere, raw or escaped.
            let bad = random.pick(["%00", "%01", "%1f", "%7f", "%ff", "%80", "%c0", "%ed%a0%80", "%f8%88%80%80%80", "\u{1}", "\u{7f}", "\t", "%0a", "%0d"])
            var inserted = Array(bad.utf8)
            if random.below(6) == 0 { inserted = [random.pick([0x80, 0xff, 0xc0, 0xfe, 0x00, 0x0b])] }
            bytes.insert(contentsOf: inserted, at: random.below(bytes.count + 1))
        case 3:
            // Upper-case a segment, or the whole path.
            if random.below(2) == 0 || slashes.count < 2 {
                bytes = bytes.map { (97...122).contains($0) ? $0 - 32 : $0 }
            } else {
                let from = random.pick(Array(slashes.dropLast())), to = slashes.first { $0 > from } ?? bytes.count
                for index in from..<to where (97...122).contains(bytes[index]) { bytes[index] -= 32 }
            }
        case 4:
            // Trailing dots, slashes, escapes.
            bytes += Array(random.pick([".", "..", "/", "//", "/.", "/..", "%2e", "%20", " ", ";", "%00", "~", "::$DATA", "%2f", "\\", "?", "#"]).utf8)
        case 5:
            // Double a slash, or turn it into a backslash or an escape.
            guard let at = slashes.isEmpty ? nil : random.pick(slashes) else { return bytes }
            bytes.replaceSubrange(at...at, with: Array(random.pick(["//", "///", "\\", "%5c", "%2f", "%2F", "%252f", "/./"]).utf8))
        case 6:
            // Escape one more character: single, upper or lower hex, double-escaped or overlong.
            let plain = bytes.indices.filter { (97...122).contains(bytes[$0]) || bytes[$0] == 46 || bytes[$0] == 47 }
            guard let at = plain.isEmpty ? nil : random.pick(plain) else { return bytes }
            bytes.replaceSubrange(at...at, with: Array(escape(bytes[at], &random).utf8))
        case 7:
            // A look-alike of `.` or `/`, raw or escaped.
            let scalar = random.pick(lookAlikes)
            let encoded = random.below(2) == 0 ? Array(String(Character(scalar)).utf8) : Array(percentEncoded(String(Character(scalar))).utf8)
            bytes.insert(contentsOf: encoded, at: random.below(bytes.count + 1))
        case 8:
            // Decode every escape once (a double-escaped target becomes single-escaped).
            bytes = Array((percentDecodedOnce(bytes)))
            if bytes.first != UInt8(ascii: "/") { bytes.insert(UInt8(ascii: "/"), at: 0) }
        case 9:
            // Raw UTF-8 where there were escapes of non-ASCII, or the reverse.
            bytes = random.below(2) == 0 ? percentDecodedOnce(bytes, onlyHigh: true) : Array(percentEncoded(String(decoding: bytes, as: UTF8.self)).utf8)
        default:
            // An extra leading slash (`//site/...`, a scheme-relative reference to a parser).
            bytes.insert(contentsOf: Array(random.pick(["/", "//", "/./", "\\"]).utf8), at: 0)
        }
        return bytes
    }

    static func absoluteForm(_ random: inout SplitMix64, authority: String) -> [UInt8] {
        Array(random.pick(["http://\(authority)", "http://\(authority)", "HTTP://\(authority)", "http://localhost", "http://127.0.0.1",
                           "https://\(authority)", "http://user@\(authority)"]).utf8)
    }

    /// Very long: many `./` or `x/../` segments inside, or a long segment at the end.
    static func long(_ target: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        let size = 200 + random.below(4_000)
        let unit = Array(random.pick(["./", "x/../", "%2e/", "/", "a"]).utf8)
        let padding = Array(repeating: unit, count: size / unit.count).flatMap { $0 }
        guard let slash = target.lastIndex(of: UInt8(ascii: "/")), random.below(2) == 0 else { return target + padding }
        var bytes = target
        bytes.insert(contentsOf: padding, at: slash + 1)
        return bytes
    }

    // MARK: - Encoding helpers

    static func glueBytes(_ random: inout SplitMix64) -> [UInt8] {
        let text = String(String.UnicodeScalarView(random.pick(glue)))
        switch random.below(3) {
        case 0: return Array(text.utf8)
        case 1: return Array(percentEncoded(text).utf8)
        default: return Array(percentEncoded(text).lowercased().utf8)
        }
    }

    /// One byte escaped in one of several spellings.
    static func escape(_ byte: UInt8, _ random: inout SplitMix64) -> String {
        let hex = String(format: "%02X", byte)
        switch random.below(6) {
        case 0: return "%" + hex
        case 1: return "%" + hex.lowercased()
        case 2: return "%25" + hex
        case 3 where byte == 46 || byte == 47: return random.pick(["%c0%", "%e0%80%"]) + String(format: "%02x", 0x80 | byte)
        case 4 where random.below(4) == 0: return "%u00" + hex
        default: return "%" + hex
        }
    }

    /// The path with a few of its characters escaped.
    static func encodeSome(_ path: String, _ random: inout SplitMix64) -> String {
        var text = percentEncoded(path)
        guard random.below(3) == 0 else { return text }
        var bytes = Array(text.utf8)
        for _ in 0..<(1 + random.below(3)) {
            let plain = bytes.indices.filter { (97...122).contains(bytes[$0]) || bytes[$0] == 46 }
            guard !plain.isEmpty else { break }
            let at = random.pick(plain)
            bytes.replaceSubrange(at...at, with: Array(escape(bytes[at], &random).utf8))
        }
        text = String(decoding: bytes, as: UTF8.self)
        return text
    }

    /// As a browser sends a path: spaces, controls and non-ASCII escaped (upper-case hex).
    static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if byte > 0x20 && byte < 0x7f {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    static func percentDecodedOnce(_ bytes: [UInt8], onlyHigh: Bool = false) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            case 97...102: byte - 87
            default: nil
            }
        }
        while index < bytes.count {
            if bytes[index] == 37, index + 2 < bytes.count, let high = hex(bytes[index + 1]), let low = hex(bytes[index + 2]),
               !onlyHigh || high >= 8 {
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}

/// A small seeded generator (SplitMix64), the same numbers on every platform and toolchain.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0..<bound.
    mutating func below(_ bound: Int) -> Int {
        Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}
