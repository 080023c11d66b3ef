import AuthKitCore
import FoundationEssentials
import Glibc

/// A CGI script the plain-CGI guard runs in its own place once the request is allowed.
public struct CGIScript: Sendable, Equatable {
    /// The executable file.
    public let file: String
    /// `SCRIPT_NAME` for the script: the request path without the extra path after the file.
    public let scriptName: String
    /// `PATH_INFO`: what followed the file in the path (often empty).
    public let pathInfo: String

    /// The script `PATH_TRANSLATED` names, when it is (or starts with) a regular executable file
    /// inside `scriptsDirectory` — after resolving symbolic links, so `..` or a link cannot lead
    /// out of it. nil otherwise: the guard then lets Apache serve the request.
    public static func locate(pathTranslated: String, scriptsDirectory: String, requestPath: String) -> CGIScript? {
        // Paths on the bytes, as the kernel reads them: as Characters `/\u{301}` is no slash, and
        // `hasPrefix` compares by canonical equivalence (a directory `cafe\u{301}` would be
        // inside `caf\u{E9}`).
        guard scriptsDirectory.utf8.first == UInt8(ascii: "/"), let root = realpath(scriptsDirectory) else { return nil }
        var file = Substring(pathTranslated)
        var extra = ""
        while true {
            var info = stat()
            if stat(String(file), &info) == 0 {
                guard info.st_mode & S_IFMT == S_IFREG else { return nil }
                break
            }
            guard let slash = file.utf8.lastIndex(of: UInt8(ascii: "/")), slash != file.startIndex else { return nil }
            extra = String(file[slash...]) + extra
            file = file[..<slash]
        }
        guard let resolved = realpath(String(file)), resolved.hasBytePrefix(root == "/" ? "/" : root + "/"),
              access(resolved, X_OK) == 0 else { return nil }
        let scriptName = requestPath.hasByteSuffix(extra)
            ? String(decoding: requestPath.utf8.dropLast(extra.utf8.count), as: UTF8.self) : requestPath
        return CGIScript(file: resolved, scriptName: scriptName, pathInfo: extra)
    }

    static func realpath(_ path: String) -> String? {
        guard let resolved = Glibc.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Variables that never reach the script: our own settings and secrets (`AUTHKIT_*`,
    /// `WORKOS_*`), the guard's redirect bookkeeping, and any identity-looking request header.
    public static func isWithheld(_ name: String) -> Bool {
        let prefixes = ["AUTHKIT_", "WORKOS_", "REDIRECT_", "HTTP_X_AUTHKIT_", "HTTP_AUTHKIT_", "HTTP_VARIABLE_"]
        // On the bytes: as Characters `AUTHKIT_\u{301}X` does not start with `AUTHKIT_`.
        return prefixes.contains { name.hasBytePrefix($0) }
            || ["REMOTE_USER", "AUTH_TYPE", "PATH_TRANSLATED", "CONTEXT_PREFIX", "CONTEXT_DOCUMENT_ROOT"].contains(where: name.bytesEqual)
    }

    /// The script's environment: the request's CGI variables as the script's own, plus identity.
    public func environment(request: [String: String], identity: [String: String]) -> [String: String] {
        var variables = request.filter { !Self.isWithheld($0.key) }
        variables["SCRIPT_NAME"] = scriptName
        variables["SCRIPT_FILENAME"] = file
        variables["PATH_INFO"] = pathInfo.isEmpty ? nil : pathInfo
        for (name, value) in identity { variables[name] = value }
        if identity["REMOTE_USER"] != nil { variables["AUTH_TYPE"] = "AuthKit" }
        return variables
    }

    /// Replaces this process with the script (stdin, stdout and stderr stay Apache's). Returns
    /// only on failure, with the reason.
    public func run(environment request: [String: String], identity: [String: String]) -> String {
        let variables = environment(request: request, identity: identity)
        let directory = String(file[..<(file.utf8.lastIndex(of: UInt8(ascii: "/")) ?? file.startIndex)])
        if !directory.isEmpty { _ = chdir(directory) }
        let arguments = [strdup(file)] + [nil]
        let environment = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        execve(file, arguments, environment)
        return String(cString: strerror(errno))
    }

    /// The target of the guard's CGI local redirect: the request's own path + query, never an
    /// absolute URL (an absolute-form request line puts one in `REQUEST_URI`, and Apache would
    /// send that out as a redirect), a `//host` reference, or anything with spaces or controls.
    public static func localRedirectTarget(_ uri: String) -> String? {
        // On the bytes: as Characters `//\u{301}evil.example` does not start with `//`.
        var target = Substring(uri)
        if target.utf8.first != UInt8(ascii: "/"), let colon = target.firstUTF8Index(of: UInt8(ascii: ":")),
           target.utf8[colon...].starts(with: "://".utf8) {
            let rest = target[target.utf8.index(colon, offsetBy: 3)...]
            target = rest.firstUTF8Index(of: UInt8(ascii: "/")).map { rest[$0...] } ?? "/"
        }
        guard target.utf8.first == UInt8(ascii: "/"), !target.utf8.starts(with: "//".utf8),
              !target.utf8.contains(where: { $0 < 0x21 || $0 == 0x7F || $0 == UInt8(ascii: "\\") }) else { return nil }
        return String(target)
    }
}
