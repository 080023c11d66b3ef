import Foundation
import Testing
@testable import AuthKitFastCGI

/// Only a socket file is ever removed before listening on a unix path.
@Suite struct StaleSocketTests {
    func withDirectory(_ body: (URL) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try body(directory)
    }

    /// A socket bound and closed without unlinking, as a killed server leaves it.
    func makeSocketFile(_ path: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
    }

    func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    @Test func removesASocketFile() throws {
        try withDirectory { directory in
            let path = directory.appendingPathComponent("s.sock").path
            makeSocketFile(path)
            try StaleSocket.remove(at: path)
            #expect(!exists(path))
        }
    }

    @Test func nothingThereIsNothingToDo() throws {
        try withDirectory { directory in
            try StaleSocket.remove(at: directory.appendingPathComponent("none.sock").path)
        }
    }

    @Test func refusesAFIFO() throws {
        try withDirectory { directory in
            let path = directory.appendingPathComponent("fifo").path
            #expect(mkfifo(path, 0o600) == 0)
            #expect { try StaleSocket.remove(at: path) } throws: { error in
                "\(error)".contains("unix:\(path): it exists and is not a socket (a FIFO)") && "\(error)".contains("Fix:")
            }
            #expect(exists(path))
        }
    }

    /// A symbolic link is not followed, even to a socket: removing it is not this program's call.
    @Test func refusesASymbolicLinkEvenToASocket() throws {
        try withDirectory { directory in
            let socketPath = directory.appendingPathComponent("real.sock").path
            makeSocketFile(socketPath)
            let link = directory.appendingPathComponent("link.sock").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: socketPath)
            #expect { try StaleSocket.remove(at: link) } throws: { "\($0)".contains("(a symbolic link)") }
            #expect(exists(link) && exists(socketPath))
        }
    }

    @Test func refusesARegularFileAndLeavesItsContent() throws {
        try withDirectory { directory in
            let path = directory.appendingPathComponent("data").path
            try "keep\n".write(toFile: path, atomically: true, encoding: .utf8)
            #expect { try StaleSocket.remove(at: path) } throws: { "\($0)".contains("(a regular file)") }
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "keep\n")
        }
    }
}
