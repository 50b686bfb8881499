import Foundation
import Testing
@testable import OddsEdge

/// When a store written without syncing may be torn by a power loss, and so is set aside.
@Suite struct StoreBootStateTests {
    /// A directory with a `data.mdb` (contents do not matter here) and `record` as its boot
    /// record (none when nil).
    private func directory(record: String?, data: Bool = true) throws -> String {
        let path = NSTemporaryDirectory() + "boot-state-" + UUID().uuidString
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true)
        if data {
            try Data("x".utf8).write(to: URL(fileURLWithPath: path + "/data.mdb"))
        }
        if let record {
            try Data(record.utf8).write(to: URL(fileURLWithPath: path + "/boot-state"))
        }
        return path
    }

    private func verdict(_ record: String?, boot: String, data: Bool = true) throws -> Bool {
        let path = try directory(record: record, data: data)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return StoreBootState(directory: path, bootID: boot).reasonToDiscard() != nil
    }

    @Test func aStoreOpenInThisBootIsKept() throws {
        #expect(try !verdict("b1 open nosync\n", boot: "b1"))
    }

    @Test func aStoreLeftOpenInAnotherBootWithoutSyncingIsDiscarded() throws {
        #expect(try verdict("b1 open nosync\n", boot: "b2"))
        // A record from before the mode was written down counts as not synced.
        #expect(try verdict("b1 open\n", boot: "b2"))
    }

    @Test func aCleanOrSyncedStoreSurvivesAReboot() throws {
        #expect(try !verdict("b1 clean\n", boot: "b2"))
        #expect(try !verdict("b1 open sync\n", boot: "b2"))
    }

    @Test func anUnknownBootIsNeverTakenForTheSameOne() throws {
        #expect(try verdict("unknown open nosync\n", boot: StoreBootState.unknownBoot))
        #expect(try !verdict("unknown clean\n", boot: StoreBootState.unknownBoot))
    }

    @Test func aStoreWithoutARecordIsDiscardedButAnEmptyDirectoryIsNot() throws {
        #expect(try verdict(nil, boot: "b1"))
        #expect(try !verdict(nil, boot: "b1", data: false))
        #expect(try verdict("garbage\n", boot: "b1"))
    }

    @Test func theRecordFollowsOpenAndCleanAndDiscardMovesTheFilesAside() throws {
        let path = try directory(record: nil)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let state = StoreBootState(directory: path, bootID: "b9")
        try state.markOpen(synced: false)
        #expect(try String(contentsOfFile: path + "/boot-state", encoding: .utf8)
            == "b9 open nosync\n")
        #expect(StoreBootState(directory: path, bootID: "b10").reasonToDiscard() != nil)
        try state.markClean()
        #expect(StoreBootState(directory: path, bootID: "b10").reasonToDiscard() == nil)
        try state.discardStore()
        #expect(!FileManager.default.fileExists(atPath: path + "/data.mdb"))
        #expect(FileManager.default.fileExists(atPath: path + "/data.mdb.discarded"))
    }
}
