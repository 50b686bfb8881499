import Foundation
import Glibc

/// Whether the edge's store can be trusted after a restart.
///
/// The edge commits without syncing (`MDB_NOSYNC`). After a process crash (kill -9, a trap)
/// that costs nothing: the kernel still holds every page written. After a power loss or a
/// kernel crash it may: LMDB orders nothing between its data pages and its meta page without
/// the sync, so the file may name a tree that never reached the disk. The two are told apart
/// by the kernel's boot id, kept next to the store: a store last opened during another boot
/// and never closed cleanly is set aside, and the feed fills a fresh one with a snapshot.
struct StoreBootState {
    static let fileName = "boot-state"
    /// What `currentBootID` gives when the kernel does not say: never taken for a match.
    static let unknownBoot = "unknown"

    let directory: String
    let bootID: String

    /// Why the store in `directory` must not be used, or nil when it can be. The record
    /// says how the store was last written, whatever this start will do: `BOOT open MODE`
    /// while a process has it open (MODE `nosync` or `sync`), `BOOT clean` after a stop that
    /// synced it.
    func reasonToDiscard() -> String? {
        let path = directory + "/" + Self.fileName
        let recorded: String
        switch Self.read(path: path) {
        case .missing:
            // No record: a fresh directory, or a store written before there were records
            // (by a version that did not sync either). Only a store with data is at risk.
            return access(directory + "/data.mdb", F_OK) == 0
                ? "it has no boot record, so nothing says it was closed cleanly" : nil
        case .unreadable(let code):
            return "its boot record could not be read (\(String(cString: strerror(code))))"
        case .text(let text):
            recorded = text
        }
        let fields = recorded.split(separator: " ")
        guard (2...3).contains(fields.count) else { return "its boot record is unreadable" }
        if fields[1] == "clean" {
            return nil
        }
        guard fields[1] == "open" else { return "its boot record is unreadable" }
        if fields.count == 3 && fields[2] == "sync" {
            // Every commit was synced: a power loss cannot have torn it.
            return nil
        }
        if fields[0] == bootID && bootID != Self.unknownBoot {
            // Still the boot it was written in: the kernel has every page.
            return nil
        }
        return "it was open, written without syncing, when the machine went down (boot "
            + "\(fields[0]), now \(bootID))"
    }

    /// Moves the store's files aside (`*.discarded`), so a fresh one is made.
    func discardStore() throws {
        for name in ["data.mdb", "lock.mdb"] {
            let path = directory + "/" + name
            if access(path, F_OK) == 0, rename(path, path + ".discarded") != 0 {
                throw StoreBootError(operation: "rename \(path)", code: errno)
            }
        }
    }

    /// Records that the store is open during this boot, and whether its commits are synced:
    /// written before the store is opened.
    func markOpen(synced: Bool) throws {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true)
        try write("\(bootID) open \(synced ? "sync" : "nosync")\n")
    }

    /// Records that the store was synced and closed: written last at a clean stop, and only
    /// when the last sync succeeded.
    func markClean() throws {
        try write("\(bootID) clean\n")
    }

    /// This boot of the kernel (`/proc/sys/kernel/random/boot_id`), or `unknownBoot`.
    static func currentBootID() -> String {
        if case .text(let text) = read(path: "/proc/sys/kernel/random/boot_id"), !text.isEmpty {
            return text
        }
        return unknownBoot
    }

    private enum Contents {
        case missing
        case unreadable(Int32)
        case text(String)
    }

    private static func read(path: String) -> Contents {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT ? .missing : .unreadable(errno) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, 256) }
        guard count >= 0 else { return .unreadable(errno) }
        return .text(String(decoding: buffer[..<count], as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Replaces the record in one step: a temporary file, synced, renamed over it, and the
    /// directory synced, so a crash leaves the old record or the new one.
    private func write(_ text: String) throws {
        let path = directory + "/" + Self.fileName
        let temporary = path + ".new"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw StoreBootError(operation: "open", code: errno) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0 else {
            throw StoreBootError(operation: "write \(temporary)", code: errno)
        }
        guard rename(temporary, path) == 0 else {
            throw StoreBootError(operation: "rename \(temporary)", code: errno)
        }
        let folder = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}

struct StoreBootError: Error, CustomStringConvertible {
    let operation: String
    let code: Int32

    var description: String {
        "\(operation): \(String(cString: strerror(code)))"
    }
}
