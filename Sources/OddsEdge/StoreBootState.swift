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

    let directory: String
    let bootID: String

    /// Why the store in `directory` must not be used, or nil when it can be.
    func reasonToDiscard() -> String? {
        guard let recorded = Self.read(path: directory + "/" + Self.fileName) else {
            // A store from before this record, or none yet: nothing to go by.
            return nil
        }
        let fields = recorded.split(separator: " ")
        guard fields.count == 2 else { return "its boot record is unreadable" }
        if fields[1] == "clean" || fields[0] == bootID {
            return nil
        }
        return "it was open when the machine went down (boot \(fields[0])), and was written "
            + "without syncing"
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

    /// Records that the store is open during this boot: written before the first commit.
    func markOpen() throws {
        try write("\(bootID) open\n")
    }

    /// Records that the store was synced and closed: written last at a clean stop.
    func markClean() throws {
        try write("\(bootID) clean\n")
    }

    /// This boot of the kernel (`/proc/sys/kernel/random/boot_id`).
    static func currentBootID() -> String {
        read(path: "/proc/sys/kernel/random/boot_id") ?? "unknown"
    }

    private static func read(path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, 256) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count], as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
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
