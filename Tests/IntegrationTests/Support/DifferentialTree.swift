import Foundation

/// The docroot of the differential harness: protected and public files under the locations the
/// harness sites protect, each with a unique marker in its body, so that a response body says
/// by itself which file was served and whether the caller could read it.
///
/// - `SECRET-SIGNEDIN-<n>`: any signed-in user may read it (under `/site/` and `/proxied/`).
/// - `SECRET-ADMIN-<n>`: role admin only (under `/admin/`).
/// - `PUBLIC-<n>`: public, by a `WORKOS_UNAUTHENTICATED_PATHS` glob or a location without a check.
///
/// Example: `/site/secret.txt` holds `SECRET-SIGNEDIN-002 /site/secret.txt`.
enum DifferentialTree {
    enum Access: Sendable { case publicFile, signedIn, admin }

    struct File: Sendable {
        /// The path as the server sees it after decoding: UTF-8, `/`-separated.
        let path: String
        let access: Access
        let marker: String
    }

    /// The globs that make parts of the protected locations public.
    static let unauthenticatedPaths = [
        "/site/public/:path*", "/admin/public/:path*", "/proxied/public/:path*", "/site/café/:path*",
    ]

    /// The protected location prefixes the sites configure, with the access they demand.
    static let locations: [(prefix: String, access: Access)] = [("/site/", .signedIn), ("/admin/", .admin), ("/proxied/", .signedIn)]

    private static let layout: [(String, Access)] = [
        ("/index.html", .publicFile),
        ("/pub/ok.txt", .publicFile),
        ("/site/index.html", .signedIn),
        ("/site/secret.txt", .signedIn),
        ("/site/sub/secret.txt", .signedIn),
        ("/site/sub/index.html", .signedIn),
        ("/site/spaced name.txt", .signedIn),
        ("/site/naïve-ünï.txt", .signedIn),
        ("/site/Public/secret.txt", .signedIn),        // a case variant of the public folder
        ("/site/public-not/secret.txt", .signedIn),    // a prefix of the public folder's name
        ("/site/publicsecret.txt", .signedIn),
        ("/site/cafe\u{301}/secret.txt", .signedIn),   // NFD spelling of the public /site/café/
        ("/site/public/index.html", .publicFile),
        ("/site/public/ok.txt", .publicFile),
        ("/site/public/sub/ok.txt", .publicFile),
        ("/site/public/sub/index.html", .publicFile),
        ("/site/public/spaced name.txt", .publicFile),
        ("/site/public/café.txt", .publicFile),
        ("/site/café/ok.txt", .publicFile),
        ("/admin/index.html", .admin),
        ("/admin/secret.txt", .admin),
        ("/admin/sub/secret.txt", .admin),
        ("/admin/sub/index.html", .admin),
        ("/admin/naïve-ünï.txt", .admin),
        ("/admin/public-not/secret.txt", .admin),
        ("/admin/public/index.html", .publicFile),
        ("/admin/public/ok.txt", .publicFile),
        ("/admin/public/sub/ok.txt", .publicFile),
        ("/proxied/index.html", .signedIn),
        ("/proxied/secret.txt", .signedIn),
        ("/proxied/sub/secret.txt", .signedIn),
        ("/proxied/public/ok.txt", .publicFile),
        ("/proxied/public/sub/ok.txt", .publicFile),
    ]

    static let files: [File] = layout.enumerated().map { index, entry in
        let number = String(format: "%03d", index)
        let marker = switch entry.1 {
        case .publicFile: "PUBLIC-\(number)"
        case .signedIn: "SECRET-SIGNEDIN-\(number)"
        case .admin: "SECRET-ADMIN-\(number)"
        }
        return File(path: entry.0, access: entry.1, marker: marker)
    }

    static func file(marker: String) -> File? { files.first { $0.marker == marker } }

    /// Every folder on the way to a file (`/site/`, `/site/public/`, …), with a trailing slash.
    static let directories: [String] = {
        var seen = Set<String>(), result: [String] = []
        for file in files {
            var parts = file.path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            parts.removeLast()
            for end in 1...parts.count {
                let directory = parts[..<end].joined(separator: "/") + "/"
                if seen.insert(directory).inserted { result.append(directory) }
            }
        }
        return result
    }()

    /// Writes the tree under `root` (readable by everyone: Apache's children run as www-data).
    static func write(to root: URL) throws {
        for file in files {
            // appendingPathComponent would normalise the name: build the path from bytes.
            let url = URL(fileURLWithPath: root.path + file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let body = file.path.hasSuffix(".html")
                ? "<!doctype html><title>\(file.marker)</title><p>\(file.marker) \(file.path)</p>\n"
                : "\(file.marker) \(file.path)\n"
            guard FileManager.default.createFile(atPath: url.path, contents: Data(body.utf8)) else { throw CocoaError(.fileWriteUnknown) }
        }
        // A file an attacker could have uploaded to a public folder: a complete authkit-fcgi
        // configuration of made-up values that makes every path public.
        guard FileManager.default.createFile(atPath: root.path + uploadedEnvFile, contents: Data("""
            WORKOS_CLIENT_ID=client_attacker
            WORKOS_API_KEY=sk_test_attacker
            WORKOS_COOKIE_PASSWORD=attacker-attacker-attacker-32chr
            WORKOS_REDIRECT_URI=http://127.0.0.1:9/auth/callback
            WORKOS_UNAUTHENTICATED_PATHS=/:path*

            """.utf8)) else { throw CocoaError(.fileWriteUnknown) }
        _ = try runCommand("/bin/chmod", ["-R", "a+rX", root.path])
    }

    /// Where `write` puts the attacker's configuration file (under the public `/pub/`).
    static let uploadedEnvFile = "/pub/upload.env"

    /// Targets that hand authkit-fcgi command-line arguments: Apache runs a CGI program with
    /// the query string as its arguments when the query has no `=` (RFC 3875 4.4, "search"
    /// queries), split at `+`.
    static func argumentTargets(root: URL) -> [String] {
        ["/site/secret.txt", "/admin/secret.txt", "/site/sub/secret.txt"].flatMap { path in
            ["\(path)?--env-file+\(root.path)\(uploadedEnvFile)", "\(path)?serve+--env-file+\(root.path)\(uploadedEnvFile)",
             "\(path)?check-config", "\(path)?--help", "\(path)?--version", "\(path)?--debug"]
        }
    }
}
